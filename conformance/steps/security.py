"""Cybersecurity: the security-update period, authenticated firmware, the lock password and default passwords,
supervision and debug interfaces that the watch must not let the child switch off, and the test agent's own door.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

from pytest_bdd import given, parsers, then, when

from conformance.catalogue import Profile
from conformance.declaration import Declaration
from conformance.steps.common import Context, another_guardian_account, attempt, attempt_each, gated_apps
from device_adapters.errors import InconclusiveError, Refused
from device_adapters.watch import Watch, known_operations

# How a firmware image can come: the words of the scenarios and the signature the protocol names.
IMAGES = {"without a signature": "none", "with a forged signature": "invalid", "signed by the maker": "valid"}
# What the child tries instead of the guardian's password: any value the guardian did not set.
CHILD_CHOSEN_PASSWORD = "child-choice-1"
WRONG_TOKEN = "not-the-lab-token"
GUARDIAN_SERVICE = "guardian"


def _newer(version: str) -> str:
    """A version the watch must take as newer: the last number of a dotted version, plus one."""
    if not re.fullmatch(r"\d+(\.\d+)*", version):
        raise InconclusiveError(f"the installed firmware {version!r} is not a dotted version: cannot name a newer one")
    parts = version.split(".")
    parts[-1] = str(int(parts[-1]) + 1)
    return ".".join(parts)


def _years_after(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February in a year without one
        return day.replace(year=day.year + years, day=28)


# -- SEC-1: the update period and firmware ---------------------------------------------


@then("the declaration and the watch both promise security updates for at least the profile's minimum period")
def update_period(watch: Watch, declaration: Declaration, profile: Profile, note) -> None:
    baseline = datetime.fromisoformat(declaration.ixit["baseline_start"]).date()
    declared = declaration.ixit.get("security_update_until")
    assert declared, "the declaration gives no security_update_until: the maintenance period is not declared"
    reported = watch.security_status().get("update_support_until")
    assert reported, "the watch reports no update_support_until in its security status"
    promises = {"declared": date.fromisoformat(str(declared)), "reported by the watch": date.fromisoformat(str(reported))}
    min_years = profile.param("security_update_min_years")
    if min_years is None:
        # The standard's number is not public: judge only that support outlasts the run's baseline date, and say so.
        needed, basis = baseline, f"after the baseline date {baseline} (profile {profile.name} sets no security_update_min_years)"
        short = {who: day for who, day in promises.items() if day <= needed}
        note(f"CSW-SEC-1 judged only on support continuing {basis}; a lab tailoring that sets security_update_min_years judges the length")
    else:
        needed = _years_after(baseline, int(min_years))
        basis = f"until {needed} ({min_years} years from the baseline date {baseline})"
        short = {who: day for who, day in promises.items() if day < needed}
    assert not short, f"security updates must last {basis}; " + ", ".join(f"{who}: until {day}" for who, day in short.items())


def _offer(watch: Watch, ctx: Context, version: str, signature: str, what: str) -> None:
    ctx.values["installed_before_offer"] = watch.info()["firmware"]
    ctx.values["offered"] = version
    attempt(ctx, what, lambda: watch.update_firmware(version=version, signature=signature))


@when(parsers.re("a newer firmware image (?P<image>" + "|".join(IMAGES) + ") is offered"))
def newer_offered(watch: Watch, ctx: Context, image: str) -> None:
    installed = watch.info()["firmware"]
    ctx.values["replaced"] = installed
    _offer(watch, ctx, _newer(installed), IMAGES[image], f"installing a newer firmware {image}")


@when("the firmware it replaced is offered again, signed by the maker")
def replaced_offered(watch: Watch, ctx: Context) -> None:
    assert "replaced" in ctx.values, "no firmware was replaced earlier in the scenario"
    _offer(watch, ctx, ctx.values["replaced"], IMAGES["signed by the maker"], f"going back to firmware {ctx.values['replaced']}")


@when("an older firmware numbered with fewer parts is offered, signed by the maker")
def shorter_older_offered(watch: Watch, ctx: Context) -> None:
    """The installed version without its last number: older when that number is above 0 (1.0 is 1.0.0, before 1.0.1)."""
    installed = watch.info()["firmware"]
    parts = installed.split(".")
    if len(parts) < 2 or not re.fullmatch(r"\d+(\.\d+)*", installed) or int(parts[-1]) == 0:
        raise InconclusiveError(f"the installed firmware {installed!r} has no older version with fewer numbers: install a newer one first")
    _offer(watch, ctx, ".".join(parts[:-1]), IMAGES["signed by the maker"], f"going back from firmware {installed} to {'.'.join(parts[:-1])}")


@then("the installed firmware is unchanged")
def firmware_unchanged(watch: Watch, ctx: Context) -> None:
    now = watch.info()["firmware"]
    assert now == ctx.values["installed_before_offer"], f"firmware {now} is installed, was {ctx.values['installed_before_offer']} before the refused offer"


@then("the offered firmware is installed")
def firmware_installed(watch: Watch, ctx: Context) -> None:
    now = watch.info()["firmware"]
    assert now == ctx.values["offered"], f"firmware {now} is installed, not the offered {ctx.values['offered']}"


# -- SEC-2: passwords and the guardian's settings ----------------------------------------


@given(parsers.parse('the guardian sets the lock password "{password}"'))
@when(parsers.parse('the guardian sets the lock password "{password}"'))
def guardian_sets_password(watch: Watch, password: str) -> None:
    watch.set_lock_password(password)


@when("the child locks the watch")
def child_locks(watch: Watch) -> None:
    watch.lock()


@when("the child tries each of the profile's default passwords")
def child_tries_defaults(watch: Watch, profile: Profile, ctx: Context) -> None:
    opened = []
    for password in profile.param("default_passwords"):
        try:
            watch.unlock(password)
        except Refused:
            continue
        opened.append(password)
        watch.lock()  # lock again, so that every password meets the lock screen
    ctx.values["opened_by"] = opened


@then("none of them unlocks the watch")
def none_unlocks(ctx: Context) -> None:
    assert "opened_by" in ctx.values, "no default password was tried"
    assert not ctx.values["opened_by"], f"the watch unlocked with the default password(s) {ctx.values['opened_by']}"


@when(parsers.parse('the child tries to unlock the watch with "{password}"'))
def child_unlocks(watch: Watch, ctx: Context, password: str) -> None:
    attempt(ctx, "unlocking the watch", lambda: watch.unlock(password))


@when("the watch is switched off and on again")
def power_cycle(watch: Watch) -> None:
    # Unlike the shared reboot step, the harness does not answer the power-on password here: that is what is judged.
    watch.reboot()


@when("the child tries to open every app but the basic functions")
def child_opens_every_gated_app(watch: Watch, profile: Profile, ctx: Context) -> None:
    attempt_each(ctx, gated_apps(watch, profile), lambda app_id: f"opening {app_id}", lambda app_id: watch.open_app(app_id))


@then("the watch does not deny asking for a password at power-on and at the lock screen")
def says_it_asks(watch: Watch) -> None:
    # The device's own report, checked beside the behaviour above: a watch that says it asks for no password is not believed to.
    status = watch.security_status()
    denied = [flag for flag in ("power_on_password", "lock_password") if status.get(flag) is False]
    assert not denied, f"by its own security status the watch does not ask for a password ({', '.join(denied)}: false)"


@when("the child tries to set a new lock password")
def child_sets_password(watch: Watch, ctx: Context) -> None:
    attempt(ctx, "the child setting the lock password", lambda: watch.set_lock_password(CHILD_CHOSEN_PASSWORD, role="child"))


# -- SEC-3: supervision and debug interfaces ----------------------------------------------


@when("the child tries to switch the guardian's supervision off")
def child_disables_supervision(watch: Watch, ctx: Context) -> None:
    attempt(ctx, "the child switching supervision off", watch.disable_supervision)


@when(parsers.re("the child tries to (?P<action>uninstall|force-stop) the guardian service"))
def child_removes_guardian(watch: Watch, ctx: Context, action: str) -> None:
    do = watch.uninstall_app if action == "uninstall" else watch.force_stop_app
    attempt(ctx, f"the child trying to {action} the guardian service", lambda: do(GUARDIAN_SERVICE))


@when(parsers.re("the child tries to (?P<action>uninstall|force-stop) every ordinary app"))
def child_removes_every_app(watch: Watch, profile: Profile, ctx: Context, action: str) -> None:
    # Whether each goes through does not matter (ordinary apps may be removed): supervision must outlast all of them.
    do = watch.uninstall_app if action == "uninstall" else watch.force_stop_app
    attempt_each(ctx, gated_apps(watch, profile), lambda app_id: f"the child trying to {action} {app_id}", do)


@when("the child tries to turn on debugging")
def child_enables_debug(watch: Watch, ctx: Context) -> None:
    attempt(ctx, "the child turning on debugging", watch.enable_debug)


@then("the watch has no debug interface open")
def no_debug(watch: Watch) -> None:
    status = watch.security_status()
    assert "debug_interfaces" in status, f"the watch's security status does not list its debug interfaces: {status}"
    assert not status["debug_interfaces"], f"debug interfaces are open: {status['debug_interfaces']}"


# -- SEC-4: the test agent ------------------------------------------------------------------

# What a guardian may do in the guardian's app, with harmless arguments; what would end the binding comes last.
GUARDIAN_OPERATIONS: dict[str, dict[str, Any]] = {
    "guardian.binding": {}, "guardian.verification_code": {}, "controls.get": {}, "usage.get": {},
    "controls.set_daily_limit": {"minutes": 600, "exempt": []}, "controls.set_periods": {"periods": None},
    "apps.list": {}, "apps.approve": {"app_id": "maths"}, "apps.set_enabled": {"app_id": "maths", "enabled": False},
    "permissions.get": {"app_id": "camera"}, "permissions.grant": {"app_id": "camera", "permission": "camera"},
    "payment.agreement": {}, "payment.status": {}, "payment.bill": {}, "payment.set_limits": {"per_transaction_yuan": 500, "per_month_yuan": 5000},
    "payment.consent": {"agreement_id": "any"}, "content.pool": {}, "content.approve_link": {"url": "https://example.com/"},
    "content.report": {"item_id": "any"}, "social.set_enabled": {"enabled": False}, "friends.list": {},
    "friends.approve": {}, "friends.remove": {}, "contacts.list": {},
    "contacts.add": {"number": "13924681357", "name": "Stranger"}, "contacts.set_exchange": {"enabled": True},
    "privacy.export": {}, "location.get": {}, "profile.get": {}, "privacy.consent": {}, "privacy.delete": {},
    "device.set_password": {"password": "Other-4821"}, "device.reboot": {}, "device.factory_reset": {},
    "guardian.bind": {}, "account.close": {},
}


def _intruder(watch: Watch, credential: str) -> Watch:
    # A second client on the same connection, carrying no token (or a wrong one); its exchanges go into
    # the scenario's evidence with the rest. It is not closed: the connection is the run's.
    intruder = Watch(watch.transport, auth=None if credential.startswith("without") else WRONG_TOKEN, app_ids=watch.to_device)
    intruder.transcript = watch.transcript
    return intruder


@when(parsers.re("a request (?P<credential>without the test-agent token|with a wrong test-agent token) asks for the device information"))
def unauthenticated_request(watch: Watch, ctx: Context, credential: str) -> None:
    attempt(ctx, f"device.info {credential}", _intruder(watch, credential).info)


@when(parsers.re("a request (?P<credential>without the test-agent token|with a wrong test-agent token) is sent for every operation the harness knows"))
def unauthenticated_sweep(watch: Watch, ctx: Context, credential: str) -> None:
    intruder = _intruder(watch, credential)
    outcomes = []
    for op in known_operations():
        try:
            intruder.call(op, "tester")
            outcomes.append((op, "answered"))
        except Refused as refusal:
            outcomes.append((op, refusal.code))
        except InconclusiveError as fault:  # bad_request, unknown_op ...: answered, and not as unauthenticated
            outcomes.append((op, type(fault).__name__))
    ctx.values["agent_sweep"] = outcomes


@then("the test agent refuses it as unauthenticated")
def refused_unauthenticated(ctx: Context) -> None:
    last = ctx.last
    assert not last.allowed, f"the test agent answered {last.action}: {last.result}"
    assert last.refusal is not None and last.refusal.code == "unauthenticated", f"{last.action} was refused as {last.refusal.code if last.refusal else None}, not as unauthenticated"


@then("the test agent refuses every one of them as unauthenticated")
def refused_each_unauthenticated(ctx: Context) -> None:
    outcomes = ctx.values.get("agent_sweep")
    assert outcomes, "no operation was sent"
    through = [f"{op} ({how})" for op, how in outcomes if how != "unauthenticated"]
    assert not through, f"{len(through)} of {len(outcomes)} operations were not refused as unauthenticated: {', '.join(through)}"


@when(parsers.re("(?P<who>a stranger without an account|the stranger with the account|a guardian account that is not the bound guardian) tries every guardian operation"))
def intruder_tries_guardian_operations(watch: Watch, declaration: Declaration, ctx: Context, who: str) -> None:
    if who.startswith("a guardian account"):
        # The guardian's role, as the guardian's app sends it, from an account the watch is not bound to: only the account tells it apart.
        role, account = "guardian", another_guardian_account(declaration)
    else:
        role, account = "stranger", None if who.endswith("without an account") else ctx.values["stranger"]
    attempt_each(ctx, list(GUARDIAN_OPERATIONS), lambda op: f"{op} by {who}", lambda op: watch.call(op, role, account=account, **GUARDIAN_OPERATIONS[op]))
