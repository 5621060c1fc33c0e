"""Addiction prevention: daily limits, usable periods, night hours, rest reminders, and the usage they are judged on.

Usage accrues while a non-basic app is in the foreground and trusted time
moves. All apps count together, per day in the guardian's time zone.
"""

from __future__ import annotations

from datetime import date

from emulator import clock
from emulator.defects import defect, variant
from emulator.operations import Refusal, operation
from emulator.rules.device import rule_time
from emulator.watch import BASIC_APPS, Call, ReferenceWatch, gate, on_reset, on_tick

# The firmware's own defaults (a conformant maker's choice; the profile says what is acceptable).
# (under age, minutes); ages past the last band keep the last band's limit, the nearest band's.
DEFAULT_DAILY_MINUTES = ((8, 40), (14, 60))
NIGHT = ("22:00", "06:00")
REST_REMINDER_MINUTES = 30
# A pause this long with no app in the foreground is a break: continuous use starts again after it.
BREAK_MINUTES = 5

STRICTER = variant("stricter_time_limits", "A stricter firmware: night hours 21:00-07:00 and lower default daily limits (30 minutes under 8, 45 minutes from 8).")
STRICTER_DEFAULT_DAILY_MINUTES = ((8, 30), (14, 45))
STRICTER_NIGHT = ("21:00", "07:00")
LOCKS_EARLY = variant("limit_locks_early", "Apps close when less than a minute of the daily time is left (up to 59 s before it is used up); the usage reported is the time truly used.")

LIMIT_IGNORED = defect("daily_limit_ignored", ["CSW-ADD-1"], "The guardian's daily limit is stored but never enforced (the firmware default still applies).", collateral={'CSW-ADD-6': "the tricks checked by ADD-6 are tried against the guardian's limit; a limit never enforced cannot hold against them either"})
LIMIT_BLOCKS_EXEMPT = defect("limit_blocks_exempted_apps", ["CSW-ADD-1"], "Apps the guardian exempted are blocked with the rest when the daily time is used up.")
LIMIT_LOCKS_MINUTES_EARLY = defect("limit_locks_minutes_early", ["CSW-ADD-1"], "Apps close three minutes before the guardian's daily time is used up, so the child never gets the time the guardian set.", collateral={"CSW-ADD-6": "apps closed three minutes early leave the usage the guardian sees three minutes short of the limit"})
LIMIT_FIRST_DAY_ONLY = defect("limit_first_day_only", ["CSW-ADD-1"], "The guardian's daily limit holds only on the day it was set; from the next day the firmware default applies.")
GATES_AT_OPEN_ONLY = defect("limit_checked_at_open_only", ["CSW-ADD-1"], "The daily limit is checked only when an app opens: an app left open runs on after the time is used up.")
PERIODS_IGNORED = defect("periods_ignored", ["CSW-ADD-2"], "Usable periods are stored but never enforced.", collateral={"CSW-ADD-8": "that periods survive a factory reset is judged by their still closing the watch, which periods never enforced cannot do"})
PERIODS_BLOCK_EXEMPT = defect("periods_block_exempted_apps", ["CSW-ADD-2"], "Apps the guardian exempted are blocked outside the usable periods (and at night) with the rest.")
PERIOD_END_INCLUSIVE = defect("period_end_inclusive", ["CSW-ADD-2"], "A usable period still lets apps open in its end minute (the end is taken as inclusive).")
LIMIT_FLOOR = defect("daily_limit_floor", ["CSW-ADD-1"], "The guardian cannot set a daily limit under 5 minutes (refused as not allowed), though the declaration says the shortest is 1 minute.")
NO_DEFAULT = defect("no_default_limit", ["CSW-ADD-3"], "With no limit set by the guardian, use is unlimited.")
AGE_BAND_OFF_BY_ONE = defect("age_band_off_by_one", ["CSW-ADD-3"], "The age bands' boundaries are a year early: 7-year-olds get the 8-13 default and 13-year-olds none.")
AGE_FROM_BIRTH_YEAR = defect("age_from_birth_year", ["CSW-ADD-3"], "The child's age is the difference of the years, so a child moves to the next age band on 1 January rather than on the birthday.")
NO_NIGHT = defect("no_night_curfew", ["CSW-ADD-4"], "No default night-time block.")
NIGHT_SPARES_LIBRARY = defect("night_spares_library", ["CSW-ADD-4"], "The library app (content) ignores night hours; every other app rests.")
NIGHT_ENDS_EARLY = defect("night_ends_a_minute_early", ["CSW-ADD-4"], "The night ends a minute before the profile's night end (apps open in its last minute).")
NO_REST = defect("no_rest_reminder", ["CSW-ADD-5"], "No reminder after continuous use.")
REST_EARLY = defect("rest_reminder_early", ["CSW-ADD-5"], "The rest reminder comes after a third of the continuous-use time.")
REST_RESET_BY_SWITCH = defect("rest_restarts_on_app_switch", ["CSW-ADD-5"], "Switching to another app restarts continuous use, so a child who switches apps is never reminded.")
REST_RESET_BY_PAUSE = defect("rest_restarts_on_any_pause", ["CSW-ADD-5"], "Any pause, even of seconds, counts as a break: closing and reopening the app avoids the reminder.")
REST_ONCE = defect("rest_reminder_once", ["CSW-ADD-5"], "Continuous use is not started again after a rest reminder: the count runs on, so a child who keeps going is reminded once and never again until a break.")
REST_IGNORES_BREAKS = defect("rest_ignores_breaks", ["CSW-ADD-5"], "Breaks do not restart continuous use: the reminder comes early after a break.")
PER_APP = defect("usage_per_app", ["CSW-ADD-6"], "Used time is counted per app, so switching apps starts a fresh allowance.", collateral={"CSW-ADD-1": "when the guardian's time is used up in one app, every other app still has its own allowance", "CSW-ADD-3": "when the default time is used up in one app, every other app still has its own allowance"})


