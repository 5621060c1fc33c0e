"""Finishing a killed run (`--resume RUN_DIR`) and running part of a finished one again (`--rerun RUN_DIR --only ...`).

Both take the original run's options from its run.json and its scenario
results from its scenarios.jsonl. Results that are kept are carried into the
new run as they were and their scenarios are deselected; the others run. The
reports are then judged over all of them, in the order the suite collects the
scenarios, so a resumed run's reports equal those of a run never interrupted.

The command-line half (`from_run_folder`) turns the options into pytest
options; the pytest half (the hooks below) carries the results and keeps the
order.
"""

from __future__ import annotations

import argparse
import json
import shutil
from datetime import datetime
from pathlib import Path

import pytest

from conformance.datafile import ConfigError
from conformance.results import ScenarioResult
from conformance.run_record import RUN_OPTIONS, RUN_RECORD, SCENARIO_LOG, input_digests, read_run_record, read_scenario_log, write_run_record
from conformance.verdicts import Verdict

ORDER_KEY = pytest.StashKey[dict]()
CARRIED_KEY = pytest.StashKey[list]()
DEVICE_SAVED_KEY = pytest.StashKey[bool]()
DEVICE_RECORD = "device.json"


# -- the command line -------------------------------------------------------------


def from_run_folder(args: argparse.Namespace, defaults: argparse.Namespace) -> argparse.Namespace:
    """The options of the run in `--resume`/`--rerun`'s folder, with where the new run writes and what it carries.

    Options that decide what runs against what cannot be given again: a resumed
    or rerun run mixing two devices or two profiles would judge neither.
    """
    option = "--resume" if args.resume else "--rerun"
    folder = Path(args.resume or args.rerun)
    if args.resume and args.rerun:
        raise ConfigError(folder, "--rerun", "cannot go with --resume: resume finishes a killed run, rerun runs part of one again into a new folder")
    for name in RUN_OPTIONS:
        if name != "retries" and getattr(args, name) != getattr(defaults, name):
            raise ConfigError(folder, f"--{name.replace('_', '-')}", f"cannot be given with {option}: the run's own options are taken from {folder / 'run.json'}")
    record = read_run_record(folder, option)
    new = argparse.Namespace(**vars(args))
    for name, value in record["options"].items():
        if name in RUN_OPTIONS and name != "retries":
            setattr(new, name, value)
    _check_inputs(record, folder / RUN_RECORD, option)
    kept = read_scenario_log(folder / SCENARIO_LOG)
    if args.resume:
        if args.output or args.run_id or args.only:
            given = "--output" if args.output else "--run-id" if args.run_id else "--only"
            raise ConfigError(folder, given, "cannot be given with --resume: a resumed run finishes in its own folder, under its own id (--rerun runs part of a run again)")
        new.output, new.run_id, new.carry_except = str(folder), record["run_id"], []
        new.rerun_of = record.get("rerun_of")  # a resumed rerun is still one
        print(f"conformance: resuming run {record['run_id']} in {folder}: {_count(len(kept), 'scenario result')} kept, running the scenarios missing from them")
    else:
        again = _verdicts(args.only or "FAIL,ERROR,INCONCLUSIVE")
        chosen = [r for r in kept if r.verdict.value in again]
        if not chosen:
            raise ConfigError(folder, "--only", f"no scenario of this run ended {' or '.join(again)}: nothing to rerun")
        new.carry_except = again
        new.rerun_of = {"folder": str(folder.resolve()), "run_id": record["run_id"], "only": again}
        new.run_id = args.run_id or datetime.now().strftime("%Y%m%d-%H%M%S")
        target = args.output or str(Path("reports") / new.run_id)
        print(f"conformance: rerunning {_count(len(chosen), 'scenario')} of {folder} that ended {' or '.join(again)} into {target}; {_count(len(kept) - len(chosen), 'other result')} taken from that run")
    new.carry_from = str(folder)
    return new


def _check_inputs(record: dict, path: Path, option: str) -> None:
    """The declaration, profile and tailoring files must be those the run started with: half a run judged on one
    declaration and half on another would be neither's result."""
    from conformance.cli import resolve_device

    now = input_digests(record["options"], resolve_device)
    for role, started in record.get("digests", {}).items():
        if now.get(role, {}).get("sha256") != started["sha256"]:
            raise ConfigError(started["path"], option, f"has changed since the run started (its SHA-256 differs from the one in {path}); start a new run instead")


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def _verdicts(text: str) -> list[str]:
    names = [v.strip().upper() for v in text.split(",") if v.strip()]
    known = [v.value for v in Verdict]
    unknown = [n for n in names if n not in known]
    if unknown or not names:
        raise ConfigError(text, "--only", f"{', '.join(unknown) or 'nothing'} is not a verdict; give a comma-separated list of {', '.join(known)}")
    return names


