"""Self-validation: run the suite against the emulator with each defect on, and see what it catches.

A defect is detected when at least one clause it declares FAILs. Any other
clause that FAILs is collateral: justified when the defect names it with a
reason, unexplained otherwise. Each run is its own `conformance run` process
with its own emulator, so runs go in parallel on the available cores.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

FAILING = {"FAIL", "EVIDENCE_MISSING"}
ADVERSE = FAILING | {"ERROR", "INCONCLUSIVE"}


@dataclass
class Violation:
    """One way of running a device that breaks rules: an emulator defect, or a declaration lacking evidence."""

    name: str
    clauses: tuple[str, ...]
    defects: tuple[str, ...] = ()
    device: str = "emulator"
    description: str = ""
    collateral: dict[str, str] = field(default_factory=dict)
    # Runs over HTTP even in an in-process validation: it shows only to requests that truly arrive together.
    needs_http: bool = False
    # Only the scenarios this pytest keyword picks (a declaration whose full run waits in real time).
    keyword: str | None = None


@dataclass
class Variation:
    """One way of running a conformant device that differs from the reference: variants on, or another declaration."""

    name: str
    variants: tuple[str, ...] = ()
    device: str = "emulator"
    description: str = ""
    # A watch without a test clock waits out each limit in real time: it runs the scenarios this keyword picks.
    keyword: str | None = None


@dataclass
class VariationRun:
    variation: Variation
    adverse_verdicts: dict[str, str]
    adverse_scenarios: list[str] = field(default_factory=list)
    exit_status: int | None = None
    error: str = ""
    wall_time_s: float = 0.0

    @property
    def clean(self) -> bool:
        return not self.adverse_verdicts and not self.error

    def to_json(self) -> dict:
        v = self.variation
        return {
            "variation": v.name, "variants": list(v.variants), "device": v.device, "keyword": v.keyword, "description": v.description, "clean": self.clean,
            "adverse_verdicts": self.adverse_verdicts, "adverse_scenarios": self.adverse_scenarios,
            "exit_status": self.exit_status, "error": self.error, "wall_time_s": round(self.wall_time_s, 2),
        }


@dataclass
class Detection:
    violation: Violation
    clause_verdicts: dict[str, str]
    failing_scenarios: set[str] = field(default_factory=set)
    exit_status: int | None = None
    error: str = ""
    wall_time_s: float = 0.0
    attempts: int = 1

    @property
    def detected(self) -> bool:
        return any(self.clause_verdicts.get(c) in FAILING for c in self.violation.clauses)

    @property
    def collateral(self) -> list[str]:
        return sorted(c for c, v in self.clause_verdicts.items() if v in FAILING and c not in self.violation.clauses)

    @property
    def unexplained_collateral(self) -> list[str]:
        return [c for c in self.collateral if c not in self.violation.collateral]

    def to_json(self) -> dict:
        v = self.violation
        return {
            "violation": v.name, "defects": list(v.defects), "device": v.device, "description": v.description,
            "declared_clauses": list(v.clauses), "detected": self.detected,
            "declared_verdicts": {c: self.clause_verdicts.get(c, "NOT_RUN") for c in v.clauses},
            "collateral": [{"clause": c, "verdict": self.clause_verdicts[c], "justification": v.collateral.get(c)} for c in self.collateral],
            "unexplained_collateral": self.unexplained_collateral, "failing_scenarios": sorted(self.failing_scenarios),
            "exit_status": self.exit_status, "error": self.error, "wall_time_s": round(self.wall_time_s, 2), "attempts": self.attempts,
        }


# A race shows only when its requests meet inside one batch, which a loaded machine can keep apart: such a violation
# gets a few runs, and the record says how many it took (a run of a race that did not meet proves nothing either way).
RACE_ATTEMPTS = 3


def emulator_violations() -> list[Violation]:
    from emulator import rules  # noqa: F401 - defects register at import
    from emulator.defects import DEFECTS

    return [Violation(d.name, d.clauses, defects=(d.name,), device=d.device, description=d.description, collateral=dict(d.collateral), needs_http=d.needs_transport == "http", keyword=d.scenarios)
            for d in sorted(DEFECTS.values(), key=lambda d: d.name)]


def run_suite(output: Path, *, defects: tuple[str, ...] = (), variants: tuple[str, ...] = (), device: str = "emulator", select: str | None = None, keyword: str | None = None, in_process: bool = False, timeout_s: float = 600) -> dict:
    """One `conformance run` in its own process; returns its results.json."""
    command = [sys.executable, "-m", "conformance", "run", "--device", device, "--output", str(output), "--run-id", output.name]
    for name in defects:
        command += ["--defect", name]
    for name in variants:
        command += ["--variant", name]
    if select:
        command += ["--select", select]
    if keyword:
        command += ["--keyword", keyword]
    if in_process:
        command.append("--in-process")
    completed = subprocess.run(command, capture_output=True, text=True, timeout=timeout_s, env=dict(os.environ, PYTHONUNBUFFERED="1"))
    results = output / "results.json"
    if not results.exists():
        raise RuntimeError(f"{' '.join(command)} wrote no results (exit {completed.returncode}): {completed.stderr[-1500:] or completed.stdout[-1500:]}")
    return json.loads(results.read_text(encoding="utf-8"))


def detect(violation: Violation, output_root: Path, *, declared_only: bool = True, in_process: bool = False) -> Detection:
    started = time.perf_counter()
    for attempt in range(1, (RACE_ATTEMPTS if violation.needs_http else 1) + 1):
        found = _detect_once(violation, output_root / (violation.name if attempt == 1 else f"{violation.name}-attempt{attempt}"), declared_only, in_process)
        found.attempts, found.wall_time_s = attempt, time.perf_counter() - started
        if found.detected or found.error:
            break
    return found


def _detect_once(violation: Violation, output: Path, declared_only: bool, in_process: bool) -> Detection:
    # A defect's own clauses and those it justifies breaking: each is a place it must be seen.
    select = " or ".join([*violation.clauses, *violation.collateral]) if declared_only else None
    try:
        data = run_suite(output, defects=violation.defects, device=violation.device, select=select, keyword=violation.keyword, in_process=in_process and not violation.needs_http)
    except (RuntimeError, subprocess.TimeoutExpired) as exc:
        return Detection(violation, {}, error=str(exc))
    verdicts = {c["id"]: c["verdict"] for c in data["clauses"] if c["scenarios"]}
    failing = {s["nodeid"] for c in data["clauses"] for s in c["scenarios"] if s["verdict"] == "FAIL"}
    return Detection(violation, verdicts, failing, data["exit_status"])


def detection_matrix(violations: list[Violation], output_root: Path, *, jobs: int | None = None, declared_only: bool = True, in_process: bool = False) -> list[Detection]:
    jobs = jobs or os.cpu_count() or 2
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        return list(pool.map(lambda v: detect(v, output_root, declared_only=declared_only, in_process=in_process), violations))


def run_variation(variation: Variation, output_root: Path, *, in_process: bool = False) -> VariationRun:
    """The full suite on a conformant variation: any adverse verdict is a false verdict of the suite."""
    started = time.perf_counter()
    try:
        data = run_suite(output_root / f"variation-{variation.name}", variants=variation.variants, device=variation.device, keyword=variation.keyword, in_process=in_process)
    except (RuntimeError, subprocess.TimeoutExpired) as exc:
        return VariationRun(variation, {}, error=str(exc), wall_time_s=time.perf_counter() - started)
    adverse = {c["id"]: c["verdict"] for c in data["clauses"] if c["verdict"] in ADVERSE}
    scenarios = sorted(f"{s['name']}: {s.get('reason', '')[:300]}" for c in data["clauses"] for s in c["scenarios"] if s["verdict"] in ADVERSE)
    return VariationRun(variation, adverse, scenarios, data["exit_status"], wall_time_s=time.perf_counter() - started)


def variation_runs(variations: list[Variation], output_root: Path, *, jobs: int | None = None, in_process: bool = False) -> list[VariationRun]:
    jobs = jobs or os.cpu_count() or 2
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        return list(pool.map(lambda v: run_variation(v, output_root, in_process=in_process), variations))
