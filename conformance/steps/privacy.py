"""Personal information and permissions: the children's rules, consent before processing, app permissions,
the guardian's rights over the child's data, biometrics, and what strangers can see.

Who acts is part of the step text ("the guardian", "the child", "a stranger"); the
steps map those words to protocol roles, so that one phrasing serves every actor.
"""

from __future__ import annotations

import re
from typing import Any

from pytest_bdd import given, parsers, then, when

from conformance.catalogue import Profile
from conformance.declaration import BASIC_FUNCTION_APPS, Declaration
from conformance.steps.common import Context, another_guardian_account, attempt, attempt_each, gated_apps
from device_adapters.errors import InconclusiveError, MalformedReply, Refused
from device_adapters.watch import Watch

PERMISSIONS = ("microphone", "camera", "location")
# What the guardian's consent to the children's rules may cover: the basic functions need
# the microphone (calls with the guardian, the emergency call) and location (locating the child); never the camera.
CONSENT_COVERS = {"microphone", "location"}

ROLES = {"the guardian": "guardian", "the child": "child", "a stranger": "stranger"}
ACTOR = "(?P<who>the guardian|the child|a stranger)"

# How a biometric check can be presented: the live child, or a presentation attack.
PRESENTATIONS = {
    "the child in person": "live",
    "a photo of the child": "photo",
    "a mask of the child's face": "mask",
    "a replay of an earlier capture": "replay",
}


def _shown(ctx: Context, what: str) -> dict:
    """The result of the last attempt, which must have been allowed for `what` to be judged."""
    last = ctx.last
    assert last.allowed, f"the watch does not show {what}: {last.refusal}"
    assert last.result is not None
    return last.result


def _location_entries(export: dict) -> list[Any]:
    """Every entry of the export's location records (any list under a key naming location)."""
    data = export.get("data", export)
    entries: list[Any] = []
    for key, value in data.items():
        if "location" in key and isinstance(value, list):
            entries.extend(value)
    return entries


# -- PRI-1: the children's rules ---------------------------------------------------


@when(parsers.re(f"{ACTOR} opens the rules for children's personal information"))
def opens_rules(watch: Watch, ctx: Context, who: str) -> None:
    attempt(ctx, f"{who} reading the children's rules", lambda: watch.privacy_rules(role=ROLES[who]))


@then("the rules are written for children")
def rules_for_children(ctx: Context) -> None:
    rules = _shown(ctx, "rules for children's personal information")
    assert str(rules.get("text", "")).strip(), "the rules have no text"
    # Rules kept on a website the guardian never sees are not shown by the watch or the guardian's app.
    places = set(rules.get("shown_on", ["watch"]))
    assert places & {"watch", "guardian_app"}, f"the rules are shown only on {sorted(places)}"
    # The device's own word; what the rules cover is judged against what the watch does (below).
    assert rules.get("children_specific") is not False, f"by the watch's own account the rules shown are not specific to children: {rules.get('title')!r}"


def _information_kind(record_kind: str) -> str:
    """The kind of personal information a processing record names: its first word (`location_report` -> `location`)."""
    return re.split(r"[^a-z0-9]+", record_kind.lower(), maxsplit=1)[0]


@then("the rules say, with its purpose, every kind of personal information the watch was seen to process")
def rules_cover_processing(watch: Watch, ctx: Context) -> None:
    rules = _shown(ctx, "rules for children's personal information")
    if not isinstance(rules.get("collected"), list):
        raise MalformedReply(f"the reply to privacy.rules has no list 'collected' (has {', '.join(sorted(rules))})")
    # Any wording and language: a kind is covered when the rules list it with a purpose that says something.
    covered = {str(c.get("kind", "")).lower() for c in rules["collected"] if isinstance(c, dict) and str(c.get("purpose", "")).strip()}
    observed = sorted({_information_kind(str(r.get("kind", ""))) for r in watch.processing_records()} - {""})
    if not observed:
        raise InconclusiveError("the watch recorded no processing although the child was located: nothing to hold the rules against")
    missing = [kind for kind in observed if kind not in covered]
    assert not missing, f"the watch processed the child's {', '.join(missing)}, which its children's rules do not list with a purpose (they list: {', '.join(sorted(covered)) or 'nothing'})"


# -- PRI-2: consent before processing ------------------------------------------------


@given("the guardian binds the watch")
def guardian_binds(watch: Watch) -> None:
    watch.bind_guardian()


@when("the guardian consents to the rules for children's personal information")
def guardian_consents(watch: Watch) -> None:
    watch.consent_privacy()


@when(parsers.re(f"{ACTOR} tries to locate the child"))
def tries_to_locate(watch: Watch, ctx: Context, who: str) -> None:
    attempt(ctx, f"{who} locating the child", lambda: watch.location(role=ROLES[who]))


@then("the watch has processed no personal information")
def processed_nothing(watch: Watch) -> None:
    # The device's own record of what it processed: observed, not what the maker declares.
    records = watch.processing_records()
    assert not records, f"the watch processed personal information: {records[:5]}"


