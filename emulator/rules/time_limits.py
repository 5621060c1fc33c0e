"""Addiction prevention: daily limits, usable periods, night hours, rest reminders, and the usage they are judged on.

Usage accrues while a non-basic app is in the foreground and trusted time
moves. All apps count together, per day in the guardian's time zone.
"""

from __future__ import annotations

from emulator import clock
from emulator.defects import defect
from emulator.operations import Refusal, operation
from emulator.rules.device import rule_time
from emulator.watch import BASIC_APPS, Call, ReferenceWatch, gate, on_tick

# The firmware's own defaults (a conformant maker's choice; the profile says what is acceptable).
DEFAULT_DAILY_MINUTES = ((8, 40), (14, 60))  # (under age, minutes)
NIGHT = ("22:00", "06:00")
REST_REMINDER_MINUTES = 30

LIMIT_IGNORED = defect("daily_limit_ignored", ["CSW-ADD-1"], "The guardian's daily limit is stored but never enforced (the firmware default still applies).", collateral={'CSW-ADD-6': "the tricks checked by ADD-6 are tried against the guardian's limit; a limit never enforced cannot hold against them either"})
LIMIT_BLOCKS_EXEMPT = defect("limit_blocks_exempted_apps", ["CSW-ADD-1"], "Apps the guardian exempted are blocked with the rest when the daily time is used up.")
PERIODS_IGNORED = defect("periods_ignored", ["CSW-ADD-2"], "Usable periods are stored but never enforced.")
NO_DEFAULT = defect("no_default_limit", ["CSW-ADD-3"], "With no limit set by the guardian, use is unlimited.")
NO_NIGHT = defect("no_night_curfew", ["CSW-ADD-4"], "No default night-time block.")
NO_REST = defect("no_rest_reminder", ["CSW-ADD-5"], "No reminder after continuous use.")
PER_APP = defect("usage_per_app", ["CSW-ADD-6"], "Used time is counted per app, so switching apps starts a fresh allowance.")


def _controls(w: ReferenceWatch) -> dict:
    return w.store.doc("controls", {"daily_limit_minutes": None, "exempt": [], "periods": None})


def _usage(w: ReferenceWatch) -> dict:
    return w.store.doc("usage", {"days": {}, "per_app": {}, "continuous": 0, "reminders": []})


def limit_seconds(w: ReferenceWatch) -> int | None:
    minutes = _controls(w)["daily_limit_minutes"]
    if minutes is not None and not w.defective(LIMIT_IGNORED):
        return int(minutes * 60)
    if w.defective(NO_DEFAULT):
        return None
    age = w.store.doc("device")["child_age"]
    for under, default in DEFAULT_DAILY_MINUTES:
        if age < under:
            return default * 60
    return None


def used_seconds(w: ReferenceWatch, app_id: str | None = None) -> int:
    usage, day = _usage(w), clock.local_day(rule_time(w))
    if w.defective(PER_APP) and app_id:
        return int(usage["per_app"].get(app_id, {}).get(day, 0))
    return int(usage["days"].get(day, 0))


@gate
def time_gates(w: ReferenceWatch, call: Call, app_id: str) -> None:
    if app_id in BASIC_APPS:
        return
    controls = _controls(w)
    exempt = app_id in controls["exempt"]
    limit = limit_seconds(w)
    if limit is not None and used_seconds(w, app_id) >= limit and (not exempt or w.defective(LIMIT_BLOCKS_EXEMPT)):
        raise Refusal("time_limit", "today's usable time is used up")
    if exempt:
        return
    minute = clock.minute_of_day(rule_time(w))
    periods = controls["periods"]
    if periods and not w.defective(PERIODS_IGNORED):
        if not any(clock.in_window(minute, clock.hhmm_to_minute(p["start"]), clock.hhmm_to_minute(p["end"])) for p in periods):
            raise Refusal("outside_period", "outside the usable periods the guardian set")
    if not w.defective(NO_NIGHT) and clock.in_window(minute, *(clock.hhmm_to_minute(t) for t in NIGHT)):
        raise Refusal("curfew", "the watch rests at night")


@on_tick
def _accrue(w: ReferenceWatch, before: float, step: float) -> None:
    device = w.store.doc("device")
    usage = _usage(w)
    app_id = device["foreground"]
    if app_id is None or app_id in BASIC_APPS:
        usage["continuous"] = 0
        w.store.put_doc("usage", usage)
        return
    day = clock.local_day(rule_time(w) - step)
    usage["days"][day] = usage["days"].get(day, 0) + step
    per_app = usage["per_app"].setdefault(app_id, {})
    per_app[day] = per_app.get(day, 0) + step
    usage["continuous"] += step
    if usage["continuous"] >= REST_REMINDER_MINUTES * 60 and not w.defective(NO_REST):
        usage["reminders"].append({"at": clock.iso(w.now), "kind": "rest", "after_minutes": usage["continuous"] // 60})
        usage["continuous"] = 0
    w.store.put_doc("usage", usage)
    try:
        w.check_app(Call("tick", "child", None, {}), app_id)
    except Refusal:
        device["foreground"] = None
        w.store.put_doc("device", device)


def _check_periods(periods: object) -> list[dict] | None:
    if periods is None:
        return None
    if not isinstance(periods, list) or not periods:
        raise Refusal("bad_request", "periods must be a non-empty list or null")
    for period in periods:
        try:
            clock.hhmm_to_minute(period["start"]), clock.hhmm_to_minute(period["end"])
        except (KeyError, TypeError, ValueError):
            raise Refusal("bad_request", "each period needs start and end as HH:MM") from None
    return [{"start": p["start"], "end": p["end"]} for p in periods]


@operation("controls.set_daily_limit", roles=("guardian",))
def set_daily_limit(w: ReferenceWatch, call: Call) -> dict:
    minutes = call.arg("minutes", int)
    if minutes is not None and not 1 <= minutes <= 24 * 60:
        raise Refusal("bad_request", "minutes must be between 1 and 1440, or null")
    exempt = call.arg("exempt", list, [])
    controls = _controls(w)
    controls.update(daily_limit_minutes=minutes, exempt=[str(a) for a in exempt])
    w.store.put_doc("controls", controls)
    return {}


@operation("controls.set_periods", roles=("guardian",))
def set_periods(w: ReferenceWatch, call: Call) -> dict:
    controls = _controls(w)
    controls["periods"] = _check_periods(call.arg("periods", None))
    w.store.put_doc("controls", controls)
    return {}


@operation("controls.get", roles=("guardian",))
def controls_get(w: ReferenceWatch, call: Call) -> dict:
    return _controls(w)


@operation("usage.get", roles=("guardian", "child"))
def usage_get(w: ReferenceWatch, call: Call) -> dict:
    usage = _usage(w)
    return {"used_seconds": used_seconds(w), "limit_seconds": limit_seconds(w), "continuous_seconds": int(usage["continuous"]), "reminders": usage["reminders"]}
