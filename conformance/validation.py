"""Self-validation: run the suite against the emulator with each defect on, and see what it catches.

A defect is detected when at least one clause it declares FAILs. Each run is
its own `conformance run` process (its own emulator), so runs go in parallel.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

FAILING = {"FAIL", "EVIDENCE_MISSING"}


@dataclass
class Violation:
    """One way of running a device that breaks rules: an emulator defect, or a declaration lacking evidence."""

    name: str
    clauses: tuple[str, ...]
    defects: tuple[str, ...] = ()
    device: str = "emulator"


@dataclass
class Detection:
    violation: Violation
    clause_verdicts: dict[str, str]
    failing_scenarios: set[str] = field(default_factory=set)
    exit_status: int | None = None
    error: str = ""

    @property
    def detected(self) -> bool:
        return any(self.clause_verdicts.get(c) in FAILING for c in self.violation.clauses)

    @property
    def collateral(self) -> list[str]:
        return sorted(c for c, v in self.clause_verdicts.items() if v in FAILING and c not in self.violation.clauses)


def emulator_violations() -> list[Violation]:
    from emulator import rules  # noqa: F401 - defects register at import
    from emulator.defects import DEFECTS

    return [Violation(d.name, d.clauses, defects=(d.name,)) for d in sorted(DEFECTS.values(), key=lambda d: d.name)]


def run_suite(output: Path, *, defects: tuple[str, ...] = (), device: str = "emulator", select: str | None = None, keyword: str | None = None, timeout_s: float = 600) -> dict:
    """One `conformance run` in its own process; returns its results.json."""
    command = [sys.executable, "-m", "conformance", "run", "--device", device, "--output", str(output), "--run-id", output.name]
    for name in defects:
        command += ["--defect", name]
    if select:
        command += ["--select", select]
    if keyword:
        command += ["--keyword", keyword]
    completed = subprocess.run(command, capture_output=True, text=True, timeout=timeout_s, env=dict(os.environ, PYTHONUNBUFFERED="1"))
    results = output / "results.json"
    if not results.exists():
        raise RuntimeError(f"{' '.join(command)} wrote no results (exit {completed.returncode}): {completed.stderr[-1500:] or completed.stdout[-1500:]}")
    return json.loads(results.read_text(encoding="utf-8"))


def detect(violation: Violation, output_root: Path, *, declared_only: bool = True) -> Detection:
    select = " or ".join(violation.clauses) if declared_only else None
    try:
        data = run_suite(output_root / violation.name, defects=violation.defects, device=violation.device, select=select)
    except (RuntimeError, subprocess.TimeoutExpired) as exc:
        return Detection(violation, {}, error=str(exc))
    verdicts = {c["id"]: c["verdict"] for c in data["clauses"] if c["scenarios"] or not declared_only}
    failing = {s["nodeid"] for c in data["clauses"] for s in c["scenarios"] if s["verdict"] == "FAIL"}
    return Detection(violation, verdicts, failing, data["exit_status"])


def detection_matrix(violations: list[Violation], output_root: Path, *, jobs: int | None = None, declared_only: bool = True) -> list[Detection]:
    jobs = jobs or os.cpu_count() or 2
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        return list(pool.map(lambda v: detect(v, output_root, declared_only=declared_only), violations))
