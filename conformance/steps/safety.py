"""Safety core: the emergency call, charging, location reported to the guardian, and who may call the watch."""

from __future__ import annotations

import math
from datetime import datetime, timedelta

from pytest_bdd import given, parsers, then, when

from conformance.catalogue import Profile
from conformance.declaration import BASIC_FUNCTION_APPS, Declaration
from conformance.steps.common import Context, attempt, attempt_each, gated_apps
from device_adapters.errors import InconclusiveError, MalformedReply
from device_adapters.watch import Watch

EARTH_RADIUS_M = 6_371_000.0
EMERGENCY_FUNCTION = "emergency_call"  # the basic function that works while charging
# The longest a consented watch may go without reporting its position on its own (docs/protocol.md section 5).
LOCATION_REPORT_MAX_S = 30 * 60


def haversine_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in metres; the harness computes it itself rather than trusting the device's accuracy figure."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(a))


# -- the emergency call --------------------------------------------------------------


@then("the emergency call goes through")
def emergency_connects(ctx: Context) -> None:
    last = ctx.last
    assert last.allowed, f"{last.action} was refused: {last.refusal}"
    assert last.result is not None
    # The call's only outcome DTP carries: a watch answering that it did not connect says itself the call failed.
    if "connected" not in last.result:
        raise MalformedReply(f"the reply to emergency.call has no field 'connected' (has {', '.join(sorted(last.result)) or 'nothing'})")
    assert last.result["connected"] is True, f"the watch took the emergency call but answers that it did not connect: {last.result}"


@when("the child dials the emergency number from the phone app")
def child_dials_emergency_number(watch: Watch, ctx: Context) -> None:
    # Calls go to the contact list and the emergency number (docs/protocol.md, calls.place); the number is the one the
    # emergency call itself reports, as it arrives in a reply (never a literal the watch could compare by identity).
    number = watch.emergency_call().get("number")
    if not isinstance(number, str) or not number:
        raise MalformedReply(f"the reply to emergency.call gives no number to dial (number: {number})")
    attempt(ctx, f"dialling the emergency number {number} from the phone app", lambda: watch.call_number(number))


# -- social switch (the emergency call must not depend on it) ------------------------


@given("the guardian switches social features off")
def guardian_switches_social_off(watch: Watch) -> None:
    watch.set_social_enabled(False)


# -- charging ------------------------------------------------------------------------


@when("the watch starts charging")
def starts_charging(watch: Watch, ctx: Context) -> None:
    # Remember the used time, so a later step can tell whether anything kept running.
    ctx.values["used_before_charging"] = watch.usage()["used_seconds"]
    watch.set_charging(True)


@when("the child tries to open every app but the emergency call")
def child_opens_all_but_sos(watch: Watch, profile: Profile, ctx: Context) -> None:
    # Every package (hidden ones too) and the other basic functions: while charging only the emergency call is spared.
    basic = [BASIC_FUNCTION_APPS[f] for f in profile.param("basic_functions") if f in BASIC_FUNCTION_APPS and f != EMERGENCY_FUNCTION]
    attempt_each(ctx, gated_apps(watch, profile) + basic, lambda app_id: f"opening {app_id}", lambda app_id: watch.open_app(app_id))


@when("charging ends")
def charging_ends(watch: Watch) -> None:
    watch.set_charging(False)


@then("the watch counted no use while charging")
def no_use_while_charging(watch: Watch, ctx: Context) -> None:
    before = ctx.values["used_before_charging"]
    used = watch.usage()["used_seconds"]
    assert used <= before, f"the watch counted {used - before} s of app use while charging: the app the child had open kept running"


# -- location ------------------------------------------------------------------------


@when(parsers.parse("the watch is outdoors at latitude {lat:g}, longitude {lon:g}"))
def watch_at(watch: Watch, ctx: Context, lat: float, lon: float) -> None:
    watch.simulate_location(lat, lon)
    ctx.values["true_location"] = (lat, lon)


@then("the guardian sees the watch within the profile's location error")
def guardian_sees_location(watch: Watch, profile: Profile, ctx: Context) -> None:
    lat, lon = ctx.values["true_location"]
    seen = watch.location(role="guardian")
    error = haversine_m(lat, lon, seen["lat"], seen["lon"])
    allowed = float(profile.param("location_max_error_m"))
    assert error <= allowed, f"the guardian sees the watch {error:.0f} m from where it is ({seen['lat']}, {seen['lon']}); the profile allows {allowed:.0f} m"


