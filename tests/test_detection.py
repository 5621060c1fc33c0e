"""The suite's detection power: it flags no conformant watch, and every violation is caught.

Each scenario must also fail under at least one violation of its clause, so
that no scenario is a check that cannot fail. The per-violation runs select
the violation's own clauses and run in-process (same steps and Watch API);
a sample of violations runs the full suite to look for unexplained collateral.
"""

from __future__ import annotations

import pytest

from conformance.selfcheck import all_violations, passed, validate
from conformance.validation import detection_matrix, run_suite

VIOLATIONS = all_violations()


@pytest.fixture(scope="session")
def conformant(tmp_path_factory) -> dict:
    """The full suite over HTTP, as the README's main command runs it."""
    return run_suite(tmp_path_factory.mktemp("conformant") / "run")


@pytest.fixture(scope="session")
def matrix(tmp_path_factory) -> dict:
    rows = detection_matrix(VIOLATIONS, tmp_path_factory.mktemp("matrix"), in_process=True)
    return {row.violation.name: row for row in rows}


def test_conformant_emulator_gets_no_adverse_verdict(conformant):
    adverse = {c["id"]: c["verdict"] for c in conformant["clauses"] if c["verdict"] not in ("PASS", "NOT_APPLICABLE", "EVIDENCE_SUPPLIED")}
    assert not adverse, f"the conformant emulator got {adverse}"
    assert conformant["exit_status"] == 0


@pytest.mark.parametrize("name", [v.name for v in VIOLATIONS])
def test_violation_is_detected(matrix, name):
    row = matrix[name]
    assert not row.error, row.error
    assert row.detected, f"{name} breaks {', '.join(row.violation.clauses)} but the suite gave {row.clause_verdicts}"


def test_every_scenario_fails_under_some_violation(conformant, matrix):
    scenarios = {s["nodeid"]: s["name"] for c in conformant["clauses"] for s in c["scenarios"] if s["verdict"] != "NOT_APPLICABLE"}
    caught = set().union(*(row.failing_scenarios for row in matrix.values()))
    never = sorted(name for nodeid, name in scenarios.items() if nodeid not in caught)
    assert not never, f"{len(never)} scenario(s) never fail under any violation: {never}"


def test_sample_of_violations_over_the_full_suite_has_no_unexplained_collateral_and_no_variation_is_flagged(tmp_path):
    result = validate(tmp_path / "validate", use_sample=True)
    assert result["variations"] >= 6, "every conformant variation runs"
    assert passed(result), {r["violation"]: (r["detected"], r["unexplained_collateral"]) for r in result["rows"]} | {"conformant": result["conformant_adverse_verdicts"]} | {
        r["variation"]: r["adverse_scenarios"] or r["error"] for r in result["variation_runs"] if not r["clean"]}
    assert (tmp_path / "validate" / "detection.html").exists()
