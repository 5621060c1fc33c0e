"""Run the reference watch on its own: python -m emulator --port 8765 (or `conformance emulator`)."""

from __future__ import annotations

import argparse
import os
import signal
import sqlite3
import sys
import threading
import time
from pathlib import Path

from emulator.defects import DEFECTS, VARIANTS
from emulator.server import serve
from emulator.watch import ALL_FEATURES, DEFAULT_TOKEN, ReferenceWatch


def build_parser(parser: argparse.ArgumentParser | None = None) -> argparse.ArgumentParser:
    parser = parser or argparse.ArgumentParser(prog="emulator", description="Serve the reference children's watch over DTP v1.")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=0, help="port (0 picks a free one, printed on stdout)")
    parser.add_argument("--db", default=":memory:", help="SQLite file for durable state (default: in memory)")
    parser.add_argument("--defect", action="append", default=[], metavar="NAME", help="break one rule (repeatable; --list-defects)")
    parser.add_argument("--variant", action="append", default=[], metavar="NAME", help="a conformant variation (repeatable; --list-defects lists them too)")
    parser.add_argument("--features", default=",".join(ALL_FEATURES), help="comma-separated optional features this model has")
    parser.add_argument("--token", default=DEFAULT_TOKEN, help="test-agent token requests must carry")
    parser.add_argument("--real-clock", action="store_true", help="trusted time also moves with the wall clock (a watch without a test clock)")
    parser.add_argument("--ble-hci", metavar="tcp-server:HOST:PORT", help="also serve over BLE on a virtual radio whose HCI for centrals listens here (port 0: a free one, announced on stdout)")
    parser.add_argument("--stop-when-stdin-closes", action="store_true", help="stop when standard input ends: a harness that starts the emulator holds it open, so the emulator never outlives it")
    parser.add_argument("--list-defects", action="store_true", help="list the defects and exit")
    return parser


SQLITE_HEADER = b"SQLite format 3\x00"  # the first 16 bytes of every SQLite database file


def argument_problem(args: argparse.Namespace) -> tuple[str, str, str] | None:
    """The first option the emulator cannot start with, as (option, value, what is wrong); None when all are usable."""
    import emulator.rules  # noqa: F401 - defects and variants register at import

    if not 0 <= args.port <= 65535:
        return "--port", str(args.port), "is not a port number: 0..65535 (0 picks a free one)"
    unknown = sorted(set(f for f in args.features.split(",") if f) - set(ALL_FEATURES))
    if unknown:
        return "--features", args.features, f"names no optional feature: {', '.join(unknown)} (known: {', '.join(ALL_FEATURES)})"
    for option, name in [*(("--defect", n) for n in args.defect), *(("--variant", n) for n in args.variant)]:
        if name not in DEFECTS and name not in VARIANTS:
            return option, name, "the emulator has no such defect or variant (--list-defects lists them)"
    if args.db != ":memory:":
        return _db_problem(Path(args.db))
    return None


def _db_problem(db: Path) -> tuple[str, str, str] | None:
    """A file SQLite can open as the emulator's store: a new one in an existing folder, or a SQLite database."""
    if db.is_dir():
        return "--db", str(db), "is a folder, not a SQLite file"
    if not db.exists():
        folder = db.parent
        return None if folder.is_dir() else ("--db", str(db), f"cannot be made: the folder {folder} does not exist")
    try:
        with db.open("rb") as handle:
            header = handle.read(len(SQLITE_HEADER))
    except OSError as exc:
        return "--db", str(db), f"cannot be read: {exc.strerror or exc}"
    if header and header != SQLITE_HEADER:
        return "--db", str(db), "is not a SQLite database (it does not start with the SQLite header); name a new file or an emulator database"
    return None


def run(args: argparse.Namespace) -> int:
    import emulator.rules  # noqa: F401 - defects and variants register at import (also when `conformance emulator` calls this)

    if args.list_defects:
        for defect in sorted(DEFECTS.values(), key=lambda d: d.name):
            print(f"{defect.name:36} {' '.join(defect.clauses):24} {defect.description}")
        for variation in sorted(VARIANTS.values(), key=lambda v: v.name):
            print(f"{variation.name:36} {'(variant)':24} {variation.description}")
        return 0
    problem = argument_problem(args)
    if problem:
        option, value, message = problem
        print(f"emulator: {option} {value}: {message}", file=sys.stderr)
        return 2
    features = [f for f in args.features.split(",") if f]
    try:
        watch = ReferenceWatch(Path(args.db) if args.db != ":memory:" else ":memory:", defects=args.defect + args.variant, features=features, token=args.token, real_clock=args.real_clock)
    except ValueError as exc:
        print(f"emulator: {exc}", file=sys.stderr)
        return 2
    except sqlite3.Error as exc:  # a SQLite file the store cannot use (another program's tables, a damaged file)
        print(f"emulator: --db {args.db}: {exc}", file=sys.stderr)
        return 2
    if args.ble_hci:
        from emulator.ble import ANNOUNCEMENT, SharedWatch, serve_in_background

        watch = SharedWatch(watch)  # the BLE face runs on its own thread
        try:
            spec = serve_in_background(watch, args.ble_hci)
        except (ValueError, OSError, TimeoutError) as exc:
            print(f"emulator: BLE face: {exc}", file=sys.stderr)
            return 2
        print(f"{ANNOUNCEMENT}{spec}", flush=True)
    if args.stop_when_stdin_closes:
        stop_when_stdin_closes()
    serve(watch, args.host, args.port)
    return 0


def stop_when_stdin_closes(grace_s: float = 5.0) -> None:
    """Stop like on SIGTERM once standard input ends: the process holding its other end (the harness) has gone,
    however it went (SIGKILL included, which no handler of the harness sees)."""

    def wait_for_end() -> None:
        while sys.stdin.buffer.read(4096):
            pass
        os.kill(os.getpid(), signal.SIGTERM)  # the server's own graceful stop
        time.sleep(grace_s)
        os._exit(0)  # a server that did not stop in time

    threading.Thread(target=wait_for_end, name="stdin-watch", daemon=True).start()


def main() -> int:
    import emulator.rules  # noqa: F401 - defects register at import

    return run(build_parser().parse_args())


if __name__ == "__main__":
    sys.exit(main())
