"""`conformance run --farm FARM.yaml`: the suite against every device of a farm, in parallel, and the matrix of their verdicts.

Each device runs as its own `python -m conformance run --device D --output DIR/<name>` process, driven by a
thread of a ThreadPoolExecutor: a device run that crashes or is killed takes nothing down with it, and each
device's folder holds that run's usual reports. Devices reached through one radio adapter (real BLE) run one
after another in a single worker; everything else runs side by side, up to --jobs at once.

The farm's exit status is the worst of the devices', ranked as one run ranks its own outcomes:
4 (could not start, unreachable) > 3 (interrupted, crashed, not started) > 1 (a mandatory clause fails)
> 2 (none fails, some could not be judged) > 0 (pass). A device the farm says nothing about outranks a
device found failing, as an interrupted run's 3 outranks the FAILs it found.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from conformance.datafile import ConfigError
from conformance.farm import Farm, FarmDevice, load_farm

FARM_RECORD = "farm.json"
FARM_PAGE = "farm.html"
CONSOLE_LOG = "console.log"  # what the device's run printed, in its run folder
# Run options that choose what runs against what: a farm's declarations choose the devices (and the emulator's
# defects), and each device's folder is the farm's to name.
NOT_WITH_FARM = ("device", "defect", "variant", "resume", "rerun", "only", "run_id")
# Exit status -> rank: the farm's status is the device status of highest rank (see the module's docstring).
RANK = {0: 0, 2: 1, 1: 2, 3: 3, 4: 4}
OUTCOME_WORDS = {0: "PASS", 1: "FAIL", 2: "INCONCLUSIVE", 3: "INTERRUPTED", 4: "COULD NOT START"}
UNREACHABLE, CRASHED, NOT_STARTED = "UNREACHABLE", "CRASHED", "NOT STARTED"


@dataclass
class DeviceRun:
    """One device's part of the farm: how its run ended and what it found."""

    device: FarmDevice
    folder: Path
    exit_status: int
    outcome: str  # PASS, FAIL, INCONCLUSIVE, INTERRUPTED, COULD NOT START, UNREACHABLE, CRASHED, NOT STARTED
    message: str = ""
    duration_s: float = 0.0
    results: dict[str, Any] | None = None

    @property
    def identity(self) -> dict[str, str]:
        """Model and firmware as the device reported them in its run, else as its declaration gives them."""
        reported = (self.results or {}).get("device") or {}
        declared = self.device.declaration
        return {"model": reported.get("model") or declared.model, "firmware": reported.get("firmware") or declared.firmware,
                "manufacturer": declared.manufacturer}

    @property
    def verdicts(self) -> dict[str, str]:
        return {c["id"]: c["verdict"] for c in (self.results or {}).get("clauses", [])}

    def to_json(self, output: Path) -> dict[str, Any]:
        declared = self.device.declaration
        return {
            "name": self.device.name,
            "declaration": self.device.declaration_path,
            "declared": {"model": declared.model, "firmware": declared.firmware, "manufacturer": declared.manufacturer,
                         "transport": declared.transport, "address": declared.address, "defects": list(declared.emulator.get("defects", []))},
            "identity": self.identity,
            "run_folder": os.path.relpath(self.folder, output),
            "exit_status": self.exit_status,
            "outcome": self.outcome,
            "message": self.message,
            "duration_s": round(self.duration_s, 1),
            "clause_verdicts": self.verdicts,
        }


def check_farm_options(args: argparse.Namespace, defaults: argparse.Namespace) -> None:
    for name in NOT_WITH_FARM:
        if getattr(args, name) != getattr(defaults, name):
            raise ConfigError(args.farm, f"--{name.replace('_', '-')}", "cannot go with --farm: the farm file names the devices (a declaration's emulator.defects switches defects), and the farm names each device's run folder")
    if args.jobs is not None and args.jobs < 1:
        raise ConfigError(str(args.jobs), "--jobs", "is the number of devices run at once: 1 or more")


