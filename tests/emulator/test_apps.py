"""The reference watch's store and approvals: what a package is, and reinstalling."""

from __future__ import annotations


def test_store_refuses_a_known_game_whatever_category_it_claims(device):
    assert device.refused("apps.install", app_id="com.tencent.tmgp.sgame", name="王者荣耀", category="education") == "blocked"
    assert device.refused("apps.install", app_id="study.helper", name="开心消消乐", category="education") == "blocked"
    assert device.ok("apps.install", app_id="pocket.dictionary", name="Pocket dictionary", category="education")["state"] == "pending"


def test_store_trusting_the_category_installs_a_game_listed_as_education(make_device):
    device = make_device(defects=["store_trusts_declared_category"])
    assert device.ok("apps.install", app_id="com.tencent.tmgp.sgame", name="王者荣耀", category="education")["state"] == "pending"


def test_reinstalling_a_pending_app_keeps_it_pending(device):
    device.ok("apps.install", app_id="pocket.dictionary", name="Pocket dictionary", category="tool")
    device.ok("apps.uninstall", app_id="pocket.dictionary")
    assert device.ok("apps.install", app_id="pocket.dictionary", name="Pocket dictionary", category="tool")["state"] == "pending"


def test_a_reinstalled_approved_app_is_remembered_or_waits_again_on_the_stricter_store(device, make_device):
    for watch, expected in ((device, "installed"), (make_device(defects=["stricter_apps"]), "pending")):
        watch.ok("apps.install", app_id="pocket.dictionary", name="Pocket dictionary", category="tool")
        watch.ok("apps.approve", "guardian", app_id="pocket.dictionary")
        watch.ok("apps.uninstall", app_id="pocket.dictionary")
        assert watch.ok("apps.install", app_id="pocket.dictionary", name="Pocket dictionary", category="tool")["state"] == expected


def test_stricter_store_refuses_apps_it_does_not_offer(make_device):
    device = make_device(defects=["stricter_apps"])
    assert device.refused("apps.install", app_id="unknown.app", name="Unknown", category="tool") == "not_found"
