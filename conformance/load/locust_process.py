"""Locust in its own processes: one headless process, or Locust's master with N worker processes on loopback.

Never in the harness's process: importing Locust patches the interpreter with
gevent. Output goes to files in the run's folder; final counts are read from
--json-file, not from stdout (each worker prints `[]` there).
"""

from __future__ import annotations

import json
import math
import os
import socket
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from conformance.load.plan import USER_CLASSES, LoadPlan

LOCUSTFILE = Path(__file__).resolve().with_name("locustfile.py")
ROOT = LOCUSTFILE.parents[2]
STATS_PREFIX = "locust"
LOCUST_MASTER_PORT = 5557  # locust.json, locust_stats.csv, locust_stats_history.csv, ...


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class LocustRun:
    processes: list[subprocess.Popen] = field(default_factory=list)  # the master (or the lone process) first
    commands: list[list[str]] = field(default_factory=list)

    def wait(self, timeout_s: float) -> int:
        """Wait for the master (or the lone process), then its workers; kill what outlives the timeout. The master's exit code."""
        try:
            code = self.processes[0].wait(timeout_s)
        except subprocess.TimeoutExpired:
            self.kill()
            return -9
        for worker in self.processes[1:]:
            try:
                worker.wait(15)
            except subprocess.TimeoutExpired:
                worker.kill()
                worker.wait()
        return code

    def kill(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.kill()
                process.wait()


def start_locust(plan: LoadPlan, host: str, like_plan: dict, output: Path, *, master_bind_host: str = "127.0.0.1", remote_workers: int = 0) -> LocustRun:
    """Start the load: headless, for the plan's duration, with the plan's mix; returns at once."""
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])), PYTHONUNBUFFERED="1")
    base = [sys.executable, "-m", "locust", "-f", str(LOCUSTFILE), "--loglevel", "WARNING"]
    weights = [{"user_class_name": USER_CLASSES[kind], "weight": weight} for kind, weight in plan.mix.items()]
    lead = base + [
        "--headless", "--host", host, "--users", str(plan.users), "--spawn-rate", str(plan.spawn_rate), "--run-time", f"{math.ceil(plan.duration_s)}s",
        "--stop-timeout", "0",  # users stop at once; a like in flight then is recorded as unanswered
        "--only-summary",  # no periodic console table: it costs the generator CPU and nobody reads it
        "--json-file", str(output / STATS_PREFIX), "--csv", str(output / STATS_PREFIX), "--csv-full-history",
        "--config-users", json.dumps(weights), "--like-plan", json.dumps(like_plan, separators=(",", ":")), "--tally-dir", str(output / "tally"),
    ]
    workers = plan.workers + remote_workers
    # Workers on other machines find the master on Locust's default port; local ones on any free port.
    port = LOCUST_MASTER_PORT if remote_workers else _free_port()
    if workers:
        lead += ["--master", "--master-bind-host", master_bind_host, "--master-bind-port", str(port), "--expect-workers", str(workers), "--expect-workers-max-wait", "60"]
    commands = [lead + ["--logfile", str(output / "locust-master.log" if workers else output / "locust.log")] + [USER_CLASSES[kind] for kind in plan.mix]]
    for index in range(plan.workers):
        commands.append(base + ["--worker", "--master-host", "127.0.0.1", "--master-port", str(port), "--logfile", str(output / f"locust-worker-{index}.log")])
    run = LocustRun(commands=commands)
    for index, command in enumerate(commands):
        out = open(output / (f"locust-{index}.out" if index else "locust-main.out"), "w", encoding="utf-8")  # noqa: SIM115 - the child keeps it
        run.processes.append(subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, env=env, cwd=str(output)))
        out.close()
    return run
