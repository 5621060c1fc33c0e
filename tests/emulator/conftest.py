"""Drive the reference watch in-process, through the same message handling the servers use."""

from __future__ import annotations

import itertools
from typing import Any

import pytest

from emulator.watch import DEFAULT_TOKEN, ReferenceWatch

_ids = itertools.count(1)


class Device:
    """A reference watch plus a terse way to send it DTP requests."""

    def __init__(self, watch: ReferenceWatch):
        self.watch = watch

    def send(self, op: str, role: str = "child", account: str | None = None, **args: Any) -> dict:
        message = {"dtp": 1, "id": str(next(_ids)), "op": op, "role": role, "args": args, "auth": DEFAULT_TOKEN}
        if account is not None:
            message["account"] = account
        return self.watch.handle(message)

    def ok(self, op: str, role: str = "child", account: str | None = None, **args: Any) -> dict:
        reply = self.send(op, role, account, **args)
        assert reply["ok"], f"{op} as {role}: {reply}"
        return reply["result"]

    def refused(self, op: str, role: str = "child", account: str | None = None, **args: Any) -> str:
        reply = self.send(op, role, account, **args)
        assert not reply["ok"], f"{op} as {role} was expected to be refused: {reply}"
        return reply["error"]["code"]


@pytest.fixture
def make_device(tmp_path):
    """make_device(defects=[...], features=[...]) -> Device on a fresh SQLite file."""
    made: list[ReferenceWatch] = []

    def make(**options: Any) -> Device:
        watch = ReferenceWatch(tmp_path / f"watch{len(made)}.db", **options)
        made.append(watch)
        return Device(watch)

    yield make
    for watch in made:
        watch.close()


@pytest.fixture
def device(make_device) -> Device:
    return make_device()
