"""Device Test Protocol v1: message envelopes, roles, error codes and operations.

The same JSON messages travel over every transport (HTTP, BLE GATT). See
docs/protocol.md for the prose and schema/dtp-v1.schema.json for the schema.
"""

from __future__ import annotations

import itertools
import json
from pathlib import Path
from typing import Any

import jsonschema
from jsonschema.exceptions import best_match

from device_adapters.errors import MalformedReply, Refused, UnsupportedOperation

VERSION = 1
ROLES = ("child", "guardian", "stranger", "tester")
SCHEMA_PATH = Path(__file__).parent / "schema" / "dtp-v1.schema.json"

# Codes a device uses to decline an action. `unknown_op` and `bad_request`
# mean the exchange itself failed; every other code is an ordinary refusal.
PROTOCOL_FAULTS = {"unknown_op", "bad_request", "internal"}
REFUSAL_CODES = {
    "unauthenticated": "the request carries no valid test-agent token",
    "denied": "the acting role may not do this",
    "unsupported": "the device has no such feature",
    "not_found": "no such app, account, post or item",
    "time_limit": "the daily usable duration is used up",
    "outside_period": "outside the guardian's usable periods",
    "curfew": "night hours",
    "disabled": "the guardian made this unavailable",
    "approval_required": "waiting for the guardian's approval or consent",
    "consent_required": "the guardian has not consented",
    "limit_exceeded": "above a payment limit",
    "not_allowed": "the watch never allows this",
    "blocked": "blocked as harmful or malicious",
    "charging": "the watch is charging",
    "quota_exceeded": "daily quota used up",
    "duplicate": "already done once",
    "throttled": "too fast: treated as automated",
    "cap_reached": "a count cap is reached",
    "verification_required": "the current guardian must verify",
    "invalid_signature": "the image is not signed by the maker",
    "downgrade": "older than the installed version",
    "bad_credentials": "wrong password or biometric",
}


def _reply_schema() -> dict:
    """The schema with replies as its root, so that its internal references still resolve."""
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    del schema["oneOf"]
    schema["$ref"] = "#/$defs/reply"
    return schema


_REPLY_VALIDATOR = jsonschema.Draft202012Validator(_reply_schema())


def schema_problem(reply: Any) -> str | None:
    """Where `reply` leaves the DTP v1 reply schema, as "path: what is wrong", or None when it does not."""
    errors = list(_REPLY_VALIDATOR.iter_errors(reply))
    if not errors:
        return None
    chosen = errors
    # A reply is a oneOf of success and error: the telling error lies in the branch the reply's own `ok` chose.
    for error in errors:
        branches: dict[Any, list[jsonschema.ValidationError]] = {}
        for sub in error.context:
            branches.setdefault(sub.relative_schema_path[0], []).append(sub)
        agreeing = [subs for subs in branches.values() if not any(list(s.absolute_path) == ["ok"] for s in subs)]
        if agreeing:
            chosen = agreeing[0]
    best = best_match(chosen)
    return f"{'/'.join(str(p) for p in best.absolute_path) or '(root)'}: {best.message}"
_ids = itertools.count(1)


# Deeper than any DTP message: a reply nested further is refused at the door, before anything recurses into it.
MAX_NESTING = 64


def parse_json(body: bytes | str) -> Any:
    """Decode one reply body (UTF-8 JSON); raise ValueError, with the reason, for anything that is not a JSON value a reply can be."""
    try:
        value = json.loads(body)
    except RecursionError:  # json's own recursion gave out: nested far deeper than MAX_NESTING
        raise ValueError(f"nested deeper than {MAX_NESTING} levels") from None
    # ValueError covers bad JSON and bad UTF-8 (UnicodeDecodeError); TypeError cannot occur for bytes or str.
    pending, depth = [(value, 1)], 0
    while pending:
        item, level = pending.pop()
        depth = max(depth, level)
        if depth > MAX_NESTING:
            raise ValueError(f"nested deeper than {MAX_NESTING} levels")
        if isinstance(item, dict):
            pending += [(v, level + 1) for v in item.values()]
        elif isinstance(item, list):
            pending += [(v, level + 1) for v in item]
    return value


def request(op: str, role: str, args: dict[str, Any] | None = None, *, account: str | None = None, auth: str | None = None) -> dict[str, Any]:
    """Build one request message."""
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}; expected one of {ROLES}")
    message: dict[str, Any] = {"dtp": VERSION, "id": str(next(_ids)), "op": op, "role": role, "args": args or {}}
    if account is not None:
        message["account"] = account
    if auth is not None:
        message["auth"] = auth
    return message


def result_of(sent: dict[str, Any], reply: Any) -> dict[str, Any]:
    """Check a reply against the request it answers; return its result or raise."""
    problem = schema_problem(reply)
    if problem:
        raise MalformedReply(f"reply out of schema: {problem} (the reply to {sent['op']}, id {sent['id']}; DTP v1)")
    if reply["id"] != sent["id"]:
        raise MalformedReply(f"reply id {reply['id']!r} does not answer request id {sent['id']!r} ({sent['op']})")
    if reply["ok"]:
        return reply["result"]
    code, reason = reply["error"]["code"], reply["error"].get("reason", "")
    if code in PROTOCOL_FAULTS:
        raise UnsupportedOperation(f"{sent['op']}: {code} ({reason})", code)
    raise Refused(code, reason, sent["op"])


def rename_app_ids(value: Any, ids: dict[str, str]) -> Any:
    """`value` with app ids renamed by `ids` wherever the protocol carries one: `app_id` fields and `exempt` lists."""
    if not ids:  # the common case (a device that keeps the reference ids): no walk over every reply
        return value
    if isinstance(value, dict):
        renamed: dict[str, Any] = {}
        for key, item in value.items():
            if key == "app_id" and isinstance(item, str):
                renamed[key] = ids.get(item, item)
            elif key == "exempt" and isinstance(item, list):
                renamed[key] = [ids.get(a, a) if isinstance(a, str) else a for a in item]
            else:
                renamed[key] = rename_app_ids(item, ids)
        return renamed
    if isinstance(value, list):
        return [rename_app_ids(item, ids) for item in value]
    return value
