"""What a person sees when the device dies halfway through a run: console lines, bytes and wall time.

    .venv/bin/python benchmarks/device_dies.py [--after 100]

Starts the reference emulator on loopback as a device of its own (not embedded), runs
`conformance run --device <declaration naming its address>`, and kills the emulator (SIGKILL) once
`--after` scenarios are recorded; the rest of the run meets a dead device. Prints the console's size
and the run's verdicts beside the same figures of scenarios recorded. Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from conformance.declaration import DEFAULT_DECLARATION  # noqa: E402
from conformance.emulator_process import start_emulator  # noqa: E402
from emulator.watch import ALL_FEATURES, DEFAULT_TOKEN  # noqa: E402

BOUND_S = 580.0  # one shell command's worth


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--after", type=int, default=100, help="scenarios recorded before the device is killed (default 100)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch, start_emulator(features=list(ALL_FEATURES), token=DEFAULT_TOKEN) as emulator:
        declaration = Path(scratch, "device.yaml")
        declaration.write_text(DEFAULT_DECLARATION.read_text(encoding="utf-8").replace("address: embedded", f"address: {emulator.address}", 1), encoding="utf-8")
        output = Path(scratch, "run")
        started = time.monotonic()
        run = subprocess.Popen([sys.executable, "-m", "conformance", "run", "--device", str(declaration), "--output", str(output)], cwd=ROOT,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        killed_at = []

        def kill_when_due() -> None:
            partial = output / "scenarios.jsonl"
            while run.poll() is None:
                if partial.exists() and partial.read_bytes().count(b"\n") >= args.after:
                    emulator.process.kill()
                    killed_at.append(time.monotonic() - started)
                    return
                time.sleep(0.05)

        threading.Thread(target=kill_when_due, daemon=True).start()
        console, _ = run.communicate(timeout=BOUND_S)
        wall = time.monotonic() - started
        results = json.loads((output / "results.json").read_text(encoding="utf-8")) if (output / "results.json").exists() else {}
        scenarios = (output / "scenarios.jsonl").read_bytes().count(b"\n") if (output / "scenarios.jsonl").exists() else 0
    print(f"device killed after {args.after} scenarios" + (f", {killed_at[0]:.1f} s into the run" if killed_at else " (the run ended first)"))
    lines = console.count(b"\n")
    print(f"console: {lines:,} lines, {len(console):,} bytes; wall time {wall:.1f} s; exit status {run.returncode}")
    print(f"scenarios recorded: {scenarios}; clause verdicts: {results.get('summary', 'no results.json')}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