def device_command(args: argparse.Namespace, device: FarmDevice, folder: Path) -> list[str]:
    """The device's own `conformance run`, with the run options that apply to every device of the farm."""
    command = [sys.executable, "-m", "conformance", "run", "--device", device.declaration_path, "--output", str(folder), "--run-id", device.name,
               "--profile", args.profile, "--retries", str(args.retries)]
    for tailoring in args.tailoring:
        command += ["--tailoring", tailoring]
    if args.waivers:
        command += ["--waivers", args.waivers]
    command += [option for option, given in (("--audit", args.audit), ("--allow-mandatory-waivers", args.allow_mandatory_waivers)) if given]
    if args.select:
        command += ["--select", args.select]
    if args.keyword:
        command += ["--keyword", args.keyword]
    # --in-process replaces the HTTP link of an embedded emulator; a device over the virtual BLE link keeps its link.
    if args.in_process and device.declaration.embedded and device.declaration.transport == "http":
        command.append("--in-process")
    return command


class FarmRunner:
    def __init__(self, args: argparse.Namespace, farm: Farm, output: Path, jobs: int):
        self.args, self.farm, self.output, self.jobs = args, farm, output, jobs
        self.stopping = threading.Event()  # Ctrl-C or SIGTERM: start no further device
        self.running: dict[str, subprocess.Popen] = {}
        self.lock = threading.Lock()

    def reach(self) -> dict[str, str]:
        """Reach each device that is not embedded once, all at the same time: name -> why it cannot be reached."""
        from conformance.reach import reach_device

        def attempt(device: FarmDevice) -> str | None:
            try:
                reach_device(device.declaration)
            except ConfigError as exc:
                return str(exc)
            return None

        remote = [d for d in self.farm.devices if not d.declaration.embedded]
        if not remote:
            return {}
        with ThreadPoolExecutor(max_workers=min(16, len(remote))) as pool:
            found = dict(zip([d.name for d in remote], pool.map(attempt, remote), strict=True))
        return {name: problem for name, problem in found.items() if problem}

    def groups(self, devices: list[FarmDevice]) -> list[list[FarmDevice]]:
        """Devices that share a radio adapter form one group, run one after another; every other device is a group alone."""
        by_radio: dict[str, list[FarmDevice]] = {}
        groups: list[list[FarmDevice]] = []
        for device in devices:
            if device.radio is None:
                groups.append([device])
            elif device.radio in by_radio:
                by_radio[device.radio].append(device)
            else:
                by_radio[device.radio] = [device]
                groups.append(by_radio[device.radio])
        return groups

    def run_group(self, group: list[FarmDevice]) -> list[DeviceRun]:
        done = []
        for device in group:
            run = self.run_device(device) if not self.stopping.is_set() else DeviceRun(device, self.output / device.name, 3, NOT_STARTED, "the farm was stopped before this device's turn")
            print_device_line(run, self.output)
            done.append(run)
        return done

    def run_device(self, device: FarmDevice) -> DeviceRun:
        folder = self.output / device.name
        folder.mkdir(parents=True, exist_ok=True)
        root = str(Path(__file__).resolve().parent.parent)
        env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [root, os.environ.get("PYTHONPATH")])))
        started = time.monotonic()
        with open(folder / CONSOLE_LOG, "w", encoding="utf-8") as log:
            process = subprocess.Popen(device_command(self.args, device, folder), stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, env=env)
            with self.lock:
                self.running[device.name] = process
            code = process.wait()
            with self.lock:
                self.running.pop(device.name, None)
        return judge_device_run(device, folder, code, time.monotonic() - started)

    def stop(self, signum: int) -> None:
        """Start no further device, and pass SIGTERM on to the runs going on (a Ctrl-C reaches them from the terminal)."""
        self.stopping.set()
        if signum == signal.SIGTERM:
            with self.lock:
                for process in self.running.values():
                    process.terminate()

    def run(self, unreachable: dict[str, str]) -> list[DeviceRun]:
        runs = {d.name: DeviceRun(d, self.output / d.name, 4, UNREACHABLE, unreachable[d.name]) for d in self.farm.devices if d.name in unreachable}
        to_run = [d for d in self.farm.devices if d.name not in unreachable]
        pool = ThreadPoolExecutor(max_workers=self.jobs)
        futures = [pool.submit(self.run_group, group) for group in self.groups(to_run)]
        pending = set(futures)
        while pending:
            try:
                for future in as_completed(pending):
                    pending.discard(future)
                    runs.update({r.device.name: r for r in future.result()})
            except KeyboardInterrupt:  # the runs under way got the Ctrl-C too, and write their interrupted reports
                self.stop(signal.SIGINT)
        pool.shutdown()
        return [runs[d.name] for d in self.farm.devices]


