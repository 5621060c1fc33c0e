"""In-process transport: DTP messages handed to a handler in the same process, as JSON text.

For self-validation at speed: the same Watch API, steps and messages, minus
the sockets. Each message is serialised and parsed as a wire would carry it,
so nothing passes that a real transport would not. The handler is one
watch on one SQLite connection, so exchanges are handled one at a time, even
when several threads send at once.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from typing import Any

from device_adapters.errors import MalformedReply
from device_adapters.transport import Transport


class InProcessTransport(Transport):
    name = "in-process"

    def __init__(self, handler: Callable[[Any], Any], *, on_close: Callable[[], None] | None = None, label: str = "in-process"):
        self.handler = handler
        self.on_close = on_close
        self.label = label
        self._lock = threading.Lock()

    def exchange(self, message: dict[str, Any]) -> Any:
        with self._lock:
            reply = self.handler(json.loads(json.dumps(message)))
        try:
            return json.loads(json.dumps(reply))
        except (TypeError, ValueError) as exc:
            raise MalformedReply(f"in-process reply to {message.get('op')} is not JSON: {exc}") from exc

    def describe(self) -> str:
        return self.label

    def close(self) -> None:
        if self.on_close is not None:
            self.on_close()
