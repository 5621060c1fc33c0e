"""Addiction prevention and time limits: daily duration, usable periods, night hours, rest reminders, and the tricks around them."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from pytest_bdd import given, parsers, then, when

from conformance.catalogue import Profile
from conformance.declaration import Declaration
from conformance.steps.common import Context, attempt, pass_time
from device_adapters.errors import InconclusiveError
from device_adapters.watch import Watch

# An ordinary app every watch has; its use counts against the child's time.
EVERYDAY_APP = "maths"


def _minute_of(watch: Watch) -> datetime:
    return datetime.fromisoformat(watch.clock()["trusted"])


def _until(watch: Watch, hhmm: str, plus_minutes: int = 0) -> int:
    """Seconds of trusted time from now to the next `hhmm` (guardian's zone) plus some minutes."""
    now = _minute_of(watch)
    hour, minute = map(int, hhmm.split(":"))
    target = now.replace(hour=hour, minute=minute, second=0) + timedelta(minutes=plus_minutes)
    while target <= now:
        target += timedelta(days=1)
    return int((target - now).total_seconds())


# With a test clock the scenarios use this limit; without one, the shortest the guardian can set (IXIT).
TEST_CLOCK_LIMIT_MINUTES = 30


def short_limit_minutes(declaration: Declaration) -> int:
    if declaration.ixit["test_clock"]:
        return TEST_CLOCK_LIMIT_MINUTES
    shortest = declaration.ixit.get("shortest_daily_limit_minutes")
    if shortest is None:
        raise InconclusiveError("without a test clock the declaration must give ixit.shortest_daily_limit_minutes")
    return shortest


@given("the guardian sets a short daily limit")
def guardian_sets_limit(watch: Watch, declaration: Declaration, ctx: Context) -> None:
    ctx.values["limit_minutes"] = short_limit_minutes(declaration)
    watch.set_daily_limit(ctx.values["limit_minutes"])


@given(parsers.parse('the guardian sets a short daily limit exempting "{app_id}"'))
def guardian_sets_limit_exempting(watch: Watch, declaration: Declaration, ctx: Context, app_id: str) -> None:
    ctx.values["limit_minutes"] = short_limit_minutes(declaration)
    watch.set_daily_limit(ctx.values["limit_minutes"], exempt=[app_id])


def _period_around(watch: Watch, *, includes_now: bool) -> dict[str, str]:
    """A usable period relative to the device's trusted time, so no clock travel is needed."""
    now = _minute_of(watch)
    start, end = (now - timedelta(hours=1), now + timedelta(hours=2)) if includes_now else (now + timedelta(hours=2), now + timedelta(hours=4))
    return {"start": start.strftime("%H:%M"), "end": end.strftime("%H:%M")}


@given("the guardian allows use only in a period that excludes now")
def guardian_sets_closed_period(watch: Watch, ctx: Context) -> None:
    ctx.values["period"] = _period_around(watch, includes_now=False)
    watch.set_usable_periods([ctx.values["period"]])


@given("the guardian allows use only in a period that includes now")
def guardian_sets_open_period(watch: Watch, ctx: Context) -> None:
    ctx.values["period"] = _period_around(watch, includes_now=True)
    watch.set_usable_periods([ctx.values["period"]])


@when("the child sets the watch clock into the usable period")
def child_sets_clock_into_period(watch: Watch, ctx: Context) -> None:
    now = _minute_of(watch)
    hour, minute = map(int, ctx.values["period"]["start"].split(":"))
    inside = now.replace(hour=hour, minute=minute) + timedelta(minutes=30)
    watch.set_local_clock(inside.isoformat())


@given(parsers.parse('the guardian makes "{app_id}" unavailable'))
def guardian_disables_app(watch: Watch, app_id: str) -> None:
    watch.set_app_enabled(app_id, False)


def _use(watch: Watch, declaration: Declaration, request: pytest.FixtureRequest, ctx: Context, app_id: str, seconds: int) -> None:
    watch.open_app(app_id)
    pass_time(watch, declaration, request, seconds)
    ctx.values["used_seconds"] = ctx.values.get("used_seconds", 0) + seconds


@when(parsers.parse('the child uses "{app_id}" past the daily limit'))
def child_uses_past_limit(watch: Watch, declaration: Declaration, request: pytest.FixtureRequest, ctx: Context, app_id: str) -> None:
    _use(watch, declaration, request, ctx, app_id, (ctx.values["limit_minutes"] + 1) * 60)


@when(parsers.parse('the child uses "{app_id}" for half the daily limit'))
def child_uses_half(watch: Watch, declaration: Declaration, request: pytest.FixtureRequest, ctx: Context, app_id: str) -> None:
    _use(watch, declaration, request, ctx, app_id, ctx.values["limit_minutes"] * 30)


@when(parsers.parse('the child uses "{app_id}" past the rest of the daily limit'))
def child_uses_rest(watch: Watch, declaration: Declaration, request: pytest.FixtureRequest, ctx: Context, app_id: str) -> None:
    rest = ctx.values["limit_minutes"] * 60 - ctx.values.get("used_seconds", 0)
    _use(watch, declaration, request, ctx, app_id, rest + 60)


@when("the child uses an everyday app for one minute past the band's default daily limit")
def child_uses_past_default(watch: Watch, declaration: Declaration, request: pytest.FixtureRequest, ctx: Context) -> None:
    assert ctx.band, "no age band given"
    watch.open_app(EVERYDAY_APP)
    pass_time(watch, declaration, request, (ctx.band["daily_limit_minutes"] + 1) * 60)


@when(parsers.parse('the child tries to open "{app_id}"'))
def child_tries_to_open(watch: Watch, ctx: Context, app_id: str) -> None:
    attempt(ctx, f"opening {app_id}", lambda: watch.open_app(app_id))


@when("the child tries to open an everyday app")
def child_tries_everyday(watch: Watch, ctx: Context) -> None:
    attempt(ctx, f"opening {EVERYDAY_APP}", lambda: watch.open_app(EVERYDAY_APP))


@when("the child tries to make an emergency call")
def child_tries_emergency(watch: Watch, ctx: Context) -> None:
    attempt(ctx, "the emergency call", watch.emergency_call)


@when("the child tries to call the guardian")
def child_tries_guardian_call(watch: Watch, declaration: Declaration, ctx: Context) -> None:
    number = declaration.ixit["guardian"].get("number", "")
    attempt(ctx, "calling the guardian", lambda: watch.call_number(number))


@when("the child tries to change the daily limit")
def child_changes_limit(watch: Watch, ctx: Context) -> None:
    attempt(ctx, "the child changing the daily limit", lambda: watch.set_daily_limit(24 * 60, role="child"))


@when("the child sets the watch clock forward to tomorrow morning")
def child_sets_clock_forward(watch: Watch) -> None:
    tomorrow = _minute_of(watch) + timedelta(days=1)
    watch.set_local_clock(tomorrow.replace(hour=8, minute=0).isoformat())


@when(parsers.parse('the child changes the time zone to "{tz}"'))
def child_changes_tz(watch: Watch, tz: str) -> None:
    local = datetime.fromisoformat(watch.clock()["local"])
    watch.set_local_clock(local.isoformat(), tz)


@when(parsers.parse('the child uninstalls and reinstalls "{app_id}"'))
def child_reinstalls(watch: Watch, ctx: Context, app_id: str) -> None:
    app = next((a for a in watch.apps() if a["app_id"] == app_id), None)
    assert app is not None, f"{app_id} is not installed"
    removal = attempt(ctx, f"uninstalling {app_id}", lambda: watch.uninstall_app(app_id))
    if removal.allowed:
        watch.install_app(app_id, name=app["name"], category=app["category"])
        watch.approve_app(app_id)


@when("the profile's night hours begin")
def night_begins(watch: Watch, declaration: Declaration, profile: Profile, request: pytest.FixtureRequest) -> None:
    watch.close_app()
    pass_time(watch, declaration, request, _until(watch, profile.param("night_start"), plus_minutes=1))


@when("the profile's night hours end")
def night_ends(watch: Watch, declaration: Declaration, profile: Profile, request: pytest.FixtureRequest) -> None:
    pass_time(watch, declaration, request, _until(watch, profile.param("night_end"), plus_minutes=1))


@when("the child uses an everyday app for the profile's rest-reminder time")
def child_uses_for_rest_time(watch: Watch, declaration: Declaration, profile: Profile, request: pytest.FixtureRequest) -> None:
    watch.open_app(EVERYDAY_APP)
    pass_time(watch, declaration, request, profile.param("rest_reminder_minutes") * 60)


@then("the watch has reminded the child to rest")
def reminded_to_rest(watch: Watch) -> None:
    reminders = watch.usage()["reminders"]
    assert reminders, "no rest reminder after the profile's continuous-use time"


@then("the guardian sees the whole daily limit used")
def guardian_sees_usage(watch: Watch, ctx: Context) -> None:
    used, limit = watch.usage()["used_seconds"], ctx.values["limit_minutes"] * 60
    assert used >= limit, f"the watch counts {used} s used across apps, the child used at least {limit} s"


@then("the guardian's daily limit is unchanged")
def limit_unchanged(watch: Watch, ctx: Context) -> None:
    controls = watch.controls()
    assert controls.get("daily_limit_minutes") == ctx.values["limit_minutes"], f"the guardian set {ctx.values['limit_minutes']} minutes; controls are now {controls}"


@when(parsers.parse('the child tries to enable "{app_id}" again'))
def child_enables_app(watch: Watch, ctx: Context, app_id: str) -> None:
    attempt(ctx, f"the child enabling {app_id}", lambda: watch.set_app_enabled(app_id, True, role="child"))


@when("the child tries a factory reset")
def child_factory_reset(watch: Watch, ctx: Context) -> None:
    attempt(ctx, "a factory reset from the watch", watch.factory_reset)


@then("the watch is still bound to its guardian")
def still_bound(watch: Watch, declaration: Declaration) -> None:
    binding = watch.guardian_binding()
    assert binding.get("guardian") == declaration.ixit["guardian"]["account"], f"the guardian binding is now {binding}"
