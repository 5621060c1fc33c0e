"""Personal information: the children's rules, the guardian's consent, who may see the child's data, the processing record,
the guardian's rights (export, delete, close), app permissions and biometrics.

Everything that processes the child's personal information leaves a row in
`processing_records`, so the tester can observe (not just be told) that
nothing was processed before the guardian consented.
"""

from __future__ import annotations

import math
import secrets
from collections.abc import Callable
from typing import Any

from emulator import clock
from emulator.defects import defect, variant
from emulator.operations import Refusal, operation
from emulator.rules.apps import app_row
from emulator.rules.device import on_wipe, wipe_child_data
from emulator.store import table
from emulator.watch import CHILD, Call, ReferenceWatch, on_reset, on_tick

table("CREATE TABLE IF NOT EXISTS processing_records (id INTEGER PRIMARY KEY, kind TEXT NOT NULL, at TEXT NOT NULL)")
table("CREATE TABLE IF NOT EXISTS location_history (id INTEGER PRIMARY KEY, lat REAL NOT NULL, lon REAL NOT NULL, epoch REAL NOT NULL, at TEXT NOT NULL)")
# Retention deletes by age at every report: without an index each tick scans a month of history.
table("CREATE INDEX IF NOT EXISTS location_history_epoch ON location_history(epoch)")
table("CREATE TABLE IF NOT EXISTS app_permissions (app_id TEXT NOT NULL, permission TEXT NOT NULL, state TEXT NOT NULL, PRIMARY KEY (app_id, permission))")
table("CREATE TABLE IF NOT EXISTS biometric_templates (account TEXT PRIMARY KEY, template TEXT NOT NULL, enrolled_at TEXT NOT NULL)")

# The firmware's own constants.
LOCATION_REPORT_SECONDS = 10 * 60  # the watch reports its position to the guardian this often
LOCATION_RETENTION_DAYS = 30  # location history older than this is deleted
PERMISSIONS = ("microphone", "camera", "location")
# What the guardian's privacy consent itself covers: the basic functions cannot work without these
# (calling the guardian needs the microphone, locating the child needs location). Nothing else, not
# even the camera app, gets a sensitive permission without a separate grant by the guardian.
CONSENT_COVERS = {("phone", "microphone"), ("locate", "location")}
# What a careless firmware grants out of the box (the permissions_granted_by_default defect).
FACTORY_GRANTS = {("camera", "camera"), ("assistant", "microphone"), ("social", "location")}
BIOMETRIC_SAMPLES = ("live", "photo", "mask", "replay")

