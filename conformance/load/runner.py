"""One like-load run from start to verdicts: the watch, the population, the load, the audit, the report.

1. Start the reference emulator on loopback with a file database (unless
   --host names a running platform), 2. seed the population through DTP,
3. run Locust in its own processes while the test clock is driven (and, for
   the crash drill, the emulator is killed and restarted mid-load), 4. read the
   generator's tallies and the core's ledger, 5. audit, 6. write the report.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from conformance.catalogue import load_profile
from conformance.declaration import FIXTURES_DIR, load_declaration
from conformance.emulator_process import EmulatorProcess, start_emulator
from conformance.load.audit import Evidence, LoadVerdict, audit
from conformance.load.clock_driver import ClockDriver
from conformance.load.dtp import Dtp, is_loopback
from conformance.load.figures import LoadFigures, Series, read_locust_json, series_of
from conformance.load.ledger import read_ledger
from conformance.load.locust_process import STATS_PREFIX, start_locust
from conformance.load.plan import LoadPlan
from conformance.load.population import Population, seed
from conformance.load.procstat import CpuSampler
from conformance.load.tally import Tally
from device_adapters.errors import DeviceError

LOAD_PARAMETERS = ("friend_cap", "daily_like_quota", "bot_like_burst")
LOCUST_GRACE_S = 90.0  # start-up, worker hand-shake and tally collection on top of the load's duration


class LoadSetupError(RuntimeError):
    """The run could not start (bad host, emulator or seeding failure): no verdicts."""


@dataclass
class Target:
    """Where the load goes, and the emulator behind it when the harness started it."""

    url: str
    db: Path | None
    emulator: EmulatorProcess | None = None
    features: list[str] = field(default_factory=list)
    defects: list[str] = field(default_factory=list)
    token: str | None = None
    restarts: int = 0

    @property
    def pid(self) -> int | None:
        return self.emulator.process.pid if self.emulator else None

    def crash_and_restart(self) -> None:
        """kill -9 the emulator, then start it again on the same port and database."""
        assert self.emulator is not None
        self.emulator.process.kill()
        self.emulator.process.wait()
        port = int(urlsplit(self.url).port)
        self.emulator = start_emulator(features=self.features, defects=self.defects, db=self.db, token=self.token, port=port)
        self.restarts += 1

    def stop(self) -> None:
        if self.emulator:
            self.emulator.stop()


@dataclass
class LoadOutcome:
    """Everything a run produced, for the report writers."""

    run_id: str
    started: str
    finished: str
    plan: LoadPlan
    target: str
    verdicts: list[LoadVerdict]
    figures: LoadFigures | None
    series: Series
    tally: Tally
    population: Population
    cpu: dict[str, Any]
    notes: list[str]
    machine_load: str
    locust_exit: int
    commands: list[list[str]]
    defects: list[str]


def machine_load() -> str:
    """The load averages (as uptime prints them): figures on a shared machine mean little without them."""
    try:
        return "load average " + ", ".join(Path("/proc/loadavg").read_text(encoding="ascii").split()[:3])
    except OSError:
        return "load average unknown"


def _first_like(db: Path, timeout_s: float) -> bool:
    """Wait until the ledger holds a like: the load has really started. False on timeout."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=1) as probe:
                if probe.execute("SELECT count(*) FROM social_likes").fetchone()[0]:
                    return True
        except sqlite3.Error:
            pass
        time.sleep(0.1)
    return False


