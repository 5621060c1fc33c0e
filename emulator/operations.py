"""The registry of DTP operations the reference watch serves.

Rules modules register handlers with `@operation`. The metadata lets the core
apply the shared gates in one place: who may call it, and which app of the
watch it counts as (so time limits, night hours, disabled apps and charging
apply to every operation of that app alike).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

Handler = Callable[..., dict[str, Any] | None]


class Refusal(Exception):
    """The watch declines: becomes a DTP error reply with this code."""

    def __init__(self, code: str, reason: str = ""):
        self.code = code
        self.reason = reason
        super().__init__(f"{code}: {reason}")


@dataclass(frozen=True)
class Operation:
    name: str
    handler: Handler
    roles: tuple[str, ...]
    app: str | None  # the watch app this operation belongs to, for the usage gates
    feature: str | None  # optional feature it needs (absent on models without it)


OPERATIONS: dict[str, Operation] = {}


def operation(name: str, *, roles: tuple[str, ...], app: str | None = None, feature: str | None = None) -> Callable[[Handler], Handler]:
    def register(handler: Handler) -> Handler:
        OPERATIONS[name] = Operation(name, handler, roles, app, feature)
        return handler

    return register