def _controls(w: ReferenceWatch) -> dict:
    return w.store.doc("controls", {"daily_limit_minutes": None, "exempt": [], "periods": None})


def _usage(w: ReferenceWatch) -> dict:
    return w.store.doc("usage", {"days": {}, "per_app": {}, "continuous": 0, "idle": 0, "continuous_app": None, "reminders": []})


@on_reset
def _child_birthdate(w: ReferenceWatch, args: dict) -> None:
    birthdate = args.get("child_birthdate")
    w.store.put_doc("child", {"birthdate": birthdate})


def child_age(w: ReferenceWatch) -> int:
    """The child's age today (trusted time): from the birth date where the tester gave one, else the age given at reset."""
    birthdate = w.store.doc("child", {"birthdate": None})["birthdate"]
    if birthdate is None:
        return int(w.store.doc("device")["child_age"])
    born, today = date.fromisoformat(birthdate), date.fromisoformat(clock.local_day(rule_time(w)))
    if w.defective(AGE_FROM_BIRTH_YEAR):
        return today.year - born.year
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def default_limit_seconds(w: ReferenceWatch) -> int | None:
    if w.defective(NO_DEFAULT):
        return None
    bands = STRICTER_DEFAULT_DAILY_MINUTES if w.varies(STRICTER) else DEFAULT_DAILY_MINUTES
    age = child_age(w) + (1 if w.defective(AGE_BAND_OFF_BY_ONE) else 0)
    for under, default in bands:
        if age < under:
            return default * 60
    if w.defective(AGE_BAND_OFF_BY_ONE):
        return None
    return bands[-1][1] * 60


def limit_seconds(w: ReferenceWatch) -> int | None:
    controls = _controls(w)
    minutes = controls["daily_limit_minutes"]
    first_day_over = w.defective(LIMIT_FIRST_DAY_ONLY) and controls.get("set_on") not in (None, clock.local_day(rule_time(w)))
    if minutes is not None and not w.defective(LIMIT_IGNORED) and not first_day_over:
        return int(minutes * 60)
    return default_limit_seconds(w)


def used_seconds(w: ReferenceWatch, app_id: str | None = None) -> int:
    usage, day = _usage(w), clock.local_day(rule_time(w))
    if w.defective(PER_APP) and app_id:
        return int(usage["per_app"].get(app_id, {}).get(day, 0))
    return int(usage["days"].get(day, 0))


def _time_is_up(w: ReferenceWatch, app_id: str) -> bool:
    limit = limit_seconds(w)
    if limit is None:
        return False
    if w.defective(LIMIT_LOCKS_MINUTES_EARLY) and _controls(w)["daily_limit_minutes"] is not None:
        limit -= 180
    elif w.varies(LOCKS_EARLY):
        limit -= 59  # it starts no minute it cannot give in full
    return used_seconds(w, app_id) >= limit


def night_window(w: ReferenceWatch) -> tuple[int, int]:
    start, end = (clock.hhmm_to_minute(t) for t in (STRICTER_NIGHT if w.varies(STRICTER) else NIGHT))
    return start, end - (1 if w.defective(NIGHT_ENDS_EARLY) else 0)


@gate
def time_gates(w: ReferenceWatch, call: Call, app_id: str) -> None:
    if app_id in BASIC_APPS:
        return
    controls = _controls(w)
    exempt = app_id in controls["exempt"]
    if _time_is_up(w, app_id) and (not exempt or w.defective(LIMIT_BLOCKS_EXEMPT)):
        raise Refusal("time_limit", "today's usable time is used up")
    if exempt and not w.defective(PERIODS_BLOCK_EXEMPT):
        return
    minute = clock.minute_of_day(rule_time(w))
    periods = controls["periods"]
    if periods and not w.defective(PERIODS_IGNORED):
        end_slack = 1 if w.defective(PERIOD_END_INCLUSIVE) else 0
        if not any(clock.in_window(minute, clock.hhmm_to_minute(p["start"]), clock.hhmm_to_minute(p["end"]) + end_slack) for p in periods):
            raise Refusal("outside_period", "outside the usable periods the guardian set")
    spared_at_night = w.defective(NO_NIGHT) or (app_id == "content" and w.defective(NIGHT_SPARES_LIBRARY))
    if not spared_at_night and clock.in_window(minute, *night_window(w)):
        raise Refusal("curfew", "the watch rests at night")


