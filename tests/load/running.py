"""Run `conformance load` the way a user does: in its own process, so Locust never enters the test process."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run_load(output: Path, *args: str, timeout_s: float = 90) -> tuple[int, dict]:
    """`conformance load --output OUTPUT ARGS...`; its exit status and results.json."""
    completed = subprocess.run([sys.executable, "-m", "conformance", "load", "--output", str(output), *args], capture_output=True, text=True, timeout=timeout_s, cwd=ROOT)
    results = output / "results.json"
    assert results.exists(), f"no results (exit {completed.returncode}): {completed.stderr[-2000:] or completed.stdout[-2000:]}"
    return completed.returncode, json.loads(results.read_text(encoding="utf-8"))


def verdicts(results: dict) -> dict[str, str]:
    return {c["id"]: c["verdict"] for c in results["clauses"]}
