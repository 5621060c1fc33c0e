"""The reference watch's cybersecurity rules, and their defects."""

from __future__ import annotations

import hmac
from datetime import date

import pytest

from emulator.operations import OPERATIONS
from emulator.watch import DEFAULT_TOKEN, GUARDIAN

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


@pytest.mark.parametrize("auth", [None, "wrong-token", "", DEFAULT_TOKEN[:-1], DEFAULT_TOKEN + "x", "令牌", 7, ["x"]])
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


def test_the_token_is_compared_in_constant_time(device, monkeypatch):
    """docs/protocol.md section 3: tokens are compared in constant time, so the time taken tells nothing of how much of one matched."""
    from emulator import watch as watch_module

    compared, real = [], hmac.compare_digest

    def compare_digest(given, expected):
        compared.append((given, expected))
        return real(given, expected)

    monkeypatch.setattr(watch_module.hmac, "compare_digest", compare_digest)
    message = {"dtp": 1, "id": "x", "op": "security.status", "role": "tester", "args": {}, "auth": "wrong-token"}
    assert device.watch.handle(message)["error"]["code"] == "unauthenticated"
    assert device.watch.handle({**message, "auth": DEFAULT_TOKEN})["ok"] is True
    assert compared == [(b"wrong-token", DEFAULT_TOKEN.encode()), (DEFAULT_TOKEN.encode(), DEFAULT_TOKEN.encode())]


# -- only the bound guardian's account acts as the guardian (SEC-2) -------------------------

# The guardian's operations whose `account` names someone other than an acting guardian (docs/protocol.md section 3).
ACCOUNT_NAMES_ANOTHER = {"guardian.bind", "account.rebind", "friends.approve", "friends.remove"}


def guardian_operations() -> list[str]:
    return sorted(op for op, operation in OPERATIONS.items() if "guardian" in operation.roles and op not in ACCOUNT_NAMES_ANOTHER)


def test_the_registry_marks_the_operations_whose_account_names_another():
    assert {op for op, operation in OPERATIONS.items() if operation.guardian_account != "bound"} == ACCOUNT_NAMES_ANOTHER


def others(device) -> list[str]:
    """Accounts that are not the bound guardian: a stranger's, a classmate's, and a guardian id the platform never saw."""
    stranger = device.ok("accounts.create", "tester", nickname="Uncle", kind="stranger")["account"]
    classmate = device.ok("accounts.create", "tester", nickname="Lili", kind="child", befriend=True)["account"]
    return [stranger, classmate, "guardian-999"]


def test_only_the_bound_guardians_account_acts_as_the_guardian(device):
    device.ok("controls.set_daily_limit", "guardian", minutes=30, exempt=[])
    for other in others(device):
        allowed = [op for op in guardian_operations() if device.send(op, "guardian", account=other).get("error", {}).get("code") != "denied"]
        assert not allowed, f"the guardian account {other} was not denied {', '.join(allowed)}"
        assert device.refused("controls.set_daily_limit", "guardian", account=other, minutes=1440, exempt=[]) == "denied"
        assert device.refused("guardian.verification_code", "guardian", account=other) == "denied"
        assert device.refused("location.get", "guardian", account=other) == "denied"
    assert device.ok("controls.get", "guardian")["daily_limit_minutes"] == 30
    assert device.ok("guardian.binding", "tester")["guardian"] == GUARDIAN
    # Named explicitly, the bound guardian is the guardian.
    device.ok("controls.set_daily_limit", "guardian", account=GUARDIAN, minutes=45, exempt=[])
    assert device.ok("controls.get", "guardian", account=GUARDIAN)["daily_limit_minutes"] == 45


def test_another_guardian_account_gets_no_code_to_rebind_with(device):
    reply = device.send("guardian.verification_code", "guardian", account="guardian-999")
    assert reply["error"]["code"] == "denied"
    assert device.refused("account.rebind", "stranger", account="buyer-1", new_guardian="buyer-1", verification="") == "verification_required"
    assert device.ok("guardian.binding", "tester")["guardian"] == GUARDIAN


def test_after_a_rebinding_the_new_guardians_account_acts_and_the_old_one_does_not(device):
    code = device.ok("guardian.verification_code", "guardian")["code"]
    device.ok("account.rebind", "guardian", account="guardian-2", new_guardian="guardian-2", verification=code)
    device.ok("controls.set_daily_limit", "guardian", account="guardian-2", minutes=50, exempt=[])
    assert device.refused("controls.set_daily_limit", "guardian", account=GUARDIAN, minutes=1440, exempt=[]) == "denied"
    assert device.ok("controls.get", "guardian", account="guardian-2")["daily_limit_minutes"] == 50


def test_any_guardian_account_acts_defect(make_device):
    device = make_device(defects=["any_guardian_account_acts"])
    device.ok("controls.set_daily_limit", "guardian", minutes=30, exempt=[])
    device.ok("controls.set_daily_limit", "guardian", account="guardian-999", minutes=1440, exempt=[])
    assert device.ok("controls.get", "guardian")["daily_limit_minutes"] == 1440
