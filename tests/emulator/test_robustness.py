"""The reference watch answers malformed requests as a conformant watch must: `bad_request`, never `internal`.

Three layers: the bytes (size and nesting, on the HTTP and BLE faces), the
envelope (exact `dtp`, `id`, `account`), and every operation's arguments
(swept: each documented argument of each operation, given a wrong value).
"""

from __future__ import annotations

import asyncio
import json
import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from emulator import wire
from emulator.ble import json_answer
from emulator.operations import OPERATIONS
from emulator.server import build_app
from emulator.watch import DEFAULT_TOKEN, ReferenceWatch

DOC = Path(__file__).resolve().parents[2] / "docs" / "protocol.md"
START = "2027-01-04T09:00:00+08:00"


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


def test_a_restarted_emulator_answers_at_once_and_keeps_what_it_stored(tmp_path):
    # docs/protocol.md 6.3: a success survives a crash of the agent; a new store starts at the baseline.
    watch = ReferenceWatch(tmp_path / "w.db")
    assert watch.handle(request())["ok"], "a new emulator does not answer before the first agent.reset"
    assert watch.handle(request("controls.set_daily_limit", "guardian", args={"minutes": 45}))["ok"]
    watch.close()
    again = ReferenceWatch(tmp_path / "w.db")
    reply = again.handle(request("controls.get", "guardian"))
    again.close()
    assert reply["ok"] and reply["result"]["daily_limit_minutes"] == 45, reply


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


# -- every operation's arguments ---------------------------------------------------------------


def documented_arguments() -> dict[str, list[str]]:
    """Each operation's argument names, as its section of docs/protocol.md lists them under "- Arguments:"."""
    text = DOC.read_text(encoding="utf-8")
    parts = re.split(r"^#{3,5} `([a-z_]+(?:\.[a-z_]+)+)`\s*$", text, flags=re.MULTILINE)
    arguments = {}
    for op, body in zip(parts[1::2], parts[2::2], strict=True):
        listed = re.search(r"^- Arguments:(.*?)(?=^- |^#|\Z)", body, flags=re.MULTILINE | re.DOTALL)
        names = re.findall(r"`([a-z_]+)`", listed.group(1)) if listed else []
        arguments[op] = list(dict.fromkeys(n for n in names if n not in ("null", "true", "false")))
    return arguments


ARGUMENTS = documented_arguments()

# A valid value for every argument name the document lists (some names mean different things in different operations).
VALID: dict[str, Any] = {
    "start": START, "child_age": 9, "setup": "bound", "child_birthdate": "2018-01-04", "seconds": 60, "charging": True,
    "lat": 22.54, "lon": 114.06, "local": "2027-01-04T10:00:00+08:00", "timezone": "+08:00", "guardian_password": "000000",
    "include_hidden": True, "app_id": "maths", "name": "Lili", "category": "education", "source": "store", "signature": "valid",
    "enabled": True, "minutes": 30, "exempt": ["maths"], "periods": [{"start": "08:00", "end": "09:00"}], "end": "09:00",
    "agreement_id": "wallet-v1", "password": "Kite-7291", "per_transaction_yuan": 50, "per_month_yuan": 200,
    "merchant": "Stationery shop", "amount_yuan": 12.5, "kind": "purchase", "purpose": "goods", "permission": "camera",
    "microphone": True, "camera": True, "location": True, "sample": "live", "number": "13924681357", "peer_number": "13800000001",
    "peer_nickname": "Ming", "peer_brand": "OtherBrand", "url": "https://kids.example.com/page", "title": "Stars", "text": "Hello",
    "min_age": 6, "item_id": "item-1", "query": "stars", "to": "child", "prompt": "Why is the sky blue?", "version": "1.2.0",
    "nickname": "Lili", "befriend": False, "target": "child", "method": "nearby", "account": "acct-1", "post_id": "post-1",
    "new_guardian": "guardian-2", "verification": "123456",
}
OVERRIDES: dict[tuple[str, str], Any] = {("accounts.create", "kind"): "child", ("firmware.update", "signature"): "valid"}

# Values of the wrong type or out of any range, and strings no text field should choke on.
WRONG: list[Any] = [None, True, 0, -4, 1.5, 1e308, -1e308, 10**30, "", "\ud800", "post-\u00b2", "验证码", [], [None], [{"start": 5}], [[]], {}, {"start": 5}]


