"""The reference watch's personal-information rules, and their defects."""

from __future__ import annotations

import pytest

START = "2027-01-04T09:00:00+08:00"


def fresh(device):
    device.ok("agent.reset", "tester", start=START, child_age=9, setup="fresh")
    return device


def kinds(device) -> list[str]:
    return [r["kind"] for r in device.ok("privacy.records", "tester")["records"]]


# -- PRI-1: the children's rules ---------------------------------------------------


@pytest.mark.parametrize("role", ["guardian", "child"])
def test_rules_are_children_specific_and_shown_on_watch_and_app(device, role):
    rules = device.ok("privacy.rules", role)
    assert rules["children_specific"] is True
    assert set(rules["shown_on"]) == {"watch", "guardian_app"}
    for word in ("collect", "consent", "kept", "delete", "export"):
        assert word in rules["text"].lower()


def test_strangers_are_not_shown_the_rules_op(device):
    assert device.refused("privacy.rules", "stranger") == "denied"


def test_no_privacy_rules_defect(make_device):
    assert make_device(defects=["no_privacy_rules"]).refused("privacy.rules", "guardian") == "not_found"


def test_generic_privacy_rules_defect(make_device):
    rules = make_device(defects=["generic_privacy_rules"]).ok("privacy.rules", "guardian")
    assert rules["children_specific"] is False and "watch" not in rules["shown_on"]


# -- PRI-2: consent before processing ----------------------------------------------


def test_nothing_processed_before_consent_then_reports_every_ten_minutes(device):
    fresh(device)
    device.ok("clock.advance", "tester", seconds=30 * 60)
    assert kinds(device) == []
    assert device.refused("location.get", "guardian") == "denied"  # not even bound yet
    device.ok("guardian.bind", "guardian")
    assert device.refused("location.get", "guardian") == "consent_required"
    device.ok("privacy.consent", "guardian")
    device.ok("clock.advance", "tester", seconds=9 * 60)
    assert kinds(device) == []
    device.ok("clock.advance", "tester", seconds=21 * 60)
    assert kinds(device) == ["location_report"] * 3
    device.ok("location.get", "guardian")
    assert kinds(device)[-1] == "location"


def test_consent_needs_a_bound_guardian(device):
    fresh(device)
    assert device.refused("privacy.consent", "guardian") == "denied"
    assert device.refused("privacy.consent", "child") == "denied"


def test_bound_baseline_is_consented_and_reports(device):
    device.ok("clock.advance", "tester", seconds=10 * 60)
    assert kinds(device) == ["location_report"]


def test_processing_before_consent_defect(make_device):
    device = fresh(make_device(defects=["processing_before_consent"]))
    device.ok("clock.advance", "tester", seconds=20 * 60)
    assert kinds(device) == ["location_report", "location_report"]


# -- PRI-3: permissions ------------------------------------------------------------


def test_no_sensitive_permission_by_default(device):
    for app_id in ("camera", "maths", "social", "stopwatch", "settings"):
        assert device.ok("permissions.get", "guardian", app_id=app_id)["permissions"] == {"microphone": False, "camera": False, "location": False}
    # The basic functions get only what the guardian's privacy consent covers, and only after it.
    assert device.ok("permissions.get", "tester", app_id="phone")["permissions"] == {"microphone": True, "camera": False, "location": False}
    assert device.ok("permissions.get", "tester", app_id="locate")["permissions"]["location"] is True
    fresh(device)
    assert device.ok("permissions.get", "tester", app_id="phone")["permissions"]["microphone"] is False


def test_request_waits_for_the_guardian_then_grant(device):
    assert device.ok("permissions.request", app_id="camera", permission="camera") == {"granted": False, "state": "pending_guardian"}
    assert device.ok("permissions.get", "guardian", app_id="camera")["permissions"]["camera"] is False
    assert device.ok("permissions.get", "guardian", app_id="camera")["pending"] == ["camera"]
    assert device.refused("permissions.grant", "child", app_id="camera", permission="camera") == "denied"
    device.ok("permissions.grant", "guardian", app_id="camera", permission="camera")
    assert device.ok("permissions.get", "guardian", app_id="camera")["permissions"]["camera"] is True
    assert device.ok("permissions.request", app_id="camera", permission="camera")["granted"] is True


def test_permission_refusals(device):
    assert device.refused("permissions.get", "guardian", app_id="no.such.app") == "not_found"
    assert device.refused("permissions.request", app_id="no.such.app", permission="camera") == "not_found"
    assert device.refused("permissions.request", app_id="camera", permission="contacts") == "bad_request"
    assert device.refused("permissions.grant", "guardian", app_id="camera", permission="sms") == "bad_request"
    assert device.refused("permissions.get", "child", app_id="camera") == "denied"
    assert device.refused("permissions.grant", "stranger", app_id="camera", permission="camera") == "denied"


def test_permissions_granted_by_default_defect(make_device):
    device = make_device(defects=["permissions_granted_by_default"])
    assert device.ok("permissions.get", "guardian", app_id="camera")["permissions"]["camera"] is True


def test_child_grants_permissions_defect(make_device):
    device = make_device(defects=["child_grants_permissions"])
    assert device.ok("permissions.request", app_id="camera", permission="camera")["granted"] is True
    device.ok("permissions.grant", "child", app_id="maths", permission="microphone")
    assert device.ok("permissions.get", "guardian", app_id="maths")["permissions"]["microphone"] is True


