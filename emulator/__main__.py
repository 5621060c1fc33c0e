"""Run the reference watch on its own: python -m emulator --port 8765 (or `conformance emulator`)."""

from __future__ import annotations

import argparse
import sys
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
    parser.add_argument("--list-defects", action="store_true", help="list the defects and exit")
    return parser


def run(args: argparse.Namespace) -> int:
    import emulator.rules  # noqa: F401 - defects and variants register at import (also when `conformance emulator` calls this)

    if args.list_defects:
        for defect in sorted(DEFECTS.values(), key=lambda d: d.name):
            print(f"{defect.name:36} {' '.join(defect.clauses):24} {defect.description}")
        for variation in sorted(VARIANTS.values(), key=lambda v: v.name):
            print(f"{variation.name:36} {'(variant)':24} {variation.description}")
        return 0
    features = [f for f in args.features.split(",") if f]
    unknown = sorted(set(features) - set(ALL_FEATURES))
    if unknown:
        print(f"emulator: unknown feature(s) {', '.join(unknown)}", file=sys.stderr)
        return 2
    try:
        watch = ReferenceWatch(Path(args.db) if args.db != ":memory:" else ":memory:", defects=args.defect + args.variant, features=features, token=args.token, real_clock=args.real_clock)
    except ValueError as exc:
        print(f"emulator: {exc}", file=sys.stderr)
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
    serve(watch, args.host, args.port)
    return 0


def main() -> int:
    import emulator.rules  # noqa: F401 - defects register at import

    return run(build_parser().parse_args())


if __name__ == "__main__":
    sys.exit(main())
