"""Addiction prevention and time limits: daily duration, usable periods, night hours, rest reminders, and the tricks around them."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from pytest_bdd import given, parsers, then, when

from conformance.catalogue import Profile
from conformance.declaration import Declaration
from conformance.steps.common import Context, attempt, pass_time
from device_adapters.watch import Watch

# An ordinary app every watch has; its use counts against the child's time.
EVERYDAY_APP = "maths"
OTHER_APP = "camera"


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


@given(parsers.parse("the guardian sets a daily limit of {minutes:d} minutes"))
def guardian_sets_limit(watch: Watch, minutes: int) -> None:
    watch.set_daily_limit(minutes)


@given(parsers.parse('the guardian sets a daily limit of {minutes:d} minutes exempting "{app_id}"'))
def guardian_sets_limit_exempting(watch: Watch, minutes: int, app_id: str) -> None:
    watch.set_daily_limit(minutes, exempt=[app_id])


@given(parsers.parse('the guardian allows use only from "{start}" to "{end}"'))
def guardian_sets_period(watch: Watch, start: str, end: str) -> None:
    watch.set_usable_periods([{"start": start, "end": end}])


@given(parsers.parse('the guardian makes "{app_id}" unavailable'))
def guardian_disables_app(watch: Watch, app_id: str) -> None:
    watch.set_app_enabled(app_id, False)


@when(parsers.parse('the child uses "{app_id}" for {minutes:d} minutes'))
def child_uses_app(watch: Watch, declaration: Declaration, request: pytest.FixtureRequest, app_id: str, minutes: int) -> None:
    watch.open_app(app_id)
    pass_time(watch, declaration, request, minutes * 60)


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


@when("the child sets the watch clock back to the afternoon")
def child_sets_clock_back(watch: Watch) -> None:
    afternoon = _minute_of(watch) - timedelta(days=1)
    watch.set_local_clock(afternoon.replace(hour=15, minute=0).isoformat())


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


@when(parsers.parse('the time is "{hhmm}"'))
def time_is(watch: Watch, declaration: Declaration, request: pytest.FixtureRequest, hhmm: str) -> None:
    watch.close_app()
    pass_time(watch, declaration, request, _until(watch, hhmm))


@when("the child uses an everyday app for the profile's rest-reminder time")
def child_uses_for_rest_time(watch: Watch, declaration: Declaration, profile: Profile, request: pytest.FixtureRequest) -> None:
    watch.open_app(EVERYDAY_APP)
    pass_time(watch, declaration, request, profile.param("rest_reminder_minutes") * 60)


@then("the watch has reminded the child to rest")
def reminded_to_rest(watch: Watch) -> None:
    reminders = watch.usage()["reminders"]
    assert reminders, "no rest reminder after the profile's continuous-use time"


@then(parsers.parse("the guardian sees at least {minutes:d} minutes used today"))
def guardian_sees_usage(watch: Watch, minutes: int) -> None:
    used = watch.usage()["used_seconds"]
    assert used >= minutes * 60, f"the watch counts {used} s used, expected at least {minutes * 60} s"


@then(parsers.parse("the guardian's daily limit is still {minutes:d} minutes"))
def limit_still(watch: Watch, minutes: int) -> None:
    controls = watch.controls()
    assert controls.get("daily_limit_minutes") == minutes, f"controls are now {controls}"


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