NO_RULES = defect("no_privacy_rules", ["CSW-PRI-1"], "There are no privacy rules on the watch or in the guardian's app.")
GENERIC_RULES = defect("generic_privacy_rules", ["CSW-PRI-1"], "Only the maker's generic privacy policy is shown; nothing specific to children.")
EARLY_PROCESSING = defect("processing_before_consent", ["CSW-PRI-2"], "The watch reports its location to the cloud from first boot, before the guardian consents.")
DEFAULT_GRANTS = defect("permissions_granted_by_default", ["CSW-PRI-3"], "Preinstalled apps hold camera, microphone or location permissions out of the box.")
CHILD_GRANTS = defect("child_grants_permissions", ["CSW-PRI-3"], "The child can allow a permission on the watch without the guardian.")
EXPORT_INCOMPLETE = defect("export_incomplete", ["CSW-PRI-4"], "The data export holds only the profile, not the location history or messages.")
DELETE_KEEPS = defect("delete_keeps_data", ["CSW-PRI-4"], "Deleting the child's data (or closing the account) answers OK but the data stays.")
CLOSE_KEEPS_BINDING = defect("close_account_keeps_binding", ["CSW-PRI-4"], "Closing the account answers OK but the account stays bound and the guardian still sees the child's data.")
NO_LIVENESS = defect("no_liveness_check", ["CSW-PRI-5"], "Biometric verification has no presentation-attack detection: a photo, mask or replay unlocks.")
DEREGISTER_IGNORED = defect("deregister_ignored", ["CSW-PRI-5"], "De-registering a biometric answers OK but keeps the template, which still verifies.")
STRANGER_LOCATION = defect("stranger_sees_location", ["CSW-PRI-6"], "The child's location is answered to any account of the platform, strangers included.")
RULES_OMIT_LOCATION = defect("rules_omit_location", ["CSW-PRI-1"], "The children's rules list what is collected but leave out the watch's position, which it reports every ten minutes.")
UNBOUND_GUARDIAN = defect(
    "guardian_rights_unbound",
    ["CSW-PRI-4"],
    "Guardian operations check only the role, not that a guardian is bound: after the account is closed, the former guardian's app can still delete the child's data, close the account, give consent and set the password.",
)
SIGNED_IN_STRANGER = defect("signed_in_stranger_sees_child", ["CSW-PRI-6"], "Anonymous readers are refused, but any stranger signed in to the platform sees the child's location and profile.")
CLASSMATE_SEES = defect("other_child_sees_child", ["CSW-PRI-6"], "Strangers are refused, but any child's account of the platform (a classmate who is not a friend) sees the child's location and profile: the check asks only whether the caller is a child.")
REPORTS_ONLY_FROM_SETUP = defect("location_reports_only_from_setup", ["CSW-SAF-3"], "The periodic location report is scheduled only when the watch is set up already consented: a watch whose guardian consents later never reports its position on its own.")
OTHER_RULES = variant("other_privacy_rules", "The children's rules are written in Chinese only, under other headings and in other words (no 'purpose', no '目的').")

ExportPart = Callable[[ReferenceWatch], dict[str, Any]]
EXPORT_PARTS: list[ExportPart] = []


def on_export(fn: ExportPart) -> ExportPart:
    """Register a part of the guardian's data export (other modules add what they hold about the child, e.g. messages_count)."""
    EXPORT_PARTS.append(fn)
    return fn


# -- consent and the processing record ----------------------------------------------


@on_reset
def _baseline(w: ReferenceWatch, args: dict) -> None:
    start = clock.parse_iso(args["start"])
    w.store.put_doc("privacy", {"consent": args.get("setup", "bound") == "bound", "next_report": start + LOCATION_REPORT_SECONDS})


def _privacy(w: ReferenceWatch) -> dict:
    return w.store.doc("privacy", {"consent": False, "next_report": w.now + LOCATION_REPORT_SECONDS})


def consented(w: ReferenceWatch) -> bool:
    return bool(_privacy(w)["consent"])


def record_processing(w: ReferenceWatch, kind: str) -> None:
    """Note that the watch processed a kind of personal information (the observed side of PRI-2)."""
    w.store.execute("INSERT INTO processing_records(kind, at) VALUES(?, ?)", (kind, clock.iso(w.now)))


def is_bound_guardian(w: ReferenceWatch, call: Call) -> bool:
    """Whether the caller is the guardian this watch is bound to (absent `account`: the bound guardian, if any)."""
    guardian = w.store.doc("binding")["guardian"]
    return call.role == "guardian" and guardian is not None and call.account in (None, guardian)


def require_bound_guardian(w: ReferenceWatch, call: Call) -> None:
    """Refuse unless the caller is the guardian this watch is bound to (a closed or unbound account has no guardian rights)."""
    if not is_bound_guardian(w, call) and not w.defective(UNBOUND_GUARDIAN):
        raise Refusal("denied", "only the guardian this watch is bound to may do this")


def _shown_to_others(w: ReferenceWatch, call: Call, kind: str) -> bool:
    """The careless makers' ways of letting others see the child's data (defects only)."""
    if kind == "location" and w.defective(STRANGER_LOCATION):
        return True
    if kind in ("location", "profile") and call.role == "child" and w.defective(CLASSMATE_SEES):
        return True
    return kind in ("location", "profile") and call.role == "stranger" and call.account is not None and w.defective(SIGNED_IN_STRANGER)


