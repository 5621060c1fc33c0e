"""The device itself and the test agent: baseline, clocks, identity, reboot, factory reset, guardian binding."""

from __future__ import annotations

import secrets
from datetime import date, datetime

from emulator import clock
from emulator.defects import defect
from emulator.operations import Refusal, operation
from emulator.watch import ALL_FEATURES, CHILD, GUARDIAN, Call, ReferenceWatch, on_reset

REBOOT_DROPS_CONTROLS = defect("reboot_drops_controls", ["CSW-ADD-8"], "A reboot restores the factory time controls (no limit, no periods).", collateral={'CSW-ADD-6': 'a reboot that drops the limit also gives the child fresh time', 'CSW-ADD-2': 'a reboot that drops the controls drops the usable periods too'})
RESET_DROPS_BINDING = defect("factory_reset_drops_binding", ["CSW-ADD-8"], "A factory reset started on the watch succeeds without the guardian and removes the guardian binding and limits.", collateral={'CSW-PAY-3': "a reset that drops the guardian takes the guardian's bill with it", 'CSW-SOC-5': "the code-reuse scenario starts with a factory reset, which drops the binding, so the watch is no longer bound to its guardian when it looks"})
CODE_REUSABLE = defect("verification_code_reusable", ["CSW-SOC-5"], "The guardian's verification code stays valid after it was used, so whoever saw it once can use it again.")
CODE_NEVER_EXPIRES = defect("verification_code_never_expires", ["CSW-SOC-5"], "The guardian's verification code never expires: one shown weeks ago still approves a re-binding.")
FORMER_GUARDIAN_REBINDS = defect("former_guardian_rebinds", ["CSW-SOC-5"], "After a re-binding, the former guardian's app binds the watch back without any verification.")
RESET_DROPS_PERIODS = defect("factory_reset_drops_periods", ["CSW-ADD-8"], "A factory reset keeps the binding and the daily limit but drops the usable periods and re-enables the apps the guardian disabled.")
CODE_SHOWN_TO_FORMER_GUARDIAN = defect("verification_code_shown_to_former_guardian", ["CSW-SOC-5"], "After a re-binding, the former guardian's app still shows the verification code, with which it can re-bind the watch back.")
CODE_NOT_RENEWED = defect("verification_code_not_renewed", ["CSW-SOC-5"], "Once the verification code is spent or has expired, the guardian's app keeps showing it instead of a new one: no verified re-binding goes through again.")
CLOCK_TRUSTED = defect("limits_follow_display_clock", ["CSW-ADD-6", "CSW-ADD-2", "CSW-ADD-4"], "Limits, periods and night hours are judged on the watch's display clock, which the child can change.")

# Reset hooks of other modules read this to wipe controls as a factory reset would.
FACTORY_CONTROL_DOCS = ("controls", "usage", "disabled_apps")
# A verification code approves one sensitive action, within this long of being shown (docs/protocol.md).
CODE_LIFETIME_S = 600


@on_reset
def _baseline(w: ReferenceWatch, args: dict) -> None:
    bound = args.get("setup", "bound") == "bound"
    binding = {"guardian": GUARDIAN if bound else None, "child": CHILD}
    new_code(w, binding)
    w.store.put_doc("binding", binding)


def new_code(w: ReferenceWatch, binding: dict) -> None:
    binding.update(verification_code=secrets.token_hex(3), code_issued_at=w.now, code_used=False)


def _code_live(w: ReferenceWatch, binding: dict) -> bool:
    fresh = w.now - binding["code_issued_at"] <= CODE_LIFETIME_S or w.defective(CODE_NEVER_EXPIRES)
    return fresh and (not binding["code_used"] or w.defective(CODE_REUSABLE))


def use_verification_code(w: ReferenceWatch, given: object) -> bool:
    """Whether `given` is the guardian's live code; a good one is spent (the guardian's app shows a new one next time)."""
    binding = w.store.doc("binding")
    # Compared as bytes: compare_digest refuses strings with characters beyond ASCII, which a wrong code may have.
    if not isinstance(given, str) or not _code_live(w, binding) or not secrets.compare_digest(given.encode("utf-8", "surrogatepass"), binding["verification_code"].encode("utf-8")):
        return False
    binding["code_used"] = True
    w.store.put_doc("binding", binding)
    return True


def rule_time(w: ReferenceWatch) -> float:
    """The time the watch judges its rules on: trusted time (or the display clock, when defective)."""
    doc = w.store.doc("clock")
    if w.defective(CLOCK_TRUSTED):
        # The display's wall time read as if it were the guardian's: clock and time-zone changes both move it.
        shown = datetime.fromtimestamp(doc["trusted"] + doc["display_offset"], clock.parse_tz(doc["display_tz"]))
        return shown.replace(tzinfo=clock.GUARDIAN_TZ).timestamp()
    return doc["trusted"]


def clock_state(w: ReferenceWatch) -> dict:
    doc = w.store.doc("clock")
    display_tz = clock.parse_tz(doc["display_tz"])
    return {"trusted": clock.iso(doc["trusted"]), "local": clock.iso(doc["trusted"] + doc["display_offset"], display_tz), "timezone": doc["display_tz"]}


@operation("agent.reset", roles=("tester",))
def agent_reset(w: ReferenceWatch, call: Call) -> dict:
    start = call.arg("start", str)
    age = call.arg("child_age", int, minimum=0, maximum=17)
    setup = call.arg("setup", str, "bound")
    birthdate = call.arg("child_birthdate", str, None)
    if setup not in ("bound", "fresh"):
        raise Refusal("bad_request", "setup must be 'bound' or 'fresh'")
    try:
        clock.parse_iso(start)
    except ValueError:
        raise Refusal("bad_request", f"start is not an ISO time: {start!r}") from None
    try:
        if birthdate is not None:
            date.fromisoformat(birthdate)
    except ValueError:
        raise Refusal("bad_request", f"child_birthdate is not an ISO date: {birthdate!r}") from None
    w.reset({"start": start, "child_age": age, "setup": setup, "child_birthdate": birthdate})
    return {}