def judge_device_run(device: FarmDevice, folder: Path, code: int, duration: float) -> DeviceRun:
    """How a device's run ended: its own exit status when it wrote its results, CRASHED when it did not."""
    results_path = folder / "results.json"
    results = None
    if results_path.is_file():
        try:
            results = json.loads(results_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            results = None
    if code == 4:
        return DeviceRun(device, folder, 4, OUTCOME_WORDS[4], _last_message(folder / CONSOLE_LOG), duration)
    if code in (0, 1, 2, 3) and results is not None:
        return DeviceRun(device, folder, code, OUTCOME_WORDS[code], "", duration, results)
    how = f"was killed by {signal.Signals(-code).name}" if code < 0 and -code in signal.valid_signals() else f"ended with exit code {code}"
    resume = f"; `conformance run --resume {folder}` finishes it" if (folder / "run.json").is_file() else ""
    return DeviceRun(device, folder, 3, CRASHED, f"the run {how} without writing its results{resume}", duration)


def _last_message(log: Path) -> str:
    """The line the device's run gave for not starting (it names the file, line and field)."""
    try:
        lines = [line.strip() for line in log.read_text(encoding="utf-8", errors="replace").splitlines() if line.strip()]
    except OSError:
        return "the run could not start"
    said = [line.removeprefix("conformance: ") for line in lines if line.startswith("conformance: ")]
    return said[-1] if said else (lines[-1] if lines else "the run could not start")


_print_lock = threading.Lock()


def print_device_line(run: DeviceRun, output: Path) -> None:
    identity = run.identity
    adverse = {}
    for clause, verdict in run.verdicts.items():
        if verdict in ("FAIL", "EVIDENCE_MISSING", "ERROR", "INCONCLUSIVE"):
            adverse.setdefault(verdict, []).append(clause)
    found = "; ".join(f"{verdict}: {' '.join(clauses)}" for verdict, clauses in adverse.items())
    where = f"-> {run.folder / 'report.html'}" if run.results is not None else ""
    detail = "  ".join(part for part in (found, run.message, where) if part)
    with _print_lock:
        print(f"{run.outcome:15} {run.device.name:20} {identity['model']} {identity['firmware']}  exit {run.exit_status}  {run.duration_s:5.1f} s  {detail}", flush=True)


def farm_exit_status(runs: list[DeviceRun]) -> int:
    return max((r.exit_status for r in runs), key=RANK.__getitem__, default=0)


def clause_order(runs: list[DeviceRun]) -> list[str]:
    """The clauses in the catalogue's order, as the first device with results lists them (then any others)."""
    order: list[str] = []
    for run in runs:
        order += [c for c in run.verdicts if c not in order]
    return order


def print_matrix_summary(runs: list[DeviceRun], clauses: list[str], status: int) -> None:
    """The clauses whose verdicts differ between devices or are adverse somewhere, one line each; the rest counted."""
    ran = [r for r in runs if r.results is not None]
    print()
    if not ran:
        print("no device wrote results")
    else:
        width = max(12, *(len(r.device.name) for r in ran))
        print((f"{'clause':12} " + " ".join(f"{r.device.name:{width}}" for r in ran)).rstrip())
        alike: dict[str, int] = {}
        for clause in clauses:
            verdicts = [r.verdicts.get(clause, "-") for r in ran]
            if len(set(verdicts)) == 1 and verdicts[0] in ("PASS", "NOT_TESTED", "NOT_APPLICABLE", "EVIDENCE_SUPPLIED"):
                alike[verdicts[0]] = alike.get(verdicts[0], 0) + 1
                continue
            print((f"{clause:12} " + " ".join(f"{v:{width}}" for v in verdicts)).rstrip())
        if alike:
            print(f"other clauses, the same on every device: {', '.join(f'{verdict} {count}' for verdict, count in sorted(alike.items()))}")
    missing = [r for r in runs if r.results is None]
    for run in missing:
        print(f"{run.device.name}: {run.outcome}: {run.message}")
    tally = ", ".join(f"{word} {sum(r.outcome == word for r in runs)}" for word in dict.fromkeys(r.outcome for r in runs))
    print(f"{len(runs)} devices: {tally}; farm exit status {status} (the worst of the devices': 4 > 3 > 1 > 2 > 0)")


def write_farm_record(farm: Farm, runs: list[DeviceRun], output: Path, status: int, meta: dict[str, Any]) -> dict[str, Any]:
    record = {
        "schema": "conformance-farm/1",
        "farm": str(farm.path),
        **meta,
        "exit_status": status,
        "exit_status_order": [4, 3, 1, 2, 0],
        "clauses": clause_order(runs),
        "devices": [r.to_json(output) for r in runs],
    }
    (output / FARM_RECORD).write_text(json.dumps(record, ensure_ascii=False, indent=2), encoding="utf-8")
    return record


def run_farm(args: argparse.Namespace, defaults: argparse.Namespace) -> int:
    from conformance.catalogue import load_profile
    from conformance.cli import check_output_folder
    from conformance.reporting.farm_html import write_farm_html
    from conformance.waivers import load_waivers

    check_farm_options(args, defaults)
    farm = load_farm(args.farm)
    # Options every device's run takes alike are checked once here, not refused four times over.
    profile = load_profile(args.profile, [Path(p) for p in args.tailoring])
    load_waivers(args.waivers, profile, audit=args.audit, allow_mandatory=args.allow_mandatory_waivers)
    if args.retries < 0:
        raise ConfigError(str(args.retries), "--retries", "is a count of further attempts: 0 or more")
    started = datetime.now()
    output = Path(args.output) if args.output else Path("reports") / f"farm-{started:%Y%m%d-%H%M%S}"
    check_output_folder(output)
    if (output / FARM_RECORD).exists():
        raise ConfigError(output, "--output", f"already holds a farm's results ({FARM_RECORD}): name another folder")
    output.mkdir(parents=True, exist_ok=True)
    jobs = args.jobs or os.cpu_count() or 1
    runner = FarmRunner(args, farm, output, jobs)

    unreachable = runner.reach()
    shared = sorted({d.radio for d in farm.devices if d.radio and d.name not in unreachable})
    print(f"farm {farm.path}: {len(farm.devices)} devices, {len(farm.devices) - len(unreachable)} to run, up to {jobs} at once; reports in {output}")
    for radio in shared:
        names = [d.name for d in farm.devices if d.radio == radio and d.name not in unreachable]
        if len(names) > 1:
            print(f"  {', '.join(names)} share {radio}: they run one after another")
    for device in farm.devices:
        if device.name in unreachable:
            print(f"{UNREACHABLE:15} {device.name:20} {unreachable[device.name]}", flush=True)

    previous = signal.signal(signal.SIGTERM, lambda signum, frame: runner.stop(signum)) if threading.current_thread() is threading.main_thread() else None
    try:
        runs = runner.run(unreachable)
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)
    status = farm_exit_status(runs)
    clauses = clause_order(runs)
    meta = {"started": started.isoformat(timespec="seconds"), "finished": datetime.now().isoformat(timespec="seconds"), "jobs": jobs,
            "profile": args.profile, "select": args.select, "keyword": args.keyword, "interrupted": runner.stopping.is_set()}
    record = write_farm_record(farm, runs, output, status, meta)
    write_farm_html(record, output / FARM_PAGE)
    print_matrix_summary(runs, clauses, status)
    print(f"matrix written to {output / FARM_PAGE} and {output / FARM_RECORD}")
    return status
