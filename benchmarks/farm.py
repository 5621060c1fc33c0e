"""A 4-device farm beside the same 4 runs one after the other: what running the devices side by side gains.

    .venv/bin/python benchmarks/farm.py [--farm example] [--jobs N] [--select EXPR] [--in-process]

1. Wall time of `conformance run --farm FARM` (default: the shipped example farm, four embedded emulators,
   one of them over the virtual BLE link), up to --jobs devices at once (default: the number of cores).
2. Wall time of the same four `conformance run --device D` runs, one after the other, with the same options.

Prints both and their ratio; asserts nothing (speed is read, not tested). On a machine of N cores the ratio
cannot pass N, and each run's emulator needs a core too.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from conformance.farm import load_farm  # noqa: E402


def timed(command: list[str]) -> tuple[float, int]:
    started = time.perf_counter()
    code = subprocess.run(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode
    return time.perf_counter() - started, code


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--farm", default="example")
    parser.add_argument("--jobs", type=int, default=os.cpu_count())
    parser.add_argument("--select", help="a clause expression, to time part of the suite")
    parser.add_argument("--in-process", action="store_true", help="embedded emulators over HTTP run inside each harness process instead")
    args = parser.parse_args()
    farm = load_farm(args.farm)
    common = (["--select", args.select] if args.select else []) + (["--in-process"] if args.in_process else [])
    run = [sys.executable, "-m", "conformance", "run"]
    with tempfile.TemporaryDirectory(prefix="farm-benchmark-") as scratch:
        farm_s, farm_code = timed([*run, "--farm", args.farm, "--jobs", str(args.jobs), "--output", f"{scratch}/farm", *common])
        serial_s, codes = 0.0, []
        for device in farm.devices:
            # --in-process applies to embedded HTTP devices only, as the farm passes it on.
            own = [o for o in common if o != "--in-process" or (device.declaration.embedded and device.declaration.transport == "http")]
            seconds, code = timed([*run, "--device", device.declaration_path, "--output", f"{scratch}/serial/{device.name}", *own])
            serial_s += seconds
            codes.append(code)
    what = f"--select {args.select!r}" if args.select else "the full suite"
    print(f"{len(farm.devices)} devices of {farm.path}, {what}{', in-process' if args.in_process else ''}, on {os.cpu_count()} cores")
    print(f"farm (--jobs {args.jobs}):        {farm_s:7.1f} s  (exit {farm_code})")
    print(f"one after the other:    {serial_s:7.1f} s  (exits {' '.join(map(str, codes))})")
    print(f"ratio (serial / farm):  {serial_s / farm_s:7.2f}x")


if __name__ == "__main__":
    main()