def guard_child_data(w: ReferenceWatch, call: Call, kind: str, *, records: tuple[str, ...] = ()) -> None:
    """Only the child and the bound guardian see the child's data, and only after the guardian consented.

    `records`: the kinds of personal information the operation processes, when they are not just `kind`.
    """
    others = call.role == "stranger" or (call.role == "child" and not call.is_own_child)
    if others and not _shown_to_others(w, call, kind):
        raise Refusal("denied", f"the child's {kind} is not shown to others")
    if call.role == "guardian" and not is_bound_guardian(w, call):
        raise Refusal("denied", "only the guardian this watch is bound to sees the child's data")
    if not consented(w):
        raise Refusal("consent_required", f"no {kind} is processed before the guardian consents")
    for processed in records or (kind,):
        record_processing(w, processed)


@operation("privacy.records", roles=("tester",))
def privacy_records(w: ReferenceWatch, call: Call) -> dict:
    return {"records": [dict(r) for r in w.store.rows("SELECT kind, at FROM processing_records ORDER BY id")]}


@operation("privacy.consent", roles=("guardian",))
def privacy_consent(w: ReferenceWatch, call: Call) -> dict:
    """The bound guardian consents to the processing the children's rules describe; reporting starts from now."""
    require_bound_guardian(w, call)
    doc = _privacy(w)
    if not doc["consent"]:
        # The defective firmware leaves the report unscheduled: never due.
        doc.update(consent=True, next_report=math.inf if w.defective(REPORTS_ONLY_FROM_SETUP) else w.now + LOCATION_REPORT_SECONDS)
        w.store.put_doc("privacy", doc)
    return {"consent": True}


@on_tick
def _report_location(w: ReferenceWatch, before: float, step: float) -> None:
    """The watch reports its position to the guardian periodically, once the guardian has consented."""
    doc = _privacy(w)
    if w.now < doc["next_report"]:
        return
    # Reports missed while not allowed are skipped, not sent in a burst after consent.
    while doc["next_report"] <= w.now:
        doc["next_report"] += LOCATION_REPORT_SECONDS
    w.store.put_doc("privacy", doc)
    allowed = doc["consent"] and w.store.doc("binding")["guardian"] is not None
    if not allowed and not w.defective(EARLY_PROCESSING):
        return
    where = w.store.doc("location", {"lat": 0.0, "lon": 0.0})  # the position the safety rules keep
    w.store.execute("INSERT INTO location_history(lat, lon, epoch, at) VALUES(?, ?, ?, ?)", (where["lat"], where["lon"], w.now, clock.iso(w.now)))
    w.store.execute("DELETE FROM location_history WHERE epoch < ?", (w.now - LOCATION_RETENTION_DAYS * 86400,))
    record_processing(w, "location_report")


# -- the children's rules (PRI-1) ----------------------------------------------------