@then("the watch has processed the child's location")
def processed_location(watch: Watch) -> None:
    records = watch.processing_records()
    assert any("location" in str(r.get("kind", "")) for r in records), f"no location processing recorded: {records[:5]}"


# -- PRI-3: app permissions -----------------------------------------------------------


@given(parsers.parse('the child installs "{app_id}" from the store and the guardian approves it'))
def child_installs_approved(watch: Watch, app_id: str) -> None:
    # A store may offer only its own catalogue (docs/protocol.md `apps.install`): a refusal leaves nothing to judge, not a FAIL.
    try:
        watch.install_app(app_id, name=app_id, category="tool")
    except Refused as refusal:
        raise InconclusiveError(f"the store refused the ordinary app {app_id} ({refusal}): the permission rule cannot be tried on it") from None
    watch.approve_app(app_id)


@when(parsers.parse('"{app_id}" asks the child for the {permission} permission'))
def app_requests(watch: Watch, ctx: Context, app_id: str, permission: str) -> None:
    ctx.values["permission_request"] = watch.request_permission(app_id, permission)


@when(parsers.parse('the child tries to allow "{app_id}" the {permission} permission'))
def child_grants(watch: Watch, ctx: Context, app_id: str, permission: str) -> None:
    attempt(ctx, f"the child allowing {app_id} the {permission}", lambda: watch.grant_permission(app_id, permission, role="child"))


@when(parsers.parse('the guardian allows "{app_id}" the {permission} permission'))
def guardian_grants(watch: Watch, app_id: str, permission: str) -> None:
    watch.grant_permission(app_id, permission)


@then("the request waits for the guardian")
def request_pending(ctx: Context) -> None:
    answer = ctx.values.get("permission_request")
    assert answer is not None, "no app asked for a permission"
    assert not answer.get("granted"), f"the permission was granted on the watch without the guardian: {answer}"


@then(parsers.parse('"{app_id}" still has no {permission} permission'))
def has_not(watch: Watch, app_id: str, permission: str) -> None:
    held = watch.permissions(app_id)
    assert not held.get(permission), f"{app_id} holds {permission} without the guardian's permission: {held}"


@then(parsers.parse('"{app_id}" has the {permission} permission'))
def has(watch: Watch, app_id: str, permission: str) -> None:
    held = watch.permissions(app_id)
    assert held.get(permission), f"{app_id} lacks {permission} although the guardian allowed it: {held}"


@then(parsers.parse('"{app_id}" holds no microphone, camera or location permission'))
def holds_none(watch: Watch, app_id: str) -> None:
    held = watch.permissions(app_id)
    granted = [p for p in PERMISSIONS if held.get(p)]
    assert not granted, f"{app_id} holds {', '.join(granted)} by default: {held}"


@then("no app holds the microphone, camera or location beyond what the guardian's consent covers")
def no_default_permissions(watch: Watch, profile: Profile) -> None:
    # Every package, hidden ones included: a hidden app with the microphone is the worst case. Which apps the
    # consent covers follows from the profile's basic functions, not from the category the watch gives an app.
    basic = {BASIC_FUNCTION_APPS[f] for f in profile.param("basic_functions") if f in BASIC_FUNCTION_APPS}
    findings = []
    for app in watch.apps(include_hidden=True, role="tester"):
        allowed = CONSENT_COVERS if app["app_id"] in basic else set()
        held = watch.permissions(app["app_id"])
        extra = [p for p in PERMISSIONS if held.get(p) and p not in allowed]
        if extra:
            findings.append(f"{app['app_id']}: {', '.join(extra)}")
    assert not findings, f"apps hold sensitive permissions out of the box: {'; '.join(findings)}"


@when("every app but the basic functions asks the child for each sensitive permission, and the child tries to allow it")
def every_app_asks(watch: Watch, profile: Profile, ctx: Context) -> None:
    findings = []
    for app_id in gated_apps(watch, profile):
        for permission in PERMISSIONS:
            try:
                answer = watch.request_permission(app_id, permission)
            except Refused:
                answer = {}  # an app that may not ask for this permission at all gets none: the checks below still run
            if answer.get("granted"):
                findings.append(f"{app_id} got {permission} on asking the child")
            child_grant = attempt(ctx, f"the child allowing {app_id} the {permission}", lambda a=app_id, p=permission: watch.grant_permission(a, p, role="child"))
            if child_grant.allowed:
                findings.append(f"the child allowed {app_id} the {permission}")
            if watch.permissions(app_id).get(permission):
                findings.append(f"{app_id} holds {permission}")
    ctx.values["permission_findings"] = findings


@then("no app holds a sensitive permission without the guardian")
def none_without_guardian(ctx: Context) -> None:
    findings = ctx.values.get("permission_findings")
    assert findings is not None, "no app asked for a permission"
    assert not findings, f"without the guardian: {'; '.join(findings)}"


# -- PRI-4: the guardian's rights -------------------------------------------------

