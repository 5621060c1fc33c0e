"""Locust's entry point for the like-load suite: its options, the latency record, and the tally's delivery.

`conformance load` runs this in Locust's own processes; the harness never
imports it (Locust patches the interpreter with gevent). A worker on another
machine joins a run by hand (docs/load.md):

    locust -f conformance/load/locustfile.py --worker --master-host MASTER

At the end, each process's tally reaches --tally-dir on the machine that runs
the master: a lone process writes its own; a master asks every worker for
theirs (Locust messages, so remote workers need no shared disk) and waits
until all have answered. A worker stops its users before answering, so no
like can be acknowledged after its tally is taken.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import gevent
from locust import events
from locust.runners import MasterRunner, WorkerRunner

from conformance.load.tally import Tally
from conformance.load.users import TALLY, AccountBuyer, LikeBot, LikeFarmer, OrdinaryChild, Stranger

__all__ = ["AccountBuyer", "LikeBot", "LikeFarmer", "OrdinaryChild", "Stranger"]  # the user classes Locust runs

TALLY_REQUEST = "like_tally_request"
TALLY_REPLY = "like_tally"
COLLECT_TIMEOUT_S = 30.0

_received: set[str] = set()


@events.init_command_line_parser.add_listener
def _options(parser: Any) -> None:
    parser.add_argument("--like-plan", default="{}", help="the seeded population and the plan, as JSON (set by `conformance load`)")
    parser.add_argument("--tally-dir", default="", help="where the master, or a lone process, writes each process's tally")


@events.init.add_listener
def _wire(environment: Any, **_: Any) -> None:
    runner = environment.runner
    if isinstance(runner, MasterRunner):
        runner.register_message(TALLY_REPLY, _receive)
    elif isinstance(runner, WorkerRunner):
        runner.register_message(TALLY_REQUEST, _deliver)


@events.request.add_listener
def _timed(response_time: float, start_time: float, exception: Any = None, **_: Any) -> None:
    TALLY.timed(start_time + response_time / 1000.0, response_time, exception is not None)


@events.test_stop.add_listener
def _stopped(environment: Any, **_: Any) -> None:
    runner = environment.runner
    if isinstance(runner, WorkerRunner):
        return  # a worker answers the master's request instead
    if isinstance(runner, MasterRunner):
        _collect(runner)
        return
    TALLY.close()
    TALLY.write(_tally_dir(environment) / "tally-local.json")


def _tally_dir(environment: Any) -> Path:
    return Path(environment.parsed_options.tally_dir or ".")


def _collect(runner: MasterRunner) -> None:
    """Ask every worker for its tally and wait (bounded) until each has answered."""
    expected = set(runner.clients.keys())
    runner.send_message(TALLY_REQUEST)
    deadline = time.monotonic() + COLLECT_TIMEOUT_S
    while not expected <= _received and time.monotonic() < deadline:
        gevent.sleep(0.05)
    missing = expected - _received
    if missing:
        (_tally_dir(runner.environment) / "missing-workers.txt").write_text("\n".join(sorted(missing)) + "\n", encoding="utf-8")


def _receive(environment: Any, msg: Any, **_: Any) -> None:
    Tally.from_json(msg.data).write(_tally_dir(environment) / f"tally-{msg.node_id}.json")
    _received.add(msg.node_id)


def _deliver(environment: Any, msg: Any, **_: Any) -> None:
    environment.runner.stop()  # no like is acknowledged after this tally
    TALLY.close()
    environment.runner.send_message(TALLY_REPLY, TALLY.to_json())