RULES_SECTIONS = {
    "collected": "We collect only what the watch's functions need: the child's nickname and age band, the watch's position, "
    "call and message records with contacts the guardian approved, and, if the guardian enables it, a face template for unlocking.",
    "purposes": "Position is used only to show the guardian where the child is and for the emergency call; records are used only "
    "to deliver calls and messages. Nothing is used for advertising or profiling, and nothing is shared with third parties except "
    "where the law requires.",
    "consent": "Nothing is processed before the guardian consents in the guardian app. The consent covers the microphone for calls "
    "with the guardian and location for locating the child; any other app needs the guardian's separate permission for the "
    "microphone, camera or location.",
    "retention": f"Position history is kept {LOCATION_RETENTION_DAYS} days, then deleted. Biometric templates stay on the watch and are "
    "deleted when the child de-registers or the data is deleted.",
    "guardian_rights": "The guardian can view and export all the child's data, delete it, withdraw from the service and close the "
    "account at any time in the guardian app; deletion takes effect at once.",
    "contact": "Questions and complaints: the personal-information protection officer, privacy@example-watch.cn.",
}
# Each kind of personal information the watch processes (the words its processing records begin with) and what it is for.
COLLECTED = {
    "location": "to show the guardian where the child is, and for the emergency call",
    "profile": "the child's nickname and age band, to set the age-appropriate controls and show the guardian's app whose watch it is",
    "messages": "to deliver messages between the child and contacts the guardian approved",
    "calls": "to connect calls with the guardian's contacts and the emergency call",
    "contacts": "the contact list the guardian keeps, so that only those numbers ring",
    "biometric": "a face template kept on the watch, only to unlock it, if the guardian enables it",
    "bill": "the child's payments, so that the guardian can see and limit them",
}
# The same rules as another maker might write them: Chinese only, its own headings and words.
OTHER_SECTIONS = {
    "我们处理哪些信息": "手表只处理实现功能所必需的信息：孩子的昵称和年龄段、手表所在位置、与监护人认可的联系人之间的通话和消息记录；"
    "监护人开启后，还有用于解锁的面部模板。",
    "这些信息用来做什么": "位置信息只用于让监护人看到孩子在哪里以及紧急呼叫；通话和消息记录只用于接通通话、送达消息。"
    "不用于广告或画像，除法律规定外不向任何第三方提供。",
    "监护人同意": "监护人在监护端同意之前，手表不处理任何信息。",
    "保存多久": f"位置记录保存{LOCATION_RETENTION_DAYS}天后删除。",
    "监护人可以做什么": "监护人可随时在监护端查阅、导出、删除孩子的全部信息，并注销账号。",
}
OTHER_COLLECTED = {
    "location": "让监护人看到孩子的位置；紧急呼叫",
    "profile": "昵称和年龄段：按年龄设置管控，并让监护端知道是谁的手表",
    "messages": "在孩子与监护人认可的联系人之间送达消息",
    "calls": "接通与监护人联系人的通话和紧急呼叫",
    "contacts": "监护人维护的通讯录：只有其中的号码能打进来",
    "biometric": "仅用于解锁的面部模板，保存在手表上",
    "bill": "孩子的支付记录，供监护人查看和限额",
}
# What an export processes: every kind of the child's data it takes out.
EXPORT_RECORDS = ("profile_export", "location_export", "messages_export", "biometric_export")


def _children_rules(w: ReferenceWatch) -> dict:
    if w.varies(OTHER_RULES):
        title, sections, collected = "儿童个人信息保护规则", OTHER_SECTIONS, OTHER_COLLECTED
        text = "\n".join(f"【{name}】{body}" for name, body in sections.items())
    else:
        title, sections, collected = "Rules for processing children's personal information", RULES_SECTIONS, COLLECTED
        text = "\n".join(f"{name.replace('_', ' ').capitalize()}: {body}" for name, body in sections.items())
    if w.defective(RULES_OMIT_LOCATION):
        collected = {kind: purpose for kind, purpose in collected.items() if kind != "location"}
    return {
        "title": title,
        "text": text,
        "children_specific": True,
        "shown_on": ["watch", "guardian_app"],
        "sections": dict(sections),
        "collected": [{"kind": kind, "purpose": purpose} for kind, purpose in collected.items()],
    }


@operation("privacy.rules", roles=("guardian", "child"))
def privacy_rules(w: ReferenceWatch, call: Call) -> dict:
    """The rules for processing children's personal information, as the watch and the guardian app show them."""
    if w.defective(NO_RULES):
        raise Refusal("not_found", "no privacy rules are provided")
    if w.defective(GENERIC_RULES):
        return {
            "title": "Privacy policy",
            "text": "We may collect information about how you use our products and share it with partners to improve our services.",
            "children_specific": False,
            "shown_on": ["website"],
            "sections": {},
            "collected": [{"kind": "usage", "purpose": "to improve our services"}],
        }
    return _children_rules(w)