@then(parsers.parse("the watch has reported its position on its own within the last {minutes:d} minutes"))
def reported_on_its_own(watch: Watch, minutes: int) -> None:
    # Nobody asked for the position in the scenario, so any processing of it in the window is a report of the watch's own.
    assert minutes * 60 >= LOCATION_REPORT_MAX_S, f"the scenario's window is shorter than the {LOCATION_REPORT_MAX_S // 60} minutes a watch may go between reports"
    now = datetime.fromisoformat(watch.clock()["trusted"])
    since = now - timedelta(minutes=minutes)
    times = []
    for record in watch.processing_records():
        if "location" not in str(record.get("kind", "")):
            continue
        try:
            at = datetime.fromisoformat(str(record.get("at")))
        except ValueError:
            at = None
        if at is None or at.tzinfo is None:
            raise MalformedReply(f"a record of privacy.records has 'at' {record.get('at')!r}, not an ISO time with an offset")
        times.append(at)
    # A report exactly a whole window ago is already due again: the window is open at that end.
    recent = [t for t in times if since < t <= now]
    last = max(times).isoformat() if times else "never"
    assert recent, f"the guardian consented, yet the watch made no location report after {since.isoformat()} and by {now.isoformat()} (last report: {last})"


# -- who may call the watch ----------------------------------------------------------


def _declared_guardian_number(declaration: Declaration) -> str:
    number = declaration.ixit["guardian"].get("number")
    assert number, "the declaration gives no guardian number (ixit.guardian.number)"
    return str(number)


def _known_numbers(watch: Watch, declaration: Declaration) -> set[str]:
    """Every number the watch may know: the declared guardian's and every contact on the watch."""
    return {_declared_guardian_number(declaration)} | {str(c.get("number")) for c in watch.contacts()}


def _unknown_number(watch: Watch, declaration: Declaration, ctx: Context) -> str:
    """A mobile number that is none of the declared or listed ones (the same one for the whole scenario)."""
    if "unknown_number" not in ctx.values:
        known = _known_numbers(watch, declaration)
        ctx.values["unknown_number"] = next(n for n in (f"139{k:08d}" for k in range(24681357, 24681357 + 1000)) if n not in known)
    return ctx.values["unknown_number"]


def _varied(number: str, how: str) -> str:
    """The guardian's number changed where a careless comparison does not look (one digit differs)."""
    digits = list(number)
    position = len(digits) - 1 if how == "its last digit" else next((i for i, d in enumerate(digits) if d.isdigit() and i > 0), 0)
    digits[position] = str((int(digits[position]) + 1) % 10) if digits[position].isdigit() else "1"
    return "".join(digits)


def _ring(watch: Watch, ctx: Context, number: str) -> None:
    ctx.values["incoming"] = (number, watch.incoming_call(number))


@when("a call comes in from a number not on the contact list")
@when("a call comes in from that number")
def call_from_unknown(watch: Watch, declaration: Declaration, ctx: Context) -> None:
    _ring(watch, ctx, _unknown_number(watch, declaration, ctx))


@when(parsers.re("a call comes in from the guardian's number with (?P<how>its last digit|its second digit) changed"))
def call_from_near_guardian(watch: Watch, declaration: Declaration, ctx: Context, how: str) -> None:
    number = _varied(_declared_guardian_number(declaration), how)
    if number in _known_numbers(watch, declaration):
        raise InconclusiveError(f"{number} is itself on the watch's contact list: cannot try a number next to the guardian's")
    _ring(watch, ctx, number)


@when("a call comes in from the guardian's number")
def call_from_guardian(watch: Watch, declaration: Declaration, ctx: Context) -> None:
    _ring(watch, ctx, _declared_guardian_number(declaration))


@then("the watch rings")
def watch_rings(ctx: Context) -> None:
    number, reply = ctx.values["incoming"]
    assert reply.get("rang") is True, f"a call from {number} did not ring: {reply}"


@then("the watch does not ring")
def watch_does_not_ring(ctx: Context) -> None:
    number, reply = ctx.values["incoming"]
    assert reply.get("rang") is False, f"a call from {number} rang, which the clause does not allow here: {reply}"


@when("the guardian adds that number to the contacts")
def guardian_adds_contact(watch: Watch, declaration: Declaration, ctx: Context) -> None:
    watch.add_contact(_unknown_number(watch, declaration, ctx), "Added by the guardian")


@when("the child tries to add that number to the contacts")
def child_adds_contact(watch: Watch, declaration: Declaration, ctx: Context) -> None:
    number = _unknown_number(watch, declaration, ctx)
    attempt(ctx, f"the child adding {number} to the contacts", lambda: watch.add_contact(number, "Added on the watch", role="child"))
