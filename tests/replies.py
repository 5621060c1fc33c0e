"""Hypothesis strategies for what a device may send back, and the one property every decoding path must keep.

The property: decoding a reply either gives a proper answer (a result, or a
refusal the device meant) or raises an `InconclusiveError`, which the harness
turns into INCONCLUSIVE (device_adapters/errors.py). Any other exception would
become an ERROR verdict, blaming the harness for what the device sent.

`ID` in a generated reply stands for the id of the request it answers: the
device side puts the real one in, so that replies get past the id check and
into the result and error handling too.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from hypothesis import strategies as st

from device_adapters.errors import InconclusiveError, Refused

ID = "\x00request-id\x00"

scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True, allow_infinity=True) | st.text(max_size=12)
json_values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4), max_leaves=16)

# Close to DTP: the envelope's keys, with values of the right kind, the wrong kind, or the request's own id.
_keys = st.sampled_from(["dtp", "id", "ok", "result", "error", "code", "reason", "extra"])
_near_scalars = st.none() | st.booleans() | st.integers(-1, 2) | st.just(ID) | st.sampled_from(["denied", "unsupported", "internal", "unknown_op", "bad_request", "Bad Code", ""])
near_dtp = st.recursive(_near_scalars, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_keys, inner, max_size=6), max_leaves=20)
envelopes = st.fixed_dictionaries({"dtp": st.just(1) | json_values, "id": st.just(ID) | json_values, "ok": st.booleans() | json_values}, optional={
    "result": json_values, "error": st.fixed_dictionaries({"code": st.text(max_size=12) | json_values}, optional={"reason": json_values}) | json_values,
})


def _nested(depth: int, leaf: str) -> str:
    return "[" * depth + leaf + "]" * depth


# Nesting at every scale: shallow, past the protocol's limit, and past Python's own recursion limit.
deep_bodies = st.builds(lambda depth, inside: (_nested(depth, "") if not inside else json.dumps({"dtp": 1, "id": ID, "ok": True, "result": {"a": "@"}}).replace('"@"', _nested(depth, "1"))),
                        st.integers(1, 4000), st.booleans())

json_replies = json_values | near_dtp | envelopes
# A reply body as bytes: anything at all, or JSON that means something, or deep nesting.
bodies = st.binary(max_size=200) | json_replies.map(lambda v: json.dumps(v).encode()) | deep_bodies.map(str.encode) | st.text(max_size=40).map(lambda t: t.encode("utf-8", "surrogatepass"))


def with_id(body: bytes, request_id: str) -> bytes:
    """The body with the request's id where `ID` stands (in JSON text, as json.dumps wrote it)."""
    return body.replace(json.dumps(ID)[1:-1].encode(), request_id.encode())


def decodes_properly(call: Callable[[], Any]) -> None:
    """Run one exchange and decoding; anything but a result, a refusal or an InconclusiveError fails the property."""
    try:
        result = call()
    except (Refused, InconclusiveError):
        return
    assert isinstance(result, dict), f"a decoded result must be an object, not {type(result).__name__}"
