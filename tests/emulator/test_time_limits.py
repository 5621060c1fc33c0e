"""The reference watch's addiction-prevention rules, and their defects."""

from __future__ import annotations


def test_guardian_limit_blocks_apps_but_not_basic_functions(device):
    device.ok("controls.set_daily_limit", "guardian", minutes=30)
    device.ok("apps.open", app_id="maths")
    device.ok("clock.advance", "tester", seconds=30 * 60)
    assert device.refused("apps.open", app_id="maths") == "time_limit"
    assert device.ok("emergency.call")["connected"] is True
    assert device.ok("calls.place", number="13800000001")["connected"] is True


def test_exempted_app_stays_usable(device):
    device.ok("controls.set_daily_limit", "guardian", minutes=10, exempt=["maths"])
    device.ok("apps.open", app_id="camera")
    device.ok("clock.advance", "tester", seconds=11 * 60)
    assert device.refused("apps.open", app_id="camera") == "time_limit"
    device.ok("apps.open", app_id="maths")


def test_display_clock_change_does_not_reset_the_day(device):
    device.ok("controls.set_daily_limit", "guardian", minutes=10)
    device.ok("apps.open", app_id="camera")
    device.ok("clock.advance", "tester", seconds=11 * 60)
    device.ok("clock.set_local", local="2027-01-05T09:00:00+08:00", timezone="+14:00")
    assert device.refused("apps.open", app_id="camera") == "time_limit"


def test_display_clock_defect_lets_the_child_reset_the_day(make_device):
    device = make_device(defects=["limits_follow_display_clock"])
    device.ok("controls.set_daily_limit", "guardian", minutes=10)
    device.ok("apps.open", app_id="camera")
    device.ok("clock.advance", "tester", seconds=11 * 60)
    device.ok("clock.set_local", local="2027-01-05T09:00:00+08:00")
    device.ok("apps.open", app_id="camera")


def test_night_hours_and_periods(device):
    device.ok("clock.advance", "tester", seconds=13 * 3600 + 60)  # 22:01
    assert device.refused("apps.open", app_id="maths") == "curfew"
    device.ok("clock.advance", "tester", seconds=8 * 3600)  # 06:01
    device.ok("controls.set_periods", "guardian", periods=[{"start": "16:00", "end": "18:00"}])
    assert device.refused("apps.open", app_id="maths") == "outside_period"


def test_default_limit_by_age_and_its_defect(make_device):
    assert make_device().ok("usage.get", "guardian")["limit_seconds"] == 60 * 60
    assert make_device(defects=["no_default_limit"]).ok("usage.get", "guardian")["limit_seconds"] is None


def test_child_cannot_change_controls(device):
    assert device.refused("controls.set_daily_limit", "child", minutes=600) == "denied"


def test_unauthenticated_request_is_refused(device):
    reply = device.watch.handle({"dtp": 1, "id": "x", "op": "device.info", "role": "tester", "args": {}})
    assert reply["error"]["code"] == "unauthenticated"


def test_guardian_settings_on_watch_defect_lets_the_child_lift_its_limit(make_device):
    device = make_device(defects=["guardian_settings_on_watch"])
    device.ok("controls.set_daily_limit", "child", minutes=600)
    assert device.ok("controls.get", "guardian")["daily_limit_minutes"] == 600


def test_real_clock_moves_trusted_time_with_the_wall_clock(make_device, monkeypatch):
    import emulator.watch as core

    wall = [1000.0]
    monkeypatch.setattr(core.time, "monotonic", lambda: wall[0])
    device = make_device(real_clock=True)
    device.ok("controls.set_daily_limit", "guardian", minutes=1)
    device.ok("apps.open", app_id="maths")
    wall[0] += 61
    assert device.refused("apps.open", app_id="maths") == "time_limit"