# -- PRI-4: export, delete, close --------------------------------------------------


def test_export_holds_the_childs_data(device):
    device.ok("clock.advance", "tester", seconds=20 * 60)
    data = device.ok("privacy.export", "guardian")["data"]
    assert {"profile", "location_history", "messages_count"} <= set(data)
    assert len(data["location_history"]) == 2
    assert data["profile"]["age"] == 9


def test_location_history_is_kept_for_the_retention_period_only(device):
    device.ok("clock.advance", "tester", seconds=10 * 60)
    device.ok("clock.advance", "tester", seconds=7 * 86400)
    device.ok("clock.advance", "tester", seconds=7 * 86400)
    device.ok("clock.advance", "tester", seconds=7 * 86400)
    device.ok("clock.advance", "tester", seconds=7 * 86400)
    device.ok("clock.advance", "tester", seconds=3 * 86400)
    history = device.ok("privacy.export", "guardian")["data"]["location_history"]
    assert history[0]["at"] == "2027-01-05T09:10:00+08:00"  # exactly 30 days before now; older ones are gone


def test_delete_wipes_the_childs_data(device):
    device.ok("clock.advance", "tester", seconds=20 * 60)
    device.ok("privacy.delete", "guardian")
    assert device.ok("privacy.export", "guardian")["data"]["location_history"] == []
    assert device.ok("guardian.binding", "tester")["bound"] is True


@pytest.mark.parametrize("op", ["privacy.export", "privacy.delete", "account.close"])
@pytest.mark.parametrize("role", ["child", "stranger"])
def test_only_the_guardian_exercises_the_rights(device, op, role):
    assert device.refused(op, role) == "denied"


def test_close_account_wipes_and_unbinds(device):
    device.ok("clock.advance", "tester", seconds=20 * 60)
    device.ok("account.close", "guardian")
    assert device.ok("guardian.binding", "tester")["bound"] is False
    for op in ("privacy.export", "privacy.delete", "account.close", "location.get"):
        assert device.refused(op, "guardian") == "denied"
    before = len(kinds(device))
    device.ok("clock.advance", "tester", seconds=20 * 60)
    assert len(kinds(device)) == before
    assert device.ok("permissions.get", "tester", app_id="phone")["permissions"]["microphone"] is False


def test_export_incomplete_defect(make_device):
    device = make_device(defects=["export_incomplete"])
    device.ok("clock.advance", "tester", seconds=20 * 60)
    assert "location_history" not in device.ok("privacy.export", "guardian")["data"]


def test_delete_keeps_data_defect(make_device):
    device = make_device(defects=["delete_keeps_data"])
    device.ok("clock.advance", "tester", seconds=20 * 60)
    device.ok("privacy.delete", "guardian")
    assert len(device.ok("privacy.export", "guardian")["data"]["location_history"]) == 2


def test_close_account_keeps_binding_defect(make_device):
    device = make_device(defects=["close_account_keeps_binding"])
    device.ok("account.close", "guardian")
    device.ok("location.get", "guardian")


# -- PRI-5: biometrics -------------------------------------------------------------


def test_biometric_enroll_verify_deregister(device):
    assert device.refused("biometric.verify", sample="live") == "not_found"
    device.ok("biometric.enroll")
    assert device.ok("biometric.verify", sample="live") == {"verified": True}
    for attack in ("photo", "mask", "replay"):
        assert device.refused("biometric.verify", sample=attack) == "bad_credentials"
    assert device.refused("biometric.verify", sample="fingerprint") == "bad_request"
    device.ok("biometric.deregister")
    assert device.refused("biometric.verify", sample="live") == "not_found"
    assert device.refused("biometric.deregister") == "not_found"


def test_biometric_needs_consent_and_the_feature(device, make_device):
    fresh(device)
    assert device.refused("biometric.enroll") == "consent_required"
    assert device.refused("biometric.enroll", "guardian") == "denied"
    assert make_device(features=["payments"]).refused("biometric.enroll") == "unsupported"


def test_delete_removes_the_biometric_template(device):
    device.ok("biometric.enroll")
    device.ok("privacy.delete", "guardian")
    assert device.refused("biometric.verify", sample="live") == "not_found"


def test_no_liveness_check_defect(make_device):
    device = make_device(defects=["no_liveness_check"])
    device.ok("biometric.enroll")
    assert device.ok("biometric.verify", sample="photo")["verified"] is True


def test_deregister_ignored_defect(make_device):
    device = make_device(defects=["deregister_ignored"])
    device.ok("biometric.enroll")
    device.ok("biometric.deregister")
    assert device.ok("biometric.verify", sample="live")["verified"] is True


# -- PRI-6: location ---------------------------------------------------------------


def test_strangers_do_not_see_the_location(device):
    assert device.refused("location.get", "stranger") == "denied"
    assert device.refused("location.get", "stranger", account="s-1") == "denied"
    assert device.refused("location.get", "child", account="classmate-1") == "denied"
    device.ok("location.get", "guardian")


def test_other_child_sees_child_defect(make_device):
    device = make_device(defects=["other_child_sees_child"])
    assert "lat" in device.ok("location.get", "child", account="classmate-1")
    assert device.ok("profile.get", "child", account="classmate-1")["nickname"]
    assert device.refused("location.get", "stranger", account="s-1") == "denied"


def test_stranger_sees_location_defect(make_device):
    device = make_device(defects=["stranger_sees_location"])
    assert "lat" in device.ok("location.get", "stranger", account="s-1")