@operation("clock.advance", roles=("tester",))
def clock_advance(w: ReferenceWatch, call: Call) -> dict:
    seconds = call.arg("seconds", (int, float), minimum=0, maximum=7 * 86400)
    w.advance(float(seconds))
    return clock_state(w)


@operation("clock.get", roles=("child", "guardian", "tester"))
def clock_get(w: ReferenceWatch, call: Call) -> dict:
    return clock_state(w)


@operation("clock.set_local", roles=("child",))
def clock_set_local(w: ReferenceWatch, call: Call) -> dict:
    doc = w.store.doc("clock")
    try:
        if "timezone" in call.args:
            clock.parse_tz(call.arg("timezone", str))
            doc["display_tz"] = call.args["timezone"]
        doc["display_offset"] = clock.parse_iso(call.arg("local", str)) - doc["trusted"]
    except (ValueError, IndexError):
        raise Refusal("bad_request", "local must be an ISO time and timezone an offset like +08:00") from None
    w.store.put_doc("clock", doc)
    return clock_state(w)


@operation("device.info", roles=("tester", "guardian"))
def device_info(w: ReferenceWatch, call: Call) -> dict:
    device = w.store.doc("device")
    return {"model": w.model, "firmware": device["firmware"], "protocol": 1, "features": [f for f in ALL_FEATURES if w.has(f)]}


@operation("device.reboot", roles=("child", "guardian"))
def device_reboot(w: ReferenceWatch, call: Call) -> dict:
    device = w.store.doc("device")
    device["foreground"] = None
    w.store.put_doc("device", device)
    if w.defective(REBOOT_DROPS_CONTROLS):
        w.store.execute("DELETE FROM documents WHERE name = 'controls'")
    for hook in REBOOT_HOOKS:
        hook(w)
    return {}


REBOOT_HOOKS: list = []


def on_reboot(fn):
    """Register what a module does when the watch powers on again (the security rules ask for the power-on password)."""
    REBOOT_HOOKS.append(fn)
    return fn


@operation("device.factory_reset", roles=("child", "guardian"))
def device_factory_reset(w: ReferenceWatch, call: Call) -> dict:
    """The child's data goes; the guardian binding and controls stay, which the cloud holds."""
    if call.role == "child" and not w.defective(RESET_DROPS_BINDING):
        if not use_verification_code(w, call.arg("guardian_password", str, None)):
            raise Refusal("verification_required", "a factory reset needs the guardian's verification")
    binding = w.store.doc("binding")
    wipe_child_data(w)
    if w.defective(RESET_DROPS_PERIODS):
        controls = w.store.doc("controls", {"daily_limit_minutes": None, "exempt": [], "periods": None})
        w.store.put_doc("controls", {**controls, "periods": None})
        w.store.execute("DELETE FROM documents WHERE name = 'disabled_apps'")
        w.store.execute("UPDATE apps SET enabled = 1")
    if w.defective(RESET_DROPS_BINDING):
        binding["guardian"] = None
        w.store.put_doc("binding", binding)
        for name in FACTORY_CONTROL_DOCS:
            w.store.execute("DELETE FROM documents WHERE name = ?", (name,))
    return {"guardian_bound": binding["guardian"] is not None}


WIPE_HOOKS: list = []


def on_wipe(fn):
    """Register what a module deletes when the child's data is wiped (factory reset, re-binding, account closure)."""
    WIPE_HOOKS.append(fn)
    return fn


def wipe_child_data(w: ReferenceWatch) -> None:
    for hook in WIPE_HOOKS:
        hook(w)


@operation("guardian.binding", roles=("tester", "guardian"))
def guardian_binding(w: ReferenceWatch, call: Call) -> dict:
    binding = w.store.doc("binding")
    controls = w.store.doc("controls")
    return {"guardian": binding["guardian"], "bound": binding["guardian"] is not None, "daily_limit_minutes": controls.get("daily_limit_minutes")}


@operation("guardian.bind", roles=("guardian",), guardian_account="candidate")
def guardian_bind(w: ReferenceWatch, call: Call) -> dict:
    """A guardian (the envelope's account; the harness's own guardian by default) binds an unbound watch."""
    binding = w.store.doc("binding")
    guardian = call.account or GUARDIAN
    # The one way back for a former guardian is the current guardian's re-binding (account.rebind), with its code.
    former_comes_back = w.defective(FORMER_GUARDIAN_REBINDS) and guardian == GUARDIAN
    if binding["guardian"] not in (None, guardian) and not former_comes_back:
        raise Refusal("verification_required", "the watch is bound to another guardian")
    binding["guardian"] = guardian
    w.store.put_doc("binding", binding)
    return {}


@operation("guardian.verification_code", roles=("guardian",))
def guardian_verification_code(w: ReferenceWatch, call: Call) -> dict:
    """The code the bound guardian's app shows: the same until it is used or expires, then a new one."""
    binding = w.store.doc("binding")
    asker = call.account or GUARDIAN
    shown_to_former = w.defective(CODE_SHOWN_TO_FORMER_GUARDIAN) and asker == GUARDIAN
    if binding["guardian"] is None or (asker != binding["guardian"] and not shown_to_former):
        raise Refusal("denied", "only the bound guardian's app shows a verification code")
    if not _code_live(w, binding) and not w.defective(CODE_NOT_RENEWED):
        new_code(w, binding)
        w.store.put_doc("binding", binding)
    return {"code": binding["verification_code"]}