def test_reinstall_keeps_the_day_and_its_defect_does_not(make_device):
    for defects, refused in (([], True), (["reinstall_resets_usage"], False)):
        device = make_device(defects=defects)
        device.ok("controls.set_daily_limit", "guardian", minutes=10)
        device.ok("apps.open", app_id="camera")
        device.ok("clock.advance", "tester", seconds=11 * 60)
        device.ok("apps.uninstall", app_id="camera")
        device.ok("apps.install", app_id="camera", name="Camera", category="tool")
        device.ok("apps.approve", "guardian", app_id="camera")
        reply = device.send("apps.open", app_id="camera")
        assert (not reply["ok"]) is refused, reply


def test_the_age_band_changes_on_the_birthday(device):
    device.ok("agent.reset", "tester", start="2027-01-04T09:00:00+08:00", child_age=7, child_birthdate="2019-01-05")
    assert device.ok("usage.get", "guardian")["limit_seconds"] == 40 * 60
    device.ok("clock.advance", "tester", seconds=24 * 3600)
    assert device.ok("usage.get", "guardian")["limit_seconds"] == 60 * 60


def test_ages_outside_the_bands_get_the_nearest_band(device):
    for age, minutes in ((2, 40), (14, 60), (17, 60)):
        device.ok("agent.reset", "tester", start="2027-01-04T09:00:00+08:00", child_age=age)
        assert device.ok("usage.get", "guardian")["limit_seconds"] == minutes * 60


def test_locking_early_reports_the_time_truly_used(make_device):
    device = make_device(defects=["limit_locks_early"])
    device.ok("controls.set_daily_limit", "guardian", minutes=30)
    device.ok("apps.open", app_id="maths")
    device.ok("clock.advance", "tester", seconds=1125)
    device.ok("apps.open", app_id="camera")
    device.ok("clock.advance", "tester", seconds=735)
    used = device.ok("usage.get", "guardian")["used_seconds"]
    assert 30 * 60 - 60 <= used < 30 * 60
    assert device.refused("apps.open", app_id="camera") == "time_limit"


def test_a_short_pause_is_no_break_and_a_long_one_is(device):
    device.ok("controls.set_daily_limit", "guardian", minutes=24 * 60)
    for pause, continuous in ((30, 20 * 60), (5 * 60, 10 * 60)):
        device.ok("agent.reset", "tester", start="2027-01-04T09:00:00+08:00", child_age=9)
        device.ok("apps.open", app_id="maths")
        device.ok("clock.advance", "tester", seconds=10 * 60)
        device.ok("apps.close")
        device.ok("clock.advance", "tester", seconds=pause)
        device.ok("apps.open", app_id="camera")
        device.ok("clock.advance", "tester", seconds=10 * 60)
        assert device.ok("usage.get", "guardian")["continuous_seconds"] == continuous


def test_a_disabled_app_stays_disabled_when_reinstalled(device):
    device.ok("apps.set_enabled", "guardian", app_id="camera", enabled=False)
    device.ok("apps.uninstall", app_id="camera")
    device.ok("apps.install", app_id="camera", name="Camera", category="tool")
    device.ok("apps.approve", "guardian", app_id="camera")
    assert device.refused("apps.open", app_id="camera") == "disabled"
    device.ok("apps.set_enabled", "guardian", app_id="camera", enabled=True)
    device.ok("apps.open", app_id="camera")


def test_phone_cannot_be_removed_and_its_defect_can(make_device):
    assert make_device().refused("apps.uninstall", app_id="phone") == "not_allowed"
    device = make_device(defects=["phone_removable"])
    device.ok("apps.uninstall", app_id="phone")
    assert device.refused("calls.place", number="13800000001") == "not_found"


def test_real_clock_stalls_defect_never_runs_the_time_out(make_device, monkeypatch):
    import emulator.watch as core

    wall = [1000.0]
    monkeypatch.setattr(core.time, "monotonic", lambda: wall[0])
    device = make_device(real_clock=True, defects=["real_clock_stalls"])
    device.ok("controls.set_daily_limit", "guardian", minutes=1)
    device.ok("apps.open", app_id="maths")
    wall[0] += 61
    device.ok("apps.open", app_id="maths")
