"""Addiction prevention and time limits: daily duration, usable periods, night hours, rest reminders, and the tricks around them."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from pytest_bdd import given, parsers, then, when

from conformance.catalogue import Profile
from conformance.declaration import BASIC_FUNCTION_APPS, Declaration
from conformance.steps.common import REBOOT_PASSWORD, Context, attempt, attempt_each, gated_apps, pass_time
from device_adapters.errors import InconclusiveError, Refused
from device_adapters.watch import Watch

# An ordinary app every watch has; its use counts against the child's time.
EVERYDAY_APP = "maths"


def _minute_of(watch: Watch) -> datetime:
    return datetime.fromisoformat(watch.clock()["trusted"])


def _until(watch: Watch, hhmm: str, plus_minutes: int = 0) -> int:
    """Seconds of trusted time from now to the next `hhmm` (guardian's zone) plus some minutes."""
    now = _minute_of(watch)
    hour, minute = map(int, hhmm.split(":"))
    target = now.replace(hour=hour, minute=minute, second=0, microsecond=0) + timedelta(minutes=plus_minutes)
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


# The shortest limit docs/protocol.md `controls.set_daily_limit` takes, where the declaration gives no shortest of its own.
PROTOCOL_SHORTEST_LIMIT_MINUTES = 1


@given("the guardian sets the shortest daily limit the watch offers")
def guardian_sets_shortest_limit(watch: Watch, declaration: Declaration, ctx: Context) -> None:
    """The lower end of the guardian's range: the declaration's shortest, else the protocol's 1 minute. A refusal is a FAIL."""
    ctx.values["limit_minutes"] = declaration.ixit.get("shortest_daily_limit_minutes") or PROTOCOL_SHORTEST_LIMIT_MINUTES
    watch.set_daily_limit(ctx.values["limit_minutes"])


@given(parsers.parse('the guardian sets a short daily limit exempting "{app_id}"'))
def guardian_sets_limit_exempting(watch: Watch, declaration: Declaration, ctx: Context, app_id: str) -> None:
    ctx.values["limit_minutes"] = short_limit_minutes(declaration)
    ctx.values["exempt"] = [app_id]
    watch.set_daily_limit(ctx.values["limit_minutes"], exempt=[app_id])


@given("the guardian allows the whole day")
def guardian_allows_whole_day(watch: Watch) -> None:
    """The longest limit the guardian can set, so that no firmware default (which may be short) cuts a long check off."""
    watch.set_daily_limit(24 * 60)


# -- sweeps: every app a gate must stop ------------------------------------------------


def _open_then_close(watch: Watch, app_id: str) -> dict:
    """Open an app and leave it at once, so that a sweep uses up no time."""
    opened = watch.open_app(app_id)
    watch.close_app()
    return dict(opened)


@when("the child tries to open every gated app")
def child_tries_every_gated_app(watch: Watch, profile: Profile, ctx: Context) -> None:
    """Every package on the watch but the basic functions, the guardian's component and the apps the guardian exempted (judged on their own)."""
    apps = gated_apps(watch, profile, exempt=ctx.values.get("exempt", ()))
    attempt_each(ctx, apps, lambda app_id: f"opening {app_id}", lambda app_id: _open_then_close(watch, app_id))


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


@given("the guardian allows use only in a period that starts in an hour")
def guardian_sets_later_period(watch: Watch, ctx: Context) -> None:
    start = _minute_of(watch).replace(second=0, microsecond=0) + timedelta(hours=1)
    ctx.values["period"] = {"start": start.strftime("%H:%M"), "end": (start + timedelta(hours=1)).strftime("%H:%M")}
    watch.set_usable_periods([ctx.values["period"]])


@when(parsers.parse("the {moment} of the usable period comes"))
def period_moment_comes(watch: Watch, declaration: Declaration, request: pytest.FixtureRequest, ctx: Context, moment: str) -> None:
    """Periods are [start, end): the start minute is inside, the end minute outside."""
    where = {"minute before the start": ("start", -1), "start minute": ("start", 0), "last minute": ("end", -1), "end minute": ("end", 0)}
    assert moment in where, f"no such moment of a period: {moment}"
    edge, offset = where[moment]
    watch.close_app()
    pass_time(watch, declaration, request, _until(watch, ctx.values["period"][edge], plus_minutes=offset))


@when("the guardian resets the watch to factory settings")
def guardian_factory_reset(watch: Watch) -> None:
    """A watch MAY restart after the reset and ask for the lock password (docs/protocol.md `device.factory_reset`): the child answers it."""
    watch.set_lock_password(REBOOT_PASSWORD)
    watch.factory_reset(role="guardian")
    watch.unlock(REBOOT_PASSWORD)


@when("the guardian allows use at any time")
def guardian_clears_periods(watch: Watch) -> None:
    watch.set_usable_periods(None)


@when("the child tries to clear the usable periods")
def child_clears_periods(watch: Watch, ctx: Context) -> None:
    attempt(ctx, "the child clearing the usable periods", lambda: watch.set_usable_periods(None, role="child"))


@when("the child sets the watch clock into the usable period")
def child_sets_clock_into_period(watch: Watch, ctx: Context) -> None:
    now = _minute_of(watch)
    hour, minute = map(int, ctx.values["period"]["start"].split(":"))
    inside = now.replace(hour=hour, minute=minute) + timedelta(minutes=30)
    watch.set_local_clock(inside.isoformat())


@given(parsers.parse('the guardian makes "{app_id}" unavailable'))
def guardian_disables_app(watch: Watch, app_id: str) -> None:
    watch.set_app_enabled(app_id, False)


@when(parsers.parse('the guardian makes "{app_id}" available again'))
def guardian_enables_app(watch: Watch, app_id: str) -> None:
    watch.set_app_enabled(app_id, True)


@given("the guardian makes every gated app unavailable")
def guardian_disables_every_app(watch: Watch, profile: Profile) -> None:
    refused = []
    for app_id in gated_apps(watch, profile):
        try:
            watch.set_app_enabled(app_id, False)
        except Refused as refusal:
            refused.append(f"{app_id} ({refusal})")
    assert not refused, f"the guardian could not make every app unavailable: {', '.join(refused)} refused"


def _use(watch: Watch, declaration: Declaration, request: pytest.FixtureRequest, ctx: Context, app_id: str, seconds: int) -> None:
    watch.open_app(app_id)
    pass_time(watch, declaration, request, seconds)
    ctx.values["used_seconds"] = ctx.values.get("used_seconds", 0) + seconds


@when(parsers.parse('the child uses "{app_id}" past the daily limit'))
def child_uses_past_limit(watch: Watch, declaration: Declaration, request: pytest.FixtureRequest, ctx: Context, app_id: str) -> None:
    _use(watch, declaration, request, ctx, app_id, (ctx.values["limit_minutes"] + 1) * 60)


@when(parsers.parse('the child uses "{app_id}" for over half the daily limit'))
def child_uses_over_half(watch: Watch, declaration: Declaration, request: pytest.FixtureRequest, ctx: Context, app_id: str) -> None:
    # Five eighths: not a whole number of minutes, so the limit runs out inside a minute of the second app.
    _use(watch, declaration, request, ctx, app_id, ctx.values["limit_minutes"] * 60 * 5 // 8)


@when(parsers.parse('the child uses "{app_id}" until a minute of the daily limit is left'))
def child_uses_until_minute_left(watch: Watch, declaration: Declaration, request: pytest.FixtureRequest, ctx: Context, app_id: str) -> None:
    _use(watch, declaration, request, ctx, app_id, ctx.values["limit_minutes"] * 60 - 60)


@when(parsers.parse('the child uses "{app_id}" for two more minutes'))
def child_uses_two_more(watch: Watch, declaration: Declaration, request: pytest.FixtureRequest, ctx: Context, app_id: str) -> None:
    _use(watch, declaration, request, ctx, app_id, 120)


@when(parsers.parse('the child leaves "{app_id}" open well past the daily limit'))
def child_leaves_open(watch: Watch, declaration: Declaration, request: pytest.FixtureRequest, ctx: Context, app_id: str) -> None:
    _use(watch, declaration, request, ctx, app_id, (ctx.values["limit_minutes"] + 5) * 60)


@then("the watch stopped counting when the daily limit was used up")
def stopped_counting(watch: Watch, ctx: Context) -> None:
    """Judged on the watch's own usage count: it must have closed the app when the time ran out, not only refused new opens."""
    used, limit = watch.usage()["used_seconds"], ctx.values["limit_minutes"] * 60
    assert used <= limit + 60, f"the child left an app open {ctx.values['used_seconds']} s on a {limit} s limit and the watch counts {used} s used: the app ran on after the time was used up (by the watch's own usage count)"


@when("the next morning comes")
def next_morning(watch: Watch, declaration: Declaration, request: pytest.FixtureRequest) -> None:
    """The baseline's hour of day comes round again: the next day's allowance, well outside any night."""
    watch.close_app()
    start = datetime.fromisoformat(declaration.ixit["baseline_start"])
    pass_time(watch, declaration, request, _until(watch, start.strftime("%H:%M")))


@when(parsers.parse('the child uses "{app_id}" past the rest of the daily limit'))
def child_uses_rest(watch: Watch, declaration: Declaration, request: pytest.FixtureRequest, ctx: Context, app_id: str) -> None:
    rest = ctx.values["limit_minutes"] * 60 - ctx.values.get("used_seconds", 0)
    _use(watch, declaration, request, ctx, app_id, rest + 60)


@given(parsers.parse('the child is the {end} age of band "{band_id}"'))
def child_at_band_end(watch: Watch, declaration: Declaration, profile: Profile, ctx: Context, end: str, band_id: str) -> None:
    assert end in ("youngest", "oldest"), f"a band has a youngest and an oldest age, not a {end} one"
    ctx.band = profile.age_band(band_id)
    watch.reset(start=declaration.ixit["baseline_start"], child_age=ctx.band["min_age" if end == "youngest" else "max_age"])


@given(parsers.parse("the child is a year {side} the profile's age bands"))
def child_outside_bands(watch: Watch, declaration: Declaration, profile: Profile, ctx: Context, side: str) -> None:
    """Outside the bands a watch applies at most the nearest band's limit (docs/protocol.md 7.4)."""
    bands = sorted(profile.param("age_bands"), key=lambda b: b["min_age"])
    assert side in ("younger than", "older than"), f"a year {side} the bands is neither below nor above them"
    ctx.band = dict(bands[0] if side == "younger than" else bands[-1])
    age = ctx.band["min_age"] - 1 if side == "younger than" else ctx.band["max_age"] + 1
    if age < 0:
        raise InconclusiveError("the profile's youngest band starts at age 0: there is no younger child")
    watch.reset(start=declaration.ixit["baseline_start"], child_age=age)


def _band_of_age(profile: Profile, age: int) -> dict:
    band = next((b for b in profile.param("age_bands") if b["min_age"] <= age <= b["max_age"]), None)
    if band is None:
        raise InconclusiveError(f"no band of the profile holds age {age}, the day before the birthday")
    return dict(band)


@given(parsers.parse('the child turns the youngest age of band "{band_id}" tomorrow'))
def child_birthday_tomorrow(watch: Watch, declaration: Declaration, profile: Profile, ctx: Context, band_id: str) -> None:
    """The last day before the birthday that moves the child into the band: the lower band still applies today."""
    after = profile.age_band(band_id)
    ctx.band = _band_of_age(profile, after["min_age"] - 1)
    tomorrow = datetime.fromisoformat(declaration.ixit["baseline_start"]).date() + timedelta(days=1)
    try:
        born = tomorrow.replace(year=tomorrow.year - after["min_age"])
    except ValueError:  # 29 February
        born = date(tomorrow.year - after["min_age"], 3, 1)
    ctx.values["band_after_birthday"] = after
    watch.reset(start=declaration.ixit["baseline_start"], child_age=after["min_age"] - 1, child_birthdate=born.isoformat())


@when("the birthday comes")
def birthday_comes(watch: Watch, declaration: Declaration, request: pytest.FixtureRequest, ctx: Context) -> None:
    next_morning(watch, declaration, request)
    ctx.band = ctx.values["band_after_birthday"]


@when("the child uses an everyday app for one minute past the band's default daily limit")
def child_uses_past_default(watch: Watch, declaration: Declaration, request: pytest.FixtureRequest, ctx: Context) -> None:
    assert ctx.band, "no age band given"
    watch.open_app(EVERYDAY_APP)
    pass_time(watch, declaration, request, (ctx.band["daily_limit_minutes"] + 1) * 60)


@when("the child tries to uninstall or force-stop each basic function")
def child_removes_basic_functions(watch: Watch, profile: Profile, ctx: Context) -> None:
    apps = [BASIC_FUNCTION_APPS[f] for f in profile.param("basic_functions") if f in BASIC_FUNCTION_APPS]
    actions = [f"{verb} {app_id}" for app_id in apps for verb in ("uninstall", "force-stop")]
    do = {"uninstall": lambda app_id: watch.uninstall_app(app_id), "force-stop": lambda app_id: watch.force_stop_app(app_id)}
    attempt_each(ctx, actions, lambda action: f"the child's {action}", lambda action: do[action.split()[0]](action.split()[1]))


@when("the guardian tries to locate the child")
def guardian_locates(watch: Watch, ctx: Context) -> None:
    attempt(ctx, "locating the child", watch.location)


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
    if not removal.allowed:
        return  # a watch may keep the app (a system app): then nothing was reinstalled
    try:
        installed = watch.install_app(app_id, name=app["name"], category=app["category"])
    except Refused as refusal:
        raise InconclusiveError(f"the store does not offer {app_id} back ({refusal}): reinstalling cannot be tried") from None
    if installed.get("state") == "pending":
        watch.approve_app(app_id)  # an approval remembered from before may make it usable at once (docs/protocol.md `apps.install`)


@when("the profile's night hours begin")
def night_begins(watch: Watch, declaration: Declaration, profile: Profile, request: pytest.FixtureRequest) -> None:
    """The night's first minute. A watch's night may be longer (it must cover the profile's), so only the profile's minutes are judged."""
    watch.close_app()
    pass_time(watch, declaration, request, _until(watch, profile.param("night_start")))


@when("the last minute of the profile's night hours comes")
def night_last_minute(watch: Watch, declaration: Declaration, profile: Profile, request: pytest.FixtureRequest) -> None:
    watch.close_app()
    pass_time(watch, declaration, request, _until(watch, profile.param("night_end"), plus_minutes=-1))


# The longest pause a watch may require before it counts as a break (docs/protocol.md 7.4, usage.get).
LONGEST_BREAK_S = 10 * 60
# A pause shorter than a minute is never a break: tried at its edge, a second short of it.
SHORT_PAUSE_S = 59


def _use_continuously(watch: Watch, declaration: Declaration, request: pytest.FixtureRequest, ctx: Context, app_id: str, seconds: int) -> None:
    watch.open_app(app_id)
    pass_time(watch, declaration, request, seconds)
    ctx.values["continuous_s"] = ctx.values.get("continuous_s", 0) + seconds


@when(parsers.parse('the child uses "{app_id}" for half the profile\'s rest-reminder time'))
def child_uses_half_rest(watch: Watch, declaration: Declaration, profile: Profile, request: pytest.FixtureRequest, ctx: Context, app_id: str) -> None:
    _use_continuously(watch, declaration, request, ctx, app_id, profile.param("rest_reminder_minutes") * 60 // 2)


@when(parsers.parse('the child uses "{app_id}" until a minute before the profile\'s rest-reminder time'))
def child_uses_until_rest_due(watch: Watch, declaration: Declaration, profile: Profile, request: pytest.FixtureRequest, ctx: Context, app_id: str) -> None:
    due = profile.param("rest_reminder_minutes") * 60
    _use_continuously(watch, declaration, request, ctx, app_id, due - 60 - ctx.values.get("continuous_s", 0))


@when(parsers.parse('the child uses "{app_id}" until a minute before the profile\'s rest-reminder time since the reminder'))
def child_uses_until_next_rest_due(watch: Watch, declaration: Declaration, profile: Profile, request: pytest.FixtureRequest, ctx: Context, app_id: str) -> None:
    """After a reminder continuous use starts again (docs/protocol.md 7.4), so the next reminder is a whole continuous-use time away."""
    ctx.values["continuous_s"] = 0
    _use_continuously(watch, declaration, request, ctx, app_id, profile.param("rest_reminder_minutes") * 60 - 60)


@when("the child keeps using it for one more minute")
def child_keeps_using(watch: Watch, declaration: Declaration, request: pytest.FixtureRequest, ctx: Context) -> None:
    pass_time(watch, declaration, request, 60)
    ctx.values["continuous_s"] = ctx.values.get("continuous_s", 0) + 60


@when("the child pauses for less than a minute")
def child_pauses(watch: Watch, declaration: Declaration, request: pytest.FixtureRequest) -> None:
    """No break: continuous use goes on (whether the pause itself counts is the watch's choice; the checks allow both)."""
    watch.close_app()
    pass_time(watch, declaration, request, SHORT_PAUSE_S)


@when("the child takes a full break")
def child_takes_break(watch: Watch, declaration: Declaration, request: pytest.FixtureRequest, ctx: Context) -> None:
    """As long a break as any watch may require: continuous use starts again after it."""
    watch.close_app()
    pass_time(watch, declaration, request, LONGEST_BREAK_S)
    ctx.values["continuous_s"] = 0


@then("the watch has reminded the child to rest")
def reminded_to_rest(watch: Watch, ctx: Context) -> None:
    reminders = watch.usage()["reminders"]
    assert reminders, f"no rest reminder after {ctx.values.get('continuous_s', 0) // 60} minutes of continuous use, the profile's continuous-use time"
    ctx.values["reminders_seen"] = len(reminders)


@then("the watch has not reminded the child to rest")
def not_reminded(watch: Watch, ctx: Context) -> None:
    reminders = watch.usage()["reminders"]
    assert not reminders, f"the watch reminded the child to rest ({reminders}) after only {ctx.values.get('continuous_s', 0) // 60} minutes of continuous use, before the profile's continuous-use time"


@then("the watch has reminded the child to rest again")
def reminded_again(watch: Watch, ctx: Context) -> None:
    seen, reminders = ctx.values.get("reminders_seen", 0), watch.usage()["reminders"]
    assert len(reminders) > seen, f"no new rest reminder after {ctx.values.get('continuous_s', 0) // 60} more minutes of continuous use since the last one, the profile's continuous-use time: continuous use did not start again after the reminder (reminders: {reminders})"


@then("the watch has not reminded the child to rest again")
def not_reminded_again(watch: Watch, ctx: Context) -> None:
    seen, reminders = ctx.values.get("reminders_seen", 0), watch.usage()["reminders"]
    assert len(reminders) <= seen, f"the watch reminded the child to rest again ({reminders[seen:]}) after only {ctx.values.get('continuous_s', 0) // 60} minutes of continuous use since the last reminder, before the profile's continuous-use time"


@then("the guardian sees the whole daily limit used")
def guardian_sees_usage(watch: Watch, ctx: Context) -> None:
    """A watch may close apps up to a minute early (docs/protocol.md 6.2), so it may count up to a minute less than the limit."""
    used, limit = watch.usage()["used_seconds"], ctx.values["limit_minutes"] * 60
    assert used >= limit - 60, f"the child used apps until the {limit} s limit ran out and the watch counts {used} s used across apps: more than a minute is missing, so not all apps' time was counted together"


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