def sweep_requests() -> list[tuple[str, str, dict[str, Any], str | None]]:
    """(op, role, args, the argument made wrong) for every operation, every role it admits, every documented argument, every wrong value."""
    cases = []
    for op in sorted(OPERATIONS):
        names = ARGUMENTS.get(op, [])
        valid = {name: OVERRIDES.get((op, name), VALID[name]) for name in names}
        for role in OPERATIONS[op].roles:
            cases.append((op, role, valid, None))
            cases.extend((op, role, {**valid, name: value}, name) for name in names for value in WRONG)
    return cases


def test_every_documented_argument_has_a_valid_example():
    missing = sorted({name for names in ARGUMENTS.values() for name in names} - set(VALID))
    assert not missing, f"VALID has no example for the documented arguments {missing}"
    assert ARGUMENTS["clock.advance"] == ["seconds"] and "name" in ARGUMENTS["contacts.add"]


def test_no_wrong_argument_makes_the_watch_fail(tmp_path):
    """Every operation, every role, every documented argument wrong in every way: a refusal or a success, never `internal`.

    A `bad_request` names the argument it is about, so the lab can tell which one was wrong.
    """
    watch = ReferenceWatch(tmp_path / "w.db")
    failures, unnamed = [], []
    current = None
    for n, (op, role, args, wrong) in enumerate(sweep_requests()):
        if op != current:  # each operation from the baseline, so one operation's effects do not hide another's checks
            watch.handle({**request("agent.reset"), "args": {"start": START, "child_age": 9}})
            current = op
        reply = watch.handle({**request(op, role, id=str(n)), "args": args, **({"account": "acct-1"} if op.startswith("friends.") and role == "guardian" else {})})
        code = None if reply["ok"] else reply["error"]["code"]
        if code == "internal":
            failures.append(f"{op} as {role} with {wrong}={args.get(wrong)!r}: {reply['error']['reason']}")
        elif code == "bad_request" and wrong is not None and not any(name in reply["error"]["reason"] for name in [*args, "account"]):
            unnamed.append(f"{op} as {role} with {wrong}={args.get(wrong)!r}: {reply['error']['reason']}")
    watch.close()
    assert not failures, f"{len(failures)} requests were answered `internal`:\n" + "\n".join(failures[:40])
    assert not unnamed, f"{len(unnamed)} `bad_request` replies name no argument:\n" + "\n".join(unnamed[:40])


@pytest.mark.parametrize(
    "op, role, args",
    [
        ("clock.advance", "tester", {"seconds": None}),
        ("controls.set_periods", "guardian", {"periods": [{"start": 5}]}),
        ("ai.ask", "child", {"prompt": None}),
        ("contacts.add", "guardian", {"number": "13924681357", "name": None}),
        ("contacts.add", "guardian", {"number": None, "name": "Lili"}),
        ("posts.create", "child", {"text": "\ud800"}),
        ("agent.reset", "tester", {"start": START, "child_age": -4}),
        ("location.simulate", "tester", {"lat": 1000, "lon": 0}),
        ("controls.set_daily_limit", "guardian", {"minutes": True, "exempt": []}),
        ("controls.set_daily_limit", "guardian", {"minutes": 30, "exempt": [{"app": 1}]}),
        ("clock.advance", "tester", {"seconds": float("nan")}),
    ],
)
def test_the_reported_wrong_arguments_are_bad_requests(device, op, role, args):
    reply = device.send(op, role, **args)
    assert reply["error"]["code"] == "bad_request", reply
    assert any(f"'{name}'" in reply["error"]["reason"] for name in args), reply


JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8), lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner, max_size=3), max_leaves=6)


@st.composite
def any_call(draw) -> tuple[str, str, dict]:
    op = draw(st.sampled_from(sorted(OPERATIONS)))
    names = ARGUMENTS.get(op, []) or ["value"]
    args = draw(st.dictionaries(st.sampled_from(names), st.one_of(st.sampled_from([VALID.get(n) for n in names]), st.sampled_from(WRONG), JSON), max_size=len(names)))
    return op, draw(st.sampled_from(OPERATIONS[op].roles)), args


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(call=any_call())
def test_any_arguments_get_a_reply_that_is_not_internal(device, call):
    op, role, args = call
    reply = device.send(op, role, **args)
    assert reply["ok"] or reply["error"]["code"] != "internal", f"{op} as {role} with {args!r}: {reply}"