# -- the guardian's rights (PRI-4) ---------------------------------------------------


@on_wipe
def _wipe(w: ReferenceWatch) -> None:
    w.store.execute("DELETE FROM location_history")
    w.store.execute("DELETE FROM biometric_templates")


def _erase(w: ReferenceWatch) -> None:
    if not w.defective(DELETE_KEEPS):
        wipe_child_data(w)


@operation("privacy.export", roles=("guardian",))
def privacy_export(w: ReferenceWatch, call: Call) -> dict:
    """Everything the watch and its platform hold about the child, for the guardian."""
    require_bound_guardian(w, call)
    guard_child_data(w, call, "export", records=EXPORT_RECORDS)
    binding = w.store.doc("binding")
    profile = {"account": binding["child"], "age": w.store.doc("device")["child_age"], "guardian": binding["guardian"]}
    if w.defective(EXPORT_INCOMPLETE):
        return {"data": {"profile": profile}}
    data: dict[str, Any] = {
        "profile": profile,
        "location_history": [dict(r) for r in w.store.rows("SELECT lat, lon, at FROM location_history ORDER BY id")],
        "messages_count": 0,  # the messaging rules add the real count through on_export
        "biometric_enrolled": w.store.one("SELECT 1 FROM biometric_templates WHERE account = ?", (CHILD,)) is not None,
        "permissions": [dict(r) for r in w.store.rows("SELECT app_id, permission, state FROM app_permissions ORDER BY app_id, permission")],
        "processing_records": [dict(r) for r in w.store.rows("SELECT kind, at FROM processing_records ORDER BY id")],
    }
    for part in EXPORT_PARTS:
        data.update(part(w))
    return {"data": data}


@operation("privacy.delete", roles=("guardian",))
def privacy_delete(w: ReferenceWatch, call: Call) -> dict:
    """Delete the child's data; the account, the binding and the guardian's controls stay."""
    require_bound_guardian(w, call)
    _erase(w)
    return {}


@operation("account.close", roles=("guardian",))
def account_close(w: ReferenceWatch, call: Call) -> dict:
    """Close the child's account: the data goes, the guardian is unbound and the consent with it."""
    require_bound_guardian(w, call)
    _erase(w)
    if w.defective(CLOSE_KEEPS_BINDING):
        return {}
    binding = w.store.doc("binding")
    binding["guardian"] = None
    w.store.put_doc("binding", binding)
    doc = _privacy(w)
    doc["consent"] = False
    w.store.put_doc("privacy", doc)
    w.store.execute("DELETE FROM app_permissions")
    return {}


# -- app permissions (PRI-3) ---------------------------------------------------------


def _permission_args(w: ReferenceWatch, call: Call) -> tuple[str, str]:
    app_id = app_row(w, call.arg("app_id", str))["app_id"]
    permission = call.arg("permission", str)
    if permission not in PERMISSIONS:
        raise Refusal("bad_request", f"permission must be one of {', '.join(PERMISSIONS)}")
    return app_id, permission


def granted(w: ReferenceWatch, app_id: str, permission: str) -> bool:
    """Whether `app_id` may use `permission` now."""
    if (app_id, permission) in CONSENT_COVERS and consented(w):
        return True
    if (app_id, permission) in FACTORY_GRANTS and w.defective(DEFAULT_GRANTS):
        return True
    state = w.store.scalar("SELECT state FROM app_permissions WHERE app_id = ? AND permission = ?", (app_id, permission))
    return state == "granted"


