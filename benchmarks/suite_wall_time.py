"""Wall time of the full conformance run against the embedded emulator: median of N runs, with counts.

    .venv/bin/python benchmarks/suite_wall_time.py [--runs 3] [--device emulator]

Prints figures; asserts nothing (speed targets are read, not tested).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--device", default="emulator")
    args = parser.parse_args()
    times, last = [], None
    with tempfile.TemporaryDirectory() as tmp:
        for n in range(args.runs):
            output = Path(tmp) / f"run{n}"
            started = time.perf_counter()
            subprocess.run([sys.executable, "-m", "conformance", "run", "--device", args.device, "--output", str(output)], capture_output=True, check=False)
            times.append(time.perf_counter() - started)
            last = json.loads((output / "results.json").read_text(encoding="utf-8"))
    scenarios = {s["nodeid"] for c in last["clauses"] for s in c["scenarios"]}
    print(f"device: {args.device}; clauses: {len(last['clauses'])}; scenarios: {len(scenarios)}; verdicts: {last['summary']}")
    print(f"wall time of `conformance run` over {args.runs} runs: median {statistics.median(times):.2f} s (min {min(times):.2f}, max {max(times):.2f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
