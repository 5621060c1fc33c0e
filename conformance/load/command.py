"""`conformance load`: its options and what it does with them (the CLI only wires them in)."""

from __future__ import annotations

import argparse
import sys
from datetime import datetime
from pathlib import Path

from conformance.load.plan import DEFAULT_MIX, LoadPlan, parse_mix


def add_arguments(parser: argparse.ArgumentParser) -> None:
    defaults = LoadPlan()
    mix = ",".join(f"{k}={v}" for k, v in DEFAULT_MIX.items())
    parser.add_argument("--users", type=int, default=defaults.users, help=f"concurrent Locust users, i.e. watches online (default {defaults.users})")
    parser.add_argument("--spawn-rate", type=float, default=defaults.spawn_rate, help=f"users started per second (default {defaults.spawn_rate:g})")
    parser.add_argument("--duration", type=float, default=defaults.duration_s, help=f"seconds of load (default {defaults.duration_s:g})")
    parser.add_argument("--mix", default=mix, help=f"traffic weights: child, farmer, bot, buyer, stranger (default {mix})")
    parser.add_argument("--population", type=int, default=defaults.population, help=f"accounts seeded, split by the mix; friends stop short of the cap (default {defaults.population})")
    parser.add_argument("--workers", type=int, default=0, help="run Locust's master and N worker processes (default 0: one process)")
    parser.add_argument("--time-scale", type=float, default=defaults.time_scale, help=f"trusted seconds per wall second on the test clock; 0 leaves it alone (default {defaults.time_scale:g})")
    parser.add_argument("--output", help="output directory (default: reports/load-<time>)")
    parser.add_argument("--host", help="base URL of a running DTP endpoint (default: start the emulator on loopback)")
    parser.add_argument("--db", help="with --host: the platform's SQLite file, so the audit can read the ledger")
    parser.add_argument("--device", default="emulator", help="declaration giving the token, test baseline and clock (default: emulator)")
    parser.add_argument("--profile", default="gb-2027", help="profile giving the quota, burst and cap (default: gb-2027)")
    parser.add_argument("--defect", action="append", default=[], help="embedded emulator only: switch on a defect (repeatable)")
    parser.add_argument("--crash-at", type=float, help="embedded emulator only: kill -9 it this many seconds into the load, then restart it on the same database")
    parser.add_argument("--remote-workers", type=int, default=0, help="also wait for this many workers started by hand on other machines (docs/load.md)")
    parser.add_argument("--master-bind-host", default="127.0.0.1", help="interface Locust's master listens on (default loopback; remote workers need another)")
    parser.add_argument("--allow-remote-host", action="store_true", help="let --host be an address other than loopback (only a platform you run)")
    parser.add_argument("--run-id", help="name of the run (default: the output folder's name)")


def run_command(args: argparse.Namespace, resolve_device) -> int:
    """Run, report, print; the exit status of the audit (4 when the run could not start)."""
    from conformance.emulator_process import EmulatorStartError
    from conformance.load.report import status, summary_lines, write_reports
    from conformance.load.runner import LoadSetupError, run_load

    try:
        plan = LoadPlan(users=args.users, spawn_rate=args.spawn_rate, duration_s=args.duration, mix=parse_mix(args.mix), workers=args.workers,
                        population=args.population, time_scale=args.time_scale, crash_at_s=args.crash_at)
    except ValueError as exc:
        print(f"conformance load: {exc}", file=sys.stderr)
        return 4
    # Absolute once, here: Locust runs with the output folder as its working directory, where a relative path means another folder.
    output = (Path(args.output) if args.output else Path("reports") / f"load-{datetime.now():%Y%m%d-%H%M%S}").resolve()
    try:
        outcome = run_load(plan, output, host=args.host, db=Path(args.db) if args.db else None, device=resolve_device(args.device), profile=args.profile,
                           defects=args.defect, allow_remote=args.allow_remote_host, master_bind_host=args.master_bind_host, remote_workers=args.remote_workers,
                           run_id=args.run_id)
    except (LoadSetupError, EmulatorStartError, ValueError) as exc:
        print(f"conformance load: {exc}", file=sys.stderr)
        return 4
    write_reports(outcome, output)
    print("\n".join(summary_lines(outcome)))
    print(f"report: {output / 'load.html'}; results: {output / 'results.json'}; Locust CSV: {output / 'locust_stats.csv'}")
    return status(outcome)