def _grant(w: ReferenceWatch, app_id: str, permission: str) -> None:
    w.store.execute(
        "INSERT INTO app_permissions(app_id, permission, state) VALUES(?, ?, 'granted') ON CONFLICT(app_id, permission) DO UPDATE SET state = 'granted'",
        (app_id, permission),
    )


@operation("permissions.get", roles=("guardian", "tester"))
def permissions_get(w: ReferenceWatch, call: Call) -> dict:
    app_id = app_row(w, call.arg("app_id", str))["app_id"]
    pending = [r["permission"] for r in w.store.rows("SELECT permission FROM app_permissions WHERE app_id = ? AND state = 'pending'", (app_id,))]
    return {"app_id": app_id, "permissions": {p: granted(w, app_id, p) for p in PERMISSIONS}, "pending": pending}


@operation("permissions.request", roles=("child",))
def permissions_request(w: ReferenceWatch, call: Call) -> dict:
    """An app asks for a permission on the watch: the request goes to the guardian's app."""
    app_id, permission = _permission_args(w, call)
    if granted(w, app_id, permission):
        return {"granted": True, "state": "granted"}
    if w.defective(CHILD_GRANTS):
        _grant(w, app_id, permission)
        return {"granted": True, "state": "granted"}
    w.store.execute("INSERT OR IGNORE INTO app_permissions(app_id, permission, state) VALUES(?, ?, 'pending')", (app_id, permission))
    return {"granted": False, "state": "pending_guardian"}


@operation("permissions.grant", roles=("guardian", "child"))
def permissions_grant(w: ReferenceWatch, call: Call) -> dict:
    """The guardian allows an app a permission. (The child is let in only to be refused, unless defective.)"""
    if call.role == "child":
        if not (call.is_own_child and w.defective(CHILD_GRANTS)):
            raise Refusal("denied", "only the guardian grants permissions")
    else:
        require_bound_guardian(w, call)
    app_id, permission = _permission_args(w, call)
    _grant(w, app_id, permission)
    return {"app_id": app_id, "permission": permission, "granted": True}


# -- biometrics (PRI-5) --------------------------------------------------------------


@operation("biometric.enroll", roles=("child",), feature="biometrics")
def biometric_enroll(w: ReferenceWatch, call: Call) -> dict:
    guard_child_data(w, call, "biometric")
    w.store.execute(
        "INSERT OR REPLACE INTO biometric_templates(account, template, enrolled_at) VALUES(?, ?, ?)",
        (CHILD, secrets.token_hex(16), clock.iso(w.now)),
    )
    return {"enrolled": True}


@operation("biometric.verify", roles=("child",), feature="biometrics")
def biometric_verify(w: ReferenceWatch, call: Call) -> dict:
    """Match a presented sample; anything but a live presentation of the enrolled child is a presentation attack."""
    sample = call.arg("sample", str)
    if sample not in BIOMETRIC_SAMPLES:
        raise Refusal("bad_request", f"sample must be one of {', '.join(BIOMETRIC_SAMPLES)}")
    guard_child_data(w, call, "biometric")
    if w.store.one("SELECT 1 FROM biometric_templates WHERE account = ?", (CHILD,)) is None:
        raise Refusal("not_found", "no biometric is enrolled")
    if sample != "live" and not w.defective(NO_LIVENESS):
        raise Refusal("bad_credentials", f"presentation attack detected ({sample})")
    return {"verified": True}


@operation("biometric.deregister", roles=("child",), feature="biometrics")
def biometric_deregister(w: ReferenceWatch, call: Call) -> dict:
    if not call.is_own_child:
        raise Refusal("denied", "only the enrolled child de-registers")
    if w.store.one("SELECT 1 FROM biometric_templates WHERE account = ?", (CHILD,)) is None:
        raise Refusal("not_found", "no biometric is enrolled")
    if not w.defective(DEREGISTER_IGNORED):
        w.store.execute("DELETE FROM biometric_templates WHERE account = ?", (CHILD,))
    return {"enrolled": False}
