"""Properties of reply decoding in device_adapters/protocol.py, for any JSON value or body a device may send."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from device_adapters import protocol
from device_adapters.inprocess import InProcessTransport
from device_adapters.watch import Watch
from tests.replies import bodies, decodes_properly, json_replies, with_id


def _answering(reply):
    """A device that answers every request with `reply`, the request's id where `ID` stands."""
    return lambda message: json.loads(with_id(json.dumps(reply).encode(), message["id"]))


@settings(max_examples=400)
@given(json_replies)
def test_any_json_reply_is_a_result_a_refusal_or_inconclusive(reply):
    sent = protocol.request("device.info", "tester")
    decodes_properly(lambda: protocol.result_of(sent, json.loads(with_id(json.dumps(reply).encode(), sent["id"]))))


@settings(max_examples=200)
@given(json_replies, st.dictionaries(st.sampled_from(["maths", "camera", "phone"]), st.text(min_size=1, max_size=8), max_size=3))
def test_through_the_watch_api_with_app_ids_renamed(reply, app_ids):
    """The same through `Watch.call`, which also renames app ids in the result (the device's ids to the scenario's)."""
    watch = Watch(InProcessTransport(_answering(reply)), auth="t", app_ids=app_ids)
    decodes_properly(lambda: watch.call("apps.list", "tester"))


@settings(max_examples=300)
@given(bodies)
def test_a_body_decodes_to_a_shallow_json_value_or_a_value_error(body):
    try:
        value = protocol.parse_json(body)
    except ValueError:
        return
    json.dumps(value)  # shallow enough for everything downstream that recurses (schema, renaming, masking, reports)