def options_for_pytest(args: argparse.Namespace, run_id: str) -> list[str]:
    """The pytest options that record this run's options in its folder and carry what a resume or rerun keeps."""
    from conformance.cli import resolve_device

    record = {name: getattr(args, name) for name in RUN_OPTIONS}
    extra = {"rerun_of": args.rerun_of} if getattr(args, "rerun_of", None) else {}
    extra["digests"] = input_digests(record, resolve_device)
    command = ["--run-record", json.dumps({"run_id": run_id, "options": record, **extra}, ensure_ascii=False)]
    if getattr(args, "carry_from", None):
        command += ["--carry-from", args.carry_from, "--carry-except", ",".join(args.carry_except)]
    return command


# -- the pytest plugin -----------------------------------------------------------


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("conformance")
    group.addoption("--run-record", default=None, help=argparse.SUPPRESS)  # run.json's content, from `conformance run`
    group.addoption("--carry-from", default=None, help="a run folder whose scenario results this run keeps instead of running those scenarios")
    group.addoption("--carry-except", default="", help="with --carry-from: verdicts (comma-separated) whose scenarios run again")


def carried_results(config: pytest.Config) -> list[ScenarioResult]:
    """The results a resumed or rerun run keeps from the earlier one (none for an ordinary run)."""
    if CARRIED_KEY not in config.stash:
        folder = config.option.carry_from
        again = {v for v in config.option.carry_except.split(",") if v}
        try:
            config.stash[CARRIED_KEY] = [r for r in read_scenario_log(Path(folder) / SCENARIO_LOG) if r.verdict.value not in again] if folder else []
        except ConfigError as exc:
            raise pytest.UsageError(str(exc)) from exc
    return config.stash[CARRIED_KEY]


@pytest.hookimpl(trylast=True)
def pytest_configure(config: pytest.Config) -> None:
    from conformance.plugin import run_of

    output = run_of(config).output
    if config.option.run_record:
        record = json.loads(config.option.run_record)
        run_of(config).rerun_of = record.get("rerun_of")
        write_run_record(output, argparse.Namespace(**record["options"]), record["run_id"], **{k: v for k, v in record.items() if k not in ("run_id", "options")})
    device = Path(config.option.carry_from or output) / DEVICE_RECORD
    if config.option.carry_from and device.exists():
        # What the device said of itself when the run began: a resume with nothing left to run still reports it.
        run_of(config).device_identity = json.loads(device.read_text(encoding="utf-8"))
    earlier = Path(config.option.carry_from or output) / "allure-results"
    if earlier.resolve() != (output / "allure-results").resolve() and earlier.is_dir():
        # A rerun's Allure results: the earlier run's, to which this one's are added (Allure shows a scenario
        # run again as a retry of the same test).
        (output / "allure-results").mkdir(parents=True, exist_ok=True)
        for path in earlier.iterdir():
            if path.is_file():
                shutil.copy2(path, output / "allure-results" / path.name)


def pytest_runtest_teardown(item: pytest.Item) -> None:
    """Keep the device's identity in the run folder once it is known (device.json), for a resume to report."""
    from conformance.plugin import run_of

    run = run_of(item.config)
    device = run.output / DEVICE_RECORD
    if run.device_identity and DEVICE_SAVED_KEY not in item.config.stash:
        item.config.stash[DEVICE_SAVED_KEY] = True
        device.write_text(json.dumps(run.mask(run.device_identity), ensure_ascii=False, indent=2), encoding="utf-8")


@pytest.hookimpl(trylast=True)  # after -m and -k have deselected theirs: the count told is what runs
def pytest_collection_modifyitems(session: pytest.Session, config: pytest.Config, items: list[pytest.Item]) -> None:
    config.stash[ORDER_KEY] = {item.nodeid: index for index, item in enumerate(items)}
    if not config.option.carry_from:
        return
    kept = {r.nodeid for r in carried_results(config)}
    carried = [item for item in items if item.nodeid in kept]
    if carried:
        config.hook.pytest_deselected(items=carried)
        items[:] = [item for item in items if item.nodeid not in kept]
    terminal = config.pluginmanager.get_plugin("terminalreporter")
    if terminal is not None:
        terminal.write_line(f"{_count(len(kept), 'scenario result')} carried from {config.option.carry_from}; {_count(len(items), 'scenario')} to run")


@pytest.hookimpl(tryfirst=True)
def pytest_sessionfinish(session: pytest.Session) -> None:
    """Carried results first, then the new ones, put back in the order of the suite: the reports of a run never interrupted."""
    from conformance.plugin import RUN_KEY

    order = session.config.stash.get(ORDER_KEY, {})
    if RUN_KEY in session.config.stash:
        session.config.stash[RUN_KEY].scenarios.sort(key=lambda r: order.get(r.nodeid, len(order)))
