"""The registry of DTP operations the reference watch serves.

Rules modules register handlers with `@operation`. The metadata lets the core
apply the shared gates in one place: who may call it (the roles, and for the
guardian role, which guardian accounts), and which app of the watch it counts
as (so time limits, night hours, disabled apps and charging apply to every
operation of that app alike).
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


# What a guardian-role request's `account` names: "bound", the acting guardian, who must be the bound one (the core
# refuses any other); "candidate", a guardian who is not bound yet (binding, re-binding: the rule decides);
# "acted_upon", the account the bound guardian acts on (a friend), not the actor.
GUARDIAN_ACCOUNTS = ("bound", "candidate", "acted_upon")


@dataclass(frozen=True)
class Operation:
    name: str
    handler: Handler
    roles: tuple[str, ...]
    app: str | None  # the watch app this operation belongs to, for the usage gates
    feature: str | None  # optional feature it needs (absent on models without it)
    guardian_account: str = "bound"  # one of GUARDIAN_ACCOUNTS


OPERATIONS: dict[str, Operation] = {}


def operation(name: str, *, roles: tuple[str, ...], app: str | None = None, feature: str | None = None, guardian_account: str = "bound") -> Callable[[Handler], Handler]:
    if guardian_account not in GUARDIAN_ACCOUNTS:
        raise ValueError(f"operation {name}: guardian_account must be one of {', '.join(GUARDIAN_ACCOUNTS)}, not {guardian_account!r}")

    def register(handler: Handler) -> Handler:
        OPERATIONS[name] = Operation(name, handler, roles, app, feature, guardian_account)
        return handler

    return register
