"""Conformant variations and the device's own app ids: the harness must judge a watch that differs from the reference.

The variants change the reference watch's edge (ids, wording, reply shape);
the IXIT app map lets the scenarios name apps a device calls otherwise.
"""

from __future__ import annotations

import pytest

from conformance.catalogue import PARAMETER_DIRECTIONS, PARAMETER_SCHEMAS, load_profile
from conformance.selfcheck import all_variations
from device_adapters import protocol
from device_adapters.errors import Refused
from device_adapters.inprocess import InProcessTransport
from device_adapters.watch import Watch
from emulator.defects import VARIANTS, check_names
from emulator.variants import PACKAGE_IDS
from emulator.watch import DEFAULT_TOKEN, ReferenceWatch

IXIT_APPS = {role: PACKAGE_IDS[role] for role in ("phone", "sos", "locate", "guardian", "maths", "camera")}


def _watch(*switches: str, app_ids: dict[str, str] | None = None) -> Watch:
    reference = ReferenceWatch(":memory:", defects=switches)
    return Watch(InProcessTransport(reference.handle, on_close=reference.close), auth=DEFAULT_TOKEN, app_ids=app_ids)


def test_the_ixit_app_map_translates_at_the_watch_edge_both_ways():
    watch = _watch("other_app_catalogue", app_ids=IXIT_APPS)
    opened = watch.open_app("maths")
    assert opened["app_id"] == "maths"
    sent = watch.transcript.exchanges[-1]
    assert sent.request["args"]["app_id"] == "com.acme.sums" and sent.reply["result"]["app_id"] == "com.acme.sums"
    listed = {a["app_id"] for a in watch.apps(include_hidden=True, role="tester")}
    assert {"phone", "sos", "maths", "camera"} <= listed
    assert "com.acme.timer" in listed, "an app the IXIT does not map keeps the device's own id"


def test_a_device_with_another_catalogue_knows_no_reference_id_it_was_not_mapped_to():
    watch = _watch("other_app_catalogue")
    with pytest.raises(Refused) as refused:
        watch.open_app("maths")
    assert refused.value.code == "not_found"


def test_extra_result_fields_keep_the_envelope_valid():
    watch = _watch("extra_reply_fields")
    apps = watch.apps()
    assert apps and all("x_acme_rev" in app for app in apps)
    reply = watch.transcript.exchanges[-1].reply
    assert set(reply) == {"dtp", "id", "ok", "result"}, "the envelope is closed: extra fields go inside the result"


def test_other_refusal_wording_keeps_the_code():
    watch = _watch("other_refusal_wording")
    watch.set_charging(True)
    with pytest.raises(Refused) as refused:
        watch.open_app("maths")
    assert refused.value.code == "charging" and "charging" not in refused.value.reason.split("（")[0]


def test_unknown_switch_names_list_defects_and_variants():
    with pytest.raises(ValueError, match="variants: .*slow_replies"):
        check_names(["no_such_switch"])


def test_rename_leaves_what_is_not_an_app_id():
    renamed = protocol.rename_app_ids({"app_id": "maths", "exempt": ["maths", "x"], "name": "maths", "apps": [{"app_id": "camera"}]}, {"maths": "m", "camera": "c"})
    assert renamed == {"app_id": "m", "exempt": ["m", "x"], "name": "maths", "apps": [{"app_id": "c"}]}


def test_every_parameter_has_a_direction_and_numbers_are_judged_by_it():
    assert set(PARAMETER_DIRECTIONS) == set(PARAMETER_SCHEMAS)
    profile = load_profile("gb-2027")
    assert profile.admits("friend_cap", 100) and not profile.admits("friend_cap", 151)
    assert profile.admits("content_block_rate_min", 0.99) and not profile.admits("content_block_rate_min", 0.5)
    assert profile.admits("rest_reminder_minutes", 30) and not profile.admits("rest_reminder_minutes", 29)
    with pytest.raises(ValueError, match="covers"):
        profile.admits("night_start", 1)


def test_validation_runs_every_variant_and_the_other_shipped_models():
    names = {v.name for v in all_variations()}
    assert set(VARIANTS) <= names and {"basic_model", "no_test_clock"} <= names


def test_a_run_of_the_emulator_with_switches_says_so_in_every_report(tmp_path):
    from conformance.validation import run_suite

    data = run_suite(tmp_path / "run", defects=("no_rest_reminder",), variants=("other_refusal_wording",), select="CSW-ADD-5", in_process=True)
    assert data["emulator_switches"] == {"defects": ["no_rest_reminder"], "variants": ["other_refusal_wording"]}
    page = (tmp_path / "run" / "report.html").read_text(encoding="utf-8")
    assert "defects switched on" in page and "no_rest_reminder" in page and "other_refusal_wording" in page
