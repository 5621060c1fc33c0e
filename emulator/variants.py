"""Conformant variations at the watch's edge: how it names its apps, words its refusals and shapes its replies.

A real maker's watch differs from the reference in everything the standard
and the protocol leave open. These variants change only that edge (the rules
inside stay the reference's), so a run with one on must give the same
verdicts. Rule-level variants (stricter limits and defaults, other firmware
choices) live beside the rules they change, in emulator/rules/.
"""

from __future__ import annotations

import random
import time
from typing import Any

from device_adapters.protocol import rename_app_ids
from emulator.defects import variant

OTHER_CATALOGUE = variant("other_app_catalogue", "Other package ids and names for every preinstalled app (com.acme.*); the declaration maps the scenarios' apps to them.")
OTHER_WORDING = variant("other_refusal_wording", "Every refusal carries other wording (Chinese, no reason the reference gives).")
EXTRA_FIELDS = variant("extra_reply_fields", "Every object in a result carries a field the protocol does not define, and its keys come in another order.")
SLOW_REPLIES = variant("slow_replies", "One reply in eight takes 150-300 ms (a watch behind a slow link or a busy cloud).")

# The reference's ids -> this maker's package ids. Ids a child installs from the store pass unchanged.
PACKAGE_IDS = {
    "phone": "com.acme.dialer", "sos": "com.acme.emergency", "locate": "com.acme.findme", "guardian": "com.acme.parentlink",
    "settings": "com.acme.settings", "camera": "com.acme.camera", "stopwatch": "com.acme.timer", "maths": "com.acme.sums",
    "social": "com.acme.pals", "content": "com.acme.library", "wallet": "com.acme.pay", "assistant": "com.acme.helper",
    "store": "com.acme.market",
}
# Requests name this maker's packages; a reference id that is not one of them names nothing on this watch.
REFERENCE_IDS = {app_id: f"absent:{app_id}" for app_id in PACKAGE_IDS} | {package: app_id for app_id, package in PACKAGE_IDS.items()}
OTHER_NAMES = {"com.acme.sums": "Number garden", "com.acme.camera": "Photo booth", "com.acme.timer": "Race clock"}


def _decorated(value: Any, rng: random.Random) -> Any:
    """Every object with its keys reversed and one field of the maker's own added."""
    if isinstance(value, dict):
        decorated = {key: _decorated(item, rng) for key, item in reversed(list(value.items()))}
        decorated["x_acme_rev"] = rng.randrange(1, 1000)
        return decorated
    if isinstance(value, list):
        return [_decorated(item, rng) for item in value]
    return value


def incoming(switches: frozenset[str], message: Any) -> Any:
    """The request as the reference rules expect it."""
    if OTHER_CATALOGUE in switches and isinstance(message, dict) and isinstance(message.get("args"), dict):
        return {**message, "args": rename_app_ids(message["args"], REFERENCE_IDS)}
    return message


def outgoing(switches: frozenset[str], reply: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    """The reply as this variation of the watch words and shapes it."""
    if OTHER_CATALOGUE in switches and "result" in reply:
        result = rename_app_ids(reply["result"], PACKAGE_IDS)
        for app in result.get("apps", []) if isinstance(result.get("apps"), list) else []:
            if isinstance(app, dict) and app.get("app_id") in OTHER_NAMES:
                app["name"] = OTHER_NAMES[app["app_id"]]
        reply = {**reply, "result": result}
    if OTHER_WORDING in switches and "error" in reply:
        reply = {**reply, "error": {"code": reply["error"]["code"], "reason": f"操作未获准许（{reply['error']['code']}）"}}
    if EXTRA_FIELDS in switches and isinstance(reply.get("result"), dict):
        # The envelope is closed (docs/protocol.md section 2); results are open to the maker's own fields.
        reply = {"result": _decorated(reply["result"], rng), **{k: v for k, v in reply.items() if k != "result"}}
    if SLOW_REPLIES in switches and rng.random() < 1 / 8:
        time.sleep(rng.uniform(0.150, 0.300))
    return reply