def run_load(
    plan: LoadPlan, output: Path, *, host: str | None = None, db: Path | None = None, device: str | Path = FIXTURES_DIR / "devices" / "emulator.yaml",
    profile: str = "gb-2027", defects: list[str] | None = None, allow_remote: bool = False, master_bind_host: str = "127.0.0.1", remote_workers: int = 0,
    run_id: str | None = None, seeded: tuple[Path, Population] | None = None,
) -> LoadOutcome:
    """Run the plan and audit it; raises LoadSetupError when the run cannot start.

    `seeded` (embedded emulator only) starts from a copy of an already seeded
    database and its population instead of seeding: runs compared with each
    other (benchmarks/like_load.py) then start from the very same state.
    """
    defects = list(defects or [])
    output.mkdir(parents=True, exist_ok=True)
    run_id = run_id or output.name
    started = datetime.now().astimezone().isoformat(timespec="seconds")
    declaration = load_declaration(device)
    token, ixit = declaration.ixit["agent_token"], declaration.ixit
    params = load_profile(profile).parameters
    parameters = {n: {"value": params[n].value, "layer": params[n].layer} for n in LOAD_PARAMETERS if n in params}
    missing_params = [n for n in LOAD_PARAMETERS if n not in parameters]
    if missing_params:
        raise LoadSetupError(f"profile {profile} sets no {', '.join(missing_params)}")
    notes: list[str] = []
    if host is None and not declaration.embedded:
        if declaration.transport != "http":
            raise LoadSetupError(f"the like load speaks DTP over HTTP; {declaration.path} declares {declaration.transport}")
        host = declaration.address  # the declared device's own endpoint
    target = _start_target(host, db, output, declaration, defects, plan, allow_remote=allow_remote, seeded_db=seeded[0] if seeded else None)

    sampler = CpuSampler(lambda: target.pid).start() if target.emulator else None
    clock: ClockDriver | None = None
    try:
        try:
            population = seeded[1] if seeded else seed(target.url, token, plan, friend_cap=parameters["friend_cap"]["value"], start=ixit["baseline_start"], child_age=ixit.get("baseline_child_age", 9))
        except (DeviceError, RuntimeError) as exc:
            raise LoadSetupError(f"seeding the population failed: {exc}") from exc
        (output / "population.json").write_text(json.dumps(population.to_json()), encoding="utf-8")
        like_plan = {"population": population.to_json(), "processes": max(1, plan.workers + remote_workers), "time_scale": plan.time_scale}

        if plan.time_scale > 0:
            if ixit.get("test_clock"):
                clock = ClockDriver(target.url, token, plan.time_scale, plan.clock_tick_s, max_s=plan.duration_s + LOCUST_GRACE_S).start()
            else:
                notes.append("the device declares no test clock: the load ran on its own clock (no time compression)")
        locust = start_locust(plan, target.url, like_plan, output, master_bind_host=master_bind_host, remote_workers=remote_workers)
        crash = None
        if plan.crash_at_s is not None:
            crash = threading.Thread(target=_crash_drill, args=(target, plan.crash_at_s, notes), daemon=True)
            crash.start()
        try:
            locust_exit = locust.wait(plan.duration_s + LOCUST_GRACE_S)
        except BaseException:  # interrupted: no Locust process outlives the run
            locust.kill()
            raise
        if crash is not None:
            crash.join(30)
        if clock is not None:
            clock.stop()
            notes.append(f"test clock driven {plan.time_scale:g}x: {clock.advanced_s / 60:.1f} trusted minutes added ({clock.errors} ticks unanswered)")
        if sampler is not None:
            sampler.stop()
        if locust_exit not in (0, 1):  # 1: Locust saw request failures, which the audit weighs
            notes.append(f"Locust exited with status {locust_exit} (see locust*.log in the output folder)")

        binding, missing = None, {}
        try:
            with Dtp(target.url, token) as dtp:
                binding = dtp.call("guardian.binding", "tester")
        except DeviceError as exc:
            missing["binding"] = f"guardian.binding after the load failed: {exc}"
    finally:
        if clock is not None:
            clock.stop()
        if sampler is not None:
            sampler.stop()
        target.stop()

    tally, ledger = _tally_and_ledger(output, target, plan.workers + remote_workers, missing)
    if target.restarts:
        notes.append(f"the emulator was killed (SIGKILL) and restarted {target.restarts} time(s) during the load")
    evidence = Evidence(tally if "tally" not in missing else None, ledger, binding, parameters, ixit["guardian"]["account"], missing)
    verdicts = audit(evidence)

    series = series_of(tally)
    cpu = _cpu_during(sampler, series) if sampler is not None else {}
    figures = None
    try:
        figures = read_locust_json(output / f"{STATS_PREFIX}.json")
    except (OSError, ValueError, KeyError) as exc:
        notes.append(f"Locust's JSON statistics could not be read: {exc}")
    return LoadOutcome(
        run_id, started, datetime.now().astimezone().isoformat(timespec="seconds"), plan, target.url, verdicts, figures, series, tally, population,
        cpu, notes, machine_load(), locust_exit, locust.commands, defects,
    )


