"""What the evidence bundle costs a full run: its size beside the run folder's, the time to write it, and the wall
time of runs with and without it, taken in alternation in the same session.

    .venv/bin/python benchmarks/bundle_overhead.py [--pairs 3]

Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from conformance.bundle import make_bundle  # noqa: E402


def _run(output: Path, *extra: str) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "conformance", "run", "--in-process", "--output", str(output), *extra], cwd=ROOT, capture_output=True, check=False)
    return time.perf_counter() - started


def _folder_bytes(folder: Path, leave_out: str = "bundle.zip") -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file() and p.name != leave_out)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--pairs", type=int, default=3)
    args = parser.parse_args()
    with_bundle, without = [], []
    with tempfile.TemporaryDirectory() as tmp:
        for n in range(args.pairs):
            with_bundle.append(_run(Path(tmp) / f"with{n}"))
            without.append(_run(Path(tmp) / f"without{n}", "--no-bundle"))
        folder = Path(tmp) / "with0"
        bundle = folder / "bundle.zip"
        writes = []
        for _ in range(5):
            started = time.perf_counter()
            make_bundle(folder)
            writes.append(time.perf_counter() - started)
        size, rest = bundle.stat().st_size, _folder_bytes(folder)
    w, wo = statistics.median(with_bundle), statistics.median(without)
    print(f"bundle.zip: {size:,} bytes beside {rest:,} bytes of the run folder's other files ({size / rest:.1%})")
    print(f"writing it (conformance bundle, 5 times): median {statistics.median(writes):.2f} s (min {min(writes):.2f}, max {max(writes):.2f})")
    print(f"full in-process run, {args.pairs} pairs in alternation: median {w:.2f} s with the bundle, {wo:.2f} s without ({w / wo:.2f}x)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
