"""Safety core: the emergency call, charging, location reported to the guardian, and who may call the watch."""

from __future__ import annotations

import math

from pytest_bdd import given, parsers, then, when

from conformance.catalogue import Profile
from conformance.declaration import Declaration
from conformance.steps.common import Context, attempt
from device_adapters.watch import Watch

EARTH_RADIUS_M = 6_371_000.0


def haversine_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in metres; the harness computes it itself rather than trusting the device's accuracy figure."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(a))


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


# -- who may call the watch ----------------------------------------------------------


@when(parsers.parse('a call comes in from "{number}"'))
def call_from(watch: Watch, ctx: Context, number: str) -> None:
    ctx.values["incoming"] = (number, watch.incoming_call(number))


@when("a call comes in from the guardian's number")
def call_from_guardian(watch: Watch, declaration: Declaration, ctx: Context) -> None:
    number = declaration.ixit["guardian"].get("number")
    assert number, "the declaration gives no guardian number (ixit.guardian.number)"
    ctx.values["incoming"] = (number, watch.incoming_call(number))


@then("the watch rings")
def watch_rings(ctx: Context) -> None:
    number, reply = ctx.values["incoming"]
    assert reply.get("rang") is True, f"a call from {number} did not ring: {reply}"


@then("the watch does not ring")
def watch_does_not_ring(ctx: Context) -> None:
    number, reply = ctx.values["incoming"]
    assert reply.get("rang") is False, f"a call from {number}, not on the guardian's contact list, rang: {reply}"


@when(parsers.parse('the guardian adds "{number}" to the contacts'))
def guardian_adds_contact(watch: Watch, number: str) -> None:
    watch.add_contact(number, "Added by the guardian")


@when(parsers.parse('the child tries to add "{number}" to the contacts'))
def child_adds_contact(watch: Watch, ctx: Context, number: str) -> None:
    attempt(ctx, f"the child adding {number} to the contacts", lambda: watch.add_contact(number, "Added on the watch", role="child"))
