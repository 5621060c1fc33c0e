"""The suite's detection power: it flags no conformant watch, and every defect of the emulator is caught.

Each scenario must also fail under at least one violation of its clause, so
that no scenario is a check that cannot fail.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from conformance.validation import Violation, detection_matrix, emulator_violations, run_suite

ROOT = Path(__file__).resolve().parent.parent
NO_EVIDENCE = ROOT / "tests" / "data" / "no-evidence.yaml"


def violations() -> list[Violation]:
    found = emulator_violations()
    if NO_EVIDENCE.exists():
        found.append(Violation("declaration_without_evidence", tuple(f"CSW-PHY-{n}" for n in range(1, 7)), device=str(NO_EVIDENCE)))
    return found


@pytest.fixture(scope="session")
def conformant(tmp_path_factory) -> dict:
    return run_suite(tmp_path_factory.mktemp("conformant") / "run")


@pytest.fixture(scope="session")
def matrix(tmp_path_factory) -> dict:
    rows = detection_matrix(violations(), tmp_path_factory.mktemp("matrix"))
    return {row.violation.name: row for row in rows}


def test_conformant_emulator_gets_no_adverse_verdict(conformant):
    adverse = {c["id"]: c["verdict"] for c in conformant["clauses"] if c["verdict"] not in ("PASS", "NOT_APPLICABLE", "EVIDENCE_SUPPLIED")}
    assert not adverse, f"the conformant emulator got {adverse}"
    assert conformant["exit_status"] == 0


@pytest.mark.parametrize("name", [v.name for v in violations()])
def test_violation_is_detected(matrix, name):
    row = matrix[name]
    assert not row.error, row.error
    assert row.detected, f"{name} breaks {', '.join(row.violation.clauses)} but the suite gave {row.clause_verdicts}"


def test_every_scenario_fails_under_some_violation(conformant, matrix):
    scenarios = {s["nodeid"]: s["name"] for c in conformant["clauses"] for s in c["scenarios"] if s["verdict"] != "NOT_APPLICABLE"}
    caught = set().union(*(row.failing_scenarios for row in matrix.values()))
    never = sorted(name for nodeid, name in scenarios.items() if nodeid not in caught)
    assert not never, f"{len(never)} scenario(s) never fail under any violation: {never}"
