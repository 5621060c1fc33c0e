"""The reference watch's cybersecurity rules, and their defects."""

from __future__ import annotations

from datetime import date

import pytest

from emulator.watch import DEFAULT_TOKEN

START = "2027-01-04T09:00:00+08:00"
COMMON_DEFAULTS = ("0000", "1234", "123456", "000000", "888888")


# -- SEC-1: updates ----------------------------------------------------------------


def test_status(device):
    status = device.ok("security.status", "tester")
    assert status["debug_interfaces"] == []
    assert status["power_on_password"] is True and status["lock_password"] is True
    assert status["default_password"] is False
    until, released = date.fromisoformat(status["update_support_until"]), date.fromisoformat(status["released"])
    assert until >= released.replace(year=released.year + 3)
    assert device.refused("security.status", "child") == "denied"


def test_signed_newer_firmware_installs(device):
    assert device.ok("firmware.update", "tester", version="1.2.0", signature="valid") == {"installed": "1.2.0"}
    assert device.ok("device.info", "tester")["firmware"] == "1.2.0"
    assert device.ok("firmware.update", "child", version="1.10", signature="valid") == {"installed": "1.10"}
    assert device.refused("firmware.update", "guardian", version="2.0", signature="valid") == "denied"


@pytest.mark.parametrize("signature", ["invalid", "none"])
def test_unsigned_firmware_refused(device, signature):
    assert device.refused("firmware.update", "tester", version="2.0.0", signature=signature) == "invalid_signature"
    assert device.ok("device.info", "tester")["firmware"] == "1.0.0"


def test_downgrade_refused(device):
    device.ok("firmware.update", "tester", version="1.10.0", signature="valid")
    assert device.refused("firmware.update", "tester", version="1.9.9", signature="valid") == "downgrade"
    assert device.ok("device.info", "tester")["firmware"] == "1.10.0"


def test_a_shorter_version_number_is_read_with_zeros(device):
    device.ok("firmware.update", "tester", version="1.0.1", signature="valid")
    assert device.refused("firmware.update", "tester", version="1.0", signature="valid") == "downgrade"
    assert device.ok("firmware.update", "tester", version="1.1", signature="valid") == {"installed": "1.1"}
    assert device.ok("firmware.update", "tester", version="1.1.0", signature="valid") == {"installed": "1.1.0"}


def test_firmware_bad_requests(device):
    assert device.refused("firmware.update", "tester", version="latest", signature="valid") == "bad_request"
    assert device.refused("firmware.update", "tester", version="2.0", signature="maybe") == "bad_request"


def test_unsigned_firmware_accepted_defect(make_device):
    device = make_device(defects=["unsigned_firmware_accepted"])
    assert device.ok("firmware.update", "child", version="9.9", signature="none")["installed"] == "9.9"


def test_downgrade_accepted_defect(make_device):
    device = make_device(defects=["downgrade_accepted"])
    assert device.ok("firmware.update", "tester", version="0.9", signature="valid")["installed"] == "0.9"


def test_downgrade_by_shorter_version_defect(make_device):
    device = make_device(defects=["downgrade_by_shorter_version"])
    device.ok("firmware.update", "tester", version="1.0.1", signature="valid")
    assert device.ok("firmware.update", "tester", version="1.0", signature="valid")["installed"] == "1.0"
    assert device.refused("firmware.update", "tester", version="0.9", signature="valid") == "downgrade"


def test_short_update_support_defect(make_device):
    status = make_device(defects=["short_update_support"]).ok("security.status", "tester")
    until, released = date.fromisoformat(status["update_support_until"]), date.fromisoformat(status["released"])
    assert until <= released.replace(year=released.year + 1)


# -- SEC-2: passwords --------------------------------------------------------------


def test_lock_and_unlock_with_the_guardians_password(device):
    device.ok("device.set_password", "guardian", password="7391")
    device.ok("device.lock")
    assert device.refused("apps.open", app_id="maths") == "not_allowed"
    device.ok("emergency.call")  # the lock screen keeps the emergency call
    assert device.refused("device.unlock", password="1111") == "bad_credentials"
    device.ok("device.unlock", password="7391")
    device.ok("apps.open", app_id="maths")


def test_no_default_password_unlocks(device):
    device.ok("device.lock")
    for password in COMMON_DEFAULTS:
        assert device.refused("device.unlock", password=password) == "bad_credentials"


def test_fresh_watch_has_no_password_until_the_guardian_sets_one(device):
    device.ok("agent.reset", "tester", start=START, child_age=9, setup="fresh")
    assert device.ok("security.status", "tester")["password_set"] is False
    device.ok("device.lock")
    for password in COMMON_DEFAULTS:
        assert device.refused("device.unlock", password=password) == "bad_credentials"
    assert device.refused("device.set_password", "guardian", password="7391") == "denied"  # not bound yet
    device.ok("guardian.bind", "guardian")
    device.ok("device.set_password", "guardian", password="7391")
    device.ok("device.unlock", password="7391")


def test_password_is_a_guardian_setting(device):
    assert device.refused("device.set_password", "child", password="0000") == "denied"
    assert device.refused("device.set_password", "guardian", password="12") == "bad_request"
    assert device.refused("device.set_password", "guardian", account="guardian-9", password="9999") == "denied"


def test_default_password_defect(make_device):
    device = make_device(defects=["default_password"])
    assert device.ok("security.status", "tester")["default_password"] is True
    device.ok("device.lock")
    device.ok("device.unlock", password="123456")


# -- SEC-3: supervision and debugging ----------------------------------------------


def test_supervision_and_debug_cannot_be_switched_on_the_watch(device):
    assert device.refused("supervision.disable") == "not_allowed"
    assert device.refused("debug.enable") == "not_allowed"
    assert device.ok("guardian.binding", "tester")["bound"] is True
    assert device.ok("security.status", "tester")["debug_interfaces"] == []


def test_supervision_can_be_disabled_defect(make_device):
    device = make_device(defects=["supervision_can_be_disabled"])
    device.ok("controls.set_daily_limit", "guardian", minutes=10)
    device.ok("supervision.disable")
    assert device.ok("guardian.binding", "tester")["bound"] is False


def test_debug_port_open_defect(make_device):
    device = make_device(defects=["debug_port_open"])
    assert device.ok("security.status", "tester")["debug_interfaces"] == ["adb"]
    assert device.ok("debug.enable")["debug_interfaces"] == ["adb"]


# -- SEC-4: the test agent ---------------------------------------------------------


@pytest.mark.parametrize("auth", [None, "wrong-token"])
def test_agent_refuses_unauthenticated_requests(device, auth):
    message = {"dtp": 1, "id": "x", "op": "security.status", "role": "tester", "args": {}}
    if auth is not None:
        message["auth"] = auth
    assert device.watch.handle(message)["error"]["code"] == "unauthenticated"
    message["auth"] = DEFAULT_TOKEN
    assert device.watch.handle(message)["ok"] is True


def test_agent_accepts_unauthenticated_defect(make_device):
    device = make_device(defects=["agent_accepts_unauthenticated"])
    reply = device.watch.handle({"dtp": 1, "id": "x", "op": "security.status", "role": "tester", "args": {}})
    assert reply["ok"] is True