def _start_target(host: str | None, db: Path | None, output: Path, declaration: Any, defects: list[str], plan: LoadPlan, *, allow_remote: bool, seeded_db: Path | None) -> Target:
    """The platform under load: the emulator started here on a file database, or the running one at `host`."""
    token = declaration.ixit["agent_token"]
    if host is not None:
        if not is_loopback(host) and not allow_remote:
            raise LoadSetupError(f"{host} is not a loopback address: a load goes elsewhere only with --allow-remote-host")
        if plan.crash_at_s is not None or defects or seeded_db is not None:
            raise LoadSetupError("--crash-at, --defect and a seeded database need the emulator the harness starts (no --host)")
        return Target(host.rstrip("/"), db)
    db = output / "watch.db"
    for stale in (db, db.with_name(db.name + "-wal"), db.with_name(db.name + "-shm")):
        stale.unlink(missing_ok=True)
    if seeded_db is not None:
        shutil.copyfile(seeded_db, db)
    features = declaration.present_features
    target = Target("", db, features=features, defects=defects, token=token)
    target.emulator = start_emulator(features=features, defects=defects, db=db, token=token)
    target.url = target.emulator.address
    return target


def _tally_and_ledger(output: Path, target: Target, processes: int, missing: dict[str, str]) -> tuple[Tally, Any]:
    """Every Locust process's tally merged, and the core's ledger; what cannot be read goes into `missing`."""
    tally, files = Tally.read_dir(output / "tally")
    expected = max(1, processes)
    if files < expected or (output / "tally" / "missing-workers.txt").exists():
        missing["tally"] = f"{files} of {expected} Locust processes delivered their tally"
    ledger = None
    if target.db is None:
        missing["ledger"] = "the core's ledger is not readable: give --db with the platform's SQLite file"
    else:
        try:
            ledger = read_ledger(target.db)
        except (OSError, sqlite3.Error) as exc:
            missing["ledger"] = f"reading the ledger failed: {exc}"
    return tally, ledger


def _cpu_during(sampler: CpuSampler, series: Series) -> dict[str, Any]:
    """The emulator's CPU while requests flowed (start-up and tear-down seconds left out)."""
    end = series.start + len(series.seconds)
    during = [(t, s) for t, s in sampler.samples if series.start < t <= end + 1]
    mean = sum(s for _, s in during) / len(during) if during else 0.0
    return {"emulator_cpu_s": round(mean * len(during) * sampler.interval_s, 2), "emulator_mean_core_share": round(mean, 3), "wall_s": float(len(during)),
            "samples": [(round(t, 2), round(s, 3)) for t, s in during]}


def _crash_drill(target: Target, after_s: float, notes: list[str]) -> None:
    """Once the load is really running, wait `after_s`, then kill -9 the emulator and restart it."""
    if target.db is None or not _first_like(target.db, 60):
        notes.append("crash drill skipped: no like reached the ledger")
        return
    time.sleep(after_s)
    try:
        target.crash_and_restart()
    except Exception as exc:  # reported, and the audit then shows what the outage cost
        notes.append(f"crash drill: the emulator did not come back: {exc}")