def _rest(w: ReferenceWatch, usage: dict, app_id: str | None, step: float) -> None:
    """Continuous use: grows while a non-basic app is in the foreground; a break of BREAK_MINUTES restarts it."""
    if app_id is None or app_id in BASIC_APPS:
        usage["idle"] = usage.get("idle", 0) + step
        if (usage["idle"] >= BREAK_MINUTES * 60 and not w.defective(REST_IGNORES_BREAKS)) or w.defective(REST_RESET_BY_PAUSE):
            usage["continuous"] = 0
        return
    usage["idle"] = 0
    if w.defective(REST_RESET_BY_SWITCH) and usage.get("continuous_app") != app_id:
        usage["continuous"] = 0
    usage["continuous_app"] = app_id
    usage["continuous"] += step
    due = REST_REMINDER_MINUTES * 60 // (3 if w.defective(REST_EARLY) else 1)
    if w.defective(REST_ONCE):
        if usage["continuous"] - step < due <= usage["continuous"]:  # only as the count crosses the time, which it does once
            usage["reminders"].append({"at": clock.iso(w.now), "kind": "rest", "after_minutes": int(usage["continuous"] // 60)})
        return
    if usage["continuous"] >= due and not w.defective(NO_REST):
        usage["reminders"].append({"at": clock.iso(w.now), "kind": "rest", "after_minutes": int(usage["continuous"] // 60)})
        usage["continuous"] = 0


@on_tick
def _accrue(w: ReferenceWatch, before: float, step: float) -> None:
    device = w.store.doc("device")
    usage = _usage(w)
    app_id = device["foreground"]
    _rest(w, usage, app_id, step)
    if app_id is None or app_id in BASIC_APPS:
        w.store.put_doc("usage", usage)
        return
    day = clock.local_day(rule_time(w) - step)
    usage["days"][day] = usage["days"].get(day, 0) + step
    per_app = usage["per_app"].setdefault(app_id, {})
    per_app[day] = per_app.get(day, 0) + step
    w.store.put_doc("usage", usage)
    if w.defective(GATES_AT_OPEN_ONLY):
        return
    try:
        w.check_app(Call("tick", "child", None, {}), app_id)
    except Refusal:
        device["foreground"] = None
        w.store.put_doc("device", device)


def _periods(periods: list) -> list[dict]:
    """The guardian's usable periods, read from the `periods` argument (what is not readable raises)."""
    if not periods:
        raise ValueError("periods must be a non-empty list or null")
    for period in periods:
        try:
            clock.hhmm_to_minute(period["start"]), clock.hhmm_to_minute(period["end"])
        except (KeyError, TypeError, ValueError, AttributeError):
            raise ValueError("each period needs start and end as HH:MM") from None
    return [{"start": p["start"], "end": p["end"]} for p in periods]


@operation("controls.set_daily_limit", roles=("guardian",))
def set_daily_limit(w: ReferenceWatch, call: Call) -> dict:
    minutes = call.arg("minutes", int, nullable=True, minimum=1, maximum=24 * 60)
    if minutes is not None and minutes < 5 and w.defective(LIMIT_FLOOR):
        raise Refusal("not_allowed", "the shortest daily limit is 5 minutes")
    exempt = call.arg("exempt", list, [], items=str)
    controls = _controls(w)
    controls.update(daily_limit_minutes=minutes, exempt=[str(a) for a in exempt], set_on=clock.local_day(rule_time(w)))
    w.store.put_doc("controls", controls)
    return {}


@operation("controls.set_periods", roles=("guardian",))
def set_periods(w: ReferenceWatch, call: Call) -> dict:
    controls = _controls(w)
    controls["periods"] = call.arg("periods", list, nullable=True, parse=_periods)
    w.store.put_doc("controls", controls)
    return {}


@operation("controls.get", roles=("guardian",))
def controls_get(w: ReferenceWatch, call: Call) -> dict:
    controls = _controls(w)
    return {key: controls[key] for key in ("daily_limit_minutes", "exempt", "periods")}


@operation("usage.get", roles=("guardian", "child"))
def usage_get(w: ReferenceWatch, call: Call) -> dict:
    usage = _usage(w)
    return {"used_seconds": used_seconds(w), "limit_seconds": limit_seconds(w), "continuous_seconds": int(usage["continuous"]), "reminders": usage["reminders"]}
