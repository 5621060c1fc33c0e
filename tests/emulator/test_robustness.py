"""The reference watch answers malformed requests as a conformant watch must: `bad_request`, never `internal`.

Two layers: the bytes (size and nesting, on the HTTP and BLE faces) and the
envelope (exact `dtp`, `id`, `account`).
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest

from emulator import wire
from emulator.ble import json_answer
from emulator.server import build_app
from emulator.watch import DEFAULT_TOKEN, ReferenceWatch


def request(op: str = "device.info", role: str = "tester", **envelope: Any) -> dict:
    return {"dtp": 1, "id": "1", "op": op, "role": role, "args": {}, "auth": DEFAULT_TOKEN, **envelope}


# -- the bytes: size and nesting ------------------------------------------------------------


def post(app: Any, body: bytes, chunk: int = 65536) -> tuple[int, bytes]:
    """One POST /dtp/v1 through the HTTP face's ASGI app, the body in chunks as a server delivers it."""
    parts = [body[i : i + chunk] for i in range(0, len(body), chunk)] or [b""]
    events = [{"type": "http.request", "body": part, "more_body": i < len(parts) - 1} for i, part in enumerate(parts)]
    sent: list[dict] = []

    async def receive() -> dict:
        return events.pop(0)

    async def send(event: dict) -> None:
        sent.append(event)

    scope = {"type": "http", "method": "POST", "path": "/dtp/v1", "headers": []}
    asyncio.run(app(scope, receive, send))
    return sent[0]["status"], b"".join(e.get("body", b"") for e in sent[1:])


def nested(depth: int) -> bytes:
    return json.dumps(request(args={"deep": "@"})).encode().replace(b'"@"', b"[" * depth + b"]" * depth)


@pytest.fixture
def http_face(tmp_path):
    watch = ReferenceWatch(tmp_path / "w.db")
    yield build_app(watch)
    watch.close()


def test_an_oversize_body_is_a_bad_request_and_stores_nothing(http_face):
    text = "x" * (wire.MAX_MESSAGE_BYTES + 1)
    status, body = post(http_face, json.dumps({**request("posts.create", "child"), "args": {"text": text}}).encode())
    reply = json.loads(body)
    assert status == 200 and reply["error"]["code"] == "bad_request" and reply["id"] == "?"
    assert f"{wire.MAX_MESSAGE_BYTES:,}" in reply["error"]["reason"]
    feed = json.loads(post(http_face, json.dumps(request("posts.feed", "child")).encode())[1])
    assert feed["ok"] and feed["result"]["posts"] == []


def test_a_body_at_the_limit_is_read(http_face):
    message = json.dumps(request()).encode()
    padded = message[:-1] + b" " * (wire.MAX_MESSAGE_BYTES - len(message)) + b"}"
    assert len(padded) == wire.MAX_MESSAGE_BYTES
    assert json.loads(post(http_face, padded)[1])["ok"]


@pytest.mark.parametrize("depth", [wire.MAX_DEPTH - 2, 10_000])
def test_deep_nesting_is_a_bad_request_not_a_server_error(http_face, depth):
    status, body = post(http_face, nested(depth))
    reply = json.loads(body)
    assert status == 200
    if depth + 2 <= wire.MAX_DEPTH:  # the envelope and args are two levels
        assert reply["ok"], reply
    else:
        assert reply["error"]["code"] == "bad_request" and str(wire.MAX_DEPTH) in reply["error"]["reason"]


@pytest.mark.parametrize("body", [b"{", b"\xff\xfe", b'{"dtp": NaN}', b"[]", b'"\\ud800"'])
def test_what_is_not_a_dtp_object_is_a_bad_request(http_face, body):
    reply = json.loads(post(http_face, body)[1])
    assert reply == {"dtp": 1, "id": "?", "ok": False, "error": {"code": "bad_request", "reason": reply["error"]["reason"]}}


def test_the_ble_face_applies_the_same_limits(tmp_path):
    watch = ReferenceWatch(tmp_path / "w.db")
    answer = json_answer(watch.handle)
    assert json.loads(answer(nested(10_000)))["error"]["code"] == "bad_request"
    assert json.loads(answer(b" " * (wire.MAX_MESSAGE_BYTES + 1)))["error"]["code"] == "bad_request"
    assert json.loads(answer(json.dumps(request()).encode()))["ok"]
    watch.close()


def test_a_reply_that_cannot_be_utf8_is_still_json():
    # A lone surrogate cannot be UTF-8: the reply escapes it rather than failing to encode.
    reply = {"dtp": 1, "id": "1", "ok": True, "result": {"text": "\ud800"}}
    assert json.loads(wire.encode(reply)) == reply


# -- the envelope ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "envelope, named",
    [
        ({"dtp": True}, "dtp"),
        ({"dtp": 1.0}, "dtp"),
        ({"dtp": 2}, "dtp"),
        ({"id": ""}, "id"),
        ({"id": "x" * 65}, "id"),
        ({"id": "x" * 10_000}, "id"),
        ({"id": 7}, "id"),
        ({"account": 5}, "account"),
        ({"account": {"a": 1}}, "account"),
        ({"account": None}, "account"),
        ({"role": None}, "role"),
    ],
)
def test_the_envelope_is_checked_exactly(device, envelope, named):
    reply = device.watch.handle(request(**envelope))
    assert reply["error"]["code"] == "bad_request", reply
    assert f"'{named}'" in reply["error"]["reason"]
    # The reply's id is one the reply schema allows: the request's when it is a valid id, else "?".
    assert reply["id"] == ("1" if "id" not in envelope else "?")


def test_an_id_of_64_characters_is_accepted(device):
    assert device.watch.handle(request(id="x" * 64)) == {"dtp": 1, "id": "x" * 64, "ok": True, "result": device.ok("device.info", "tester")}
