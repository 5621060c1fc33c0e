"""DTP messages as bytes: what the watch's faces (HTTP, BLE) read and write, with the limits a request must keep.

A request body is at most MAX_MESSAGE_BYTES of UTF-8 JSON, nested at most
MAX_DEPTH objects and arrays deep (docs/protocol.md, section 2). Anything
else is answered `bad_request` before it reaches the rules: a watch must not
store what it cannot send back, nor fail on what a parser cannot recurse into.
"""

from __future__ import annotations

import json
import re
from typing import Any

from emulator.operations import Refusal

MAX_MESSAGE_BYTES = 1024 * 1024
MAX_DEPTH = 32

_STRINGS = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")


def _not_json_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def decode(body: bytes, size: int | None = None) -> Any:
    """The JSON value in `body` (the watch checks that it is a DTP request), or a Refusal('bad_request') saying which limit or rule of JSON it breaks.

    size: the body's length as it arrived, where the face kept only the start of a body over the limit.
    """
    size = len(body) if size is None else size
    if size > MAX_MESSAGE_BYTES:
        raise Refusal("bad_request", f"the request is {size:,} bytes; a request may have at most {MAX_MESSAGE_BYTES:,}")
    depth = deepest = 0
    # Only the brackets outside strings count: strings go first, then everything but brackets (both at C speed).
    for bracket in _STRINGS.sub(b"", body).translate(None, _NOT_BRACKETS):
        depth += 1 if bracket in b"[{" else -1
        deepest = max(deepest, depth)
    if deepest > MAX_DEPTH:
        raise Refusal("bad_request", f"the request nests {deepest} objects and arrays deep; at most {MAX_DEPTH} are allowed")
    try:
        return json.loads(body, parse_constant=_not_json_constant)
    except (ValueError, RecursionError) as exc:  # UnicodeDecodeError is a ValueError
        raise Refusal("bad_request", f"the request is not UTF-8 JSON: {exc}") from None


def encode(reply: dict[str, Any]) -> bytes:
    """The reply as UTF-8 JSON; text that cannot be UTF-8 (a lone surrogate) is written as a JSON escape instead."""
    try:
        return json.dumps(reply, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        return json.dumps(reply).encode("ascii")


def unreadable(refusal: Refusal) -> dict[str, Any]:
    """The reply to a request too broken to read an id from."""
    return {"dtp": 1, "id": "?", "ok": False, "error": {"code": refusal.code, "reason": refusal.reason}}
