"""Safety core: the emergency call, charging, location reporting, who may call the watch."""

from __future__ import annotations

from emulator import clock
from emulator.defects import defect
from emulator.operations import Refusal, operation
from emulator.rules import time_limits
from emulator.rules.privacy import guard_child_data
from emulator.store import table
from emulator.watch import Call, ReferenceWatch, gate, on_reset

table("CREATE TABLE IF NOT EXISTS contacts (number TEXT PRIMARY KEY, name TEXT NOT NULL, source TEXT NOT NULL)")

GUARDIAN_NUMBER = "13800000001"
EMERGENCY_NUMBER = "110"

SOS_BLOCKED = defect("emergency_blocked_when_limited", ["CSW-SAF-1"], "The emergency call is refused once today's time is used up or at night, like any other app.", collateral={'CSW-ADD-1': 'ADD-1 keeps the basic functions when time is used up; the emergency call is one', 'CSW-ADD-2': 'outside the usable periods the basic functions stay, the emergency call among them', 'CSW-ADD-4': 'the night block must leave the emergency call'})
SOS_CHARGING = defect("emergency_blocked_while_charging", ["CSW-SAF-1", "CSW-SAF-2"], "While charging even the emergency call is refused.")
SOS_SOCIAL_OFF = defect("emergency_blocked_when_social_off", ["CSW-SAF-1"], "Switching social features off also switches off the emergency call (they share one messaging service).")
LOCATION_STALE = defect("location_stale", ["CSW-SAF-3"], "The guardian is shown the first position of the day, never updated as the child moves.")
SOS_SILENT_CHARGING = defect("emergency_not_put_through_while_charging", ["CSW-SAF-1", "CSW-SAF-2"], "While charging the emergency call is accepted but not put through (the radio sleeps on the charger): the watch answers that it did not connect.")
CHARGING_IGNORED = defect("usable_while_charging", ["CSW-SAF-2"], "The watch can be used normally while charging.")
LOCATION_OFF = defect("location_error_large", ["CSW-SAF-3"], "Reported location is about 300 m off.")
ANY_CALLER = defect("calls_from_anyone", ["CSW-SAF-4"], "Calls from numbers outside the guardian's contact list ring through.")
TAIL_MATCH = defect("caller_matched_by_tail", ["CSW-SAF-4"], "Incoming numbers are matched against the contacts by their last 8 digits only, so a number sharing the guardian's tail rings.")
EMERGENCY_NUMBER_UNDIALLED = defect("emergency_number_not_dialable", ["CSW-SAF-1"], "The phone app dials only the guardian's contacts: the emergency number is reachable from the SOS function alone.")
TIMER_WHILE_CHARGING = defect("stopwatch_usable_while_charging", ["CSW-SAF-2"], "The stopwatch counts as part of the watch face and opens while charging.")
RINGS_WHILE_CHARGING = defect("calls_ring_while_charging", ["CSW-SAF-2"], "Ordinary incoming calls ring (and can be answered) while the watch is charging.")
TAIL_DIGITS = 8  # what the caller_matched_by_tail defect compares


@on_reset
def _baseline(w: ReferenceWatch, args: dict) -> None:
    w.store.put_doc("location", {"lat": 39.9087, "lon": 116.3975})
    w.store.execute("INSERT INTO contacts(number, name, source) VALUES(?, 'Mum', 'guardian')", (GUARDIAN_NUMBER,))


@gate
def _charging(w: ReferenceWatch, call: Call, app_id: str) -> None:
    charging = w.store.doc("device")["charging"]
    if not charging or w.defective(CHARGING_IGNORED):
        return
    if app_id == "sos" and not w.defective(SOS_CHARGING):
        return
    if app_id == "stopwatch" and w.defective(TIMER_WHILE_CHARGING):
        return
    raise Refusal("charging", "only emergency calls while charging")


@operation("charging.set", roles=("tester",))
def charging_set(w: ReferenceWatch, call: Call) -> dict:
    device = w.store.doc("device")
    device["charging"] = call.arg("charging", bool)
    if device["charging"] and not w.defective(CHARGING_IGNORED):
        device["foreground"] = None
    w.store.put_doc("device", device)
    return {}


@operation("emergency.call", roles=("child",), app="sos")
def emergency_call(w: ReferenceWatch, call: Call) -> dict:
    if w.defective(SOS_BLOCKED):
        time_limits.time_gates(w, call, "emergency")
    if w.defective(SOS_SOCIAL_OFF) and not w.store.doc("social", {"enabled": True}).get("enabled", True):
        raise Refusal("disabled", "messaging services are off")
    if w.defective(SOS_SILENT_CHARGING) and w.store.doc("device")["charging"]:
        return {"connected": False, "number": EMERGENCY_NUMBER}
    return {"connected": True, "number": EMERGENCY_NUMBER}


@operation("location.simulate", roles=("tester",))
def location_simulate(w: ReferenceWatch, call: Call) -> dict:
    lat, lon = float(call.arg("lat", (int, float), minimum=-90, maximum=90)), float(call.arg("lon", (int, float), minimum=-180, maximum=180))
    if not w.defective(LOCATION_STALE):
        w.store.put_doc("location", {"lat": lat, "lon": lon})
    return {}


@operation("location.get", roles=("guardian", "stranger", "child"))
def location_get(w: ReferenceWatch, call: Call) -> dict:
    guard_child_data(w, call, "location")
    where = w.store.doc("location")
    lat, lon = where["lat"], where["lon"]
    if w.defective(LOCATION_OFF):
        lat += 0.0027  # about 300 m north
    return {"lat": lat, "lon": lon, "accuracy_m": 15.0, "at": clock.iso(w.now)}


def _is_contact(w: ReferenceWatch, number: str) -> bool:
    if w.defective(TAIL_MATCH):
        return any(r["number"][-TAIL_DIGITS:] == number[-TAIL_DIGITS:] for r in w.store.rows("SELECT number FROM contacts"))
    return w.store.one("SELECT 1 FROM contacts WHERE number = ?", (number,)) is not None


@operation("calls.incoming", roles=("tester",))
def calls_incoming(w: ReferenceWatch, call: Call) -> dict:
    """A call arrives: it rings only from the guardian's contacts, and not while charging (only emergency calls then)."""
    number = call.arg("number", str)
    charging = w.store.doc("device")["charging"] and not (w.defective(CHARGING_IGNORED) or w.defective(RINGS_WHILE_CHARGING))
    return {"rang": (_is_contact(w, number) or w.defective(ANY_CALLER)) and not charging}


@operation("calls.place", roles=("child",), app="phone")
def calls_place(w: ReferenceWatch, call: Call) -> dict:
    number = call.arg("number", str)
    if w.store.one("SELECT 1 FROM contacts WHERE number = ?", (number,)) is None and (number != EMERGENCY_NUMBER or w.defective(EMERGENCY_NUMBER_UNDIALLED)):
        raise Refusal("not_allowed", "calls go only to the guardian's contact list")
    return {"connected": True, "number": number}


@operation("contacts.list", roles=("guardian", "child"))
def contacts_list(w: ReferenceWatch, call: Call) -> dict:
    return {"contacts": [dict(r) for r in w.store.rows("SELECT number, name, source FROM contacts ORDER BY number")]}


@operation("contacts.add", roles=("guardian",))
def contacts_add(w: ReferenceWatch, call: Call) -> dict:
    w.store.execute("INSERT OR REPLACE INTO contacts(number, name, source) VALUES(?, ?, 'guardian')", (call.arg("number", str), call.arg("name", str)))
    return {}