# What only the bound guardian may do with the child's data and watch, with harmless arguments; closing last.
GUARDIAN_DATA_OPERATIONS: dict[str, dict[str, Any]] = {
    "privacy.export": {},
    "location.get": {},
    "profile.get": {},
    "privacy.delete": {},
    "privacy.consent": {},
    "device.set_password": {"password": "Other-4821"},
    "permissions.grant": {"app_id": "maths", "permission": "microphone"},
    "account.close": {},
}


@when(parsers.re("(?P<who>the former guardian|another guardian account) tries each guardian operation on the child's data"))
def guardian_operations_sweep(watch: Watch, declaration: Declaration, ctx: Context, who: str) -> None:
    account = None if who == "the former guardian" else another_guardian_account(declaration)
    attempt_each(
        ctx,
        list(GUARDIAN_DATA_OPERATIONS),
        lambda op: f"{op} by {who}",
        lambda op: watch.call(op, "guardian", account=account, **GUARDIAN_DATA_OPERATIONS[op]),
    )


@when(parsers.re(f"{ACTOR} tries to export the child's data"))
def tries_to_export(watch: Watch, ctx: Context, who: str) -> None:
    attempt(ctx, f"{who} exporting the child's data", lambda: watch.export_data(role=ROLES[who]))


@when("the guardian deletes the child's data")
def guardian_deletes(watch: Watch) -> None:
    watch.delete_data()


@when("the guardian closes the child's account")
def guardian_closes(watch: Watch) -> None:
    watch.close_account()


@then("the export holds the child's location history")
def export_has_location(ctx: Context) -> None:
    export = _shown(ctx, "the export of the child's data")
    # The watch reported its position while time passed, so a complete export has it.
    assert _location_entries(export), f"the export holds no location history: keys {sorted(export.get('data', export))}"


@then("the export holds no location history of the child")
def export_has_no_location(ctx: Context) -> None:
    entries = _location_entries(_shown(ctx, "the export of the child's data"))
    assert not entries, f"the child's data was deleted but the export still holds {len(entries)} location entries"


# -- PRI-5: biometrics --------------------------------------------------------------


@given("the child has enrolled a biometric on the watch")
def child_enrolls(watch: Watch) -> None:
    watch.enroll_biometric()


@when(parsers.re("the biometric check is shown (?P<presentation>" + "|".join(PRESENTATIONS) + ")"))
def biometric_shown(watch: Watch, ctx: Context, presentation: str) -> None:
    attempt(ctx, f"biometric verification with {presentation}", lambda: watch.verify_biometric(PRESENTATIONS[presentation]))


@when("the child de-registers the biometric")
def child_deregisters(watch: Watch) -> None:
    watch.deregister_biometric()


# -- PRI-6: strangers -----------------------------------------------------------------


@when(parsers.re(f"{ACTOR} tries to open the child's profile"))
def tries_profile(watch: Watch, ctx: Context, who: str) -> None:
    attempt(ctx, f"{who} opening the child's profile", lambda: watch.profile_of_child(role=ROLES[who]))


@given(parsers.parse('the child has posted "{text}"'))
def child_posted(watch: Watch, ctx: Context, text: str) -> None:
    ctx.values.setdefault("child_posts", []).append(watch.create_post(text))


@given("a stranger has an account on the platform")
def stranger_account(watch: Watch, ctx: Context) -> None:
    ctx.values["stranger"] = watch.create_account("Friendly uncle", kind="stranger")


@given("a classmate who is not the child's friend has an account on the platform")
def classmate_account(watch: Watch, ctx: Context) -> None:
    ctx.values["classmate"] = watch.create_account("Classmate Ben", kind="child")


# Other accounts of the platform, as the step text names them: (where the account is kept, the role it acts in).
SIGNED_IN = {"the stranger with the account": ("stranger", "stranger"), "the classmate": ("classmate", "child")}


@when(parsers.re("(?P<who>the stranger with the account|the classmate) tries to (?P<what>locate the child|open the child's profile)"))
def signed_in_account_tries(watch: Watch, ctx: Context, who: str, what: str) -> None:
    kept, role = SIGNED_IN[who]
    account = ctx.values[kept]
    do = watch.location if what == "locate the child" else watch.profile_of_child
    attempt(ctx, f"{kept} {account} trying to {what}", lambda: do(role=role, account=account))


@when(parsers.re("(?P<who>the stranger|a stranger without an account) reads the feed"))
def stranger_reads(watch: Watch, ctx: Context, who: str) -> None:
    account = ctx.values["stranger"] if who == "the stranger" else None
    # A refusal is as good as an empty feed: either way the stranger sees none of the child's posts.
    outcome = attempt(ctx, f"{who} reading the feed", lambda: watch.feed(role="stranger", account=account))
    ctx.values["stranger_feed"] = outcome.result.get("value", []) if outcome.allowed and outcome.result else []


@then("the stranger's feed holds none of the child's posts")
def stranger_sees_no_posts(ctx: Context) -> None:
    posts = set(ctx.values.get("child_posts", []))
    seen = [p for p in ctx.values["stranger_feed"] if p["post_id"] in posts]
    assert not seen, f"a stranger sees the child's posts: {seen}"
