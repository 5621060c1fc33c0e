"""Whole runs through the CLI (a device nothing answers is refused before the run: tests/test_bad_input.py;
one that faults or goes away during it: tests/test_faults.py): absent features NOT_APPLICABLE with reasons, hidden features FAIL."""

from __future__ import annotations

from pathlib import Path

from conformance.declaration import FIXTURES_DIR
from conformance.emulator_process import start_emulator
from conformance.validation import run_suite
from emulator.watch import ALL_FEATURES


def _declaration(tmp_path: Path, source: Path, address: str) -> Path:
    path = tmp_path / "device.yaml"
    path.write_text(source.read_text(encoding="utf-8").replace("address: embedded", f"address: {address}"), encoding="utf-8")
    return path


def test_basic_watch_reports_absent_features_as_not_applicable(tmp_path):
    """The whole suite on a watch without payments, social feed, app store...: N/A with reasons, and no false FAIL."""
    data = run_suite(tmp_path / "run", device=str(FIXTURES_DIR / "devices" / "basic.yaml"), in_process=True)
    clauses = {c["id"]: c for c in data["clauses"]}
    adverse = {cid: (c["verdict"], c["reason"]) for cid, c in clauses.items() if c["verdict"] not in ("PASS", "NOT_APPLICABLE", "EVIDENCE_SUPPLIED")}
    assert not adverse, adverse
    for cid in ("CSW-PAY-1", "CSW-SOC-1", "CSW-CON-2", "CSW-APP-4", "CSW-PRI-5"):
        assert clauses[cid]["verdict"] == "NOT_APPLICABLE"
        assert "basic.yaml" in clauses[cid]["reason"] and "no " in clauses[cid]["reason"]
    assert clauses["CSW-ADD-1"]["verdict"] == "PASS"
    assert data["exit_status"] == 0
    # Settled before any step ran, each is still named as the feature file names it, not after a test function.
    settled = [s for cid in ("CSW-PAY-1", "CSW-SOC-1") for s in clauses[cid]["scenarios"]]
    assert settled and all(s["feature"] and s["feature_file"].endswith(".feature") and not s["name"].startswith("test_") for s in settled), settled[:1]


def test_feature_declared_absent_but_present_is_a_finding(tmp_path):
    with start_emulator(features=list(ALL_FEATURES), token="emulator-test-agent-token") as emulator:
        device = _declaration(tmp_path, FIXTURES_DIR / "devices" / "basic.yaml", emulator.address)
        data = run_suite(tmp_path / "run", device=str(device), select="CSW-PAY-1 or CSW-PAY-3")
    clauses = {c["id"]: c for c in data["clauses"] if c["scenarios"]}
    assert clauses, "no payment scenario ran"
    for clause in clauses.values():
        assert clause["verdict"] == "FAIL", clause
        assert "declared absent but observed: payments" in clause["reason"]


def test_without_a_test_clock_the_shortest_limit_is_waited_out_in_real_time(tmp_path):
    """A watch whose clock cannot be driven: the limit check uses the shortest limit and real time, and says so."""
    device = FIXTURES_DIR / "devices" / "emulator-no-test-clock.yaml"
    data = run_suite(tmp_path / "run", device=str(device), keyword="every_app_closes_when_the_daily_time_is_used_up", timeout_s=400)
    scenario = next(s for c in data["clauses"] for s in c["scenarios"] if s["name"] == "Every app closes when the daily time is used up")
    assert scenario["verdict"] == "PASS" and scenario["clock_mode"] == "real time"
    night = run_suite(tmp_path / "night", device=str(device), select="CSW-ADD-4")
    clause = next(c for c in night["clauses"] if c["id"] == "CSW-ADD-4")
    assert clause["verdict"] == "INCONCLUSIVE" and "test clock" in clause["reason"], clause["reason"]


def test_a_step_says_how_it_judged_in_the_evidence(tmp_path):
    """Where the profile leaves a number open (security_update_min_years), the scenario's notes say which rule was used."""
    data = run_suite(tmp_path / "run", select="CSW-SEC-1", in_process=True)
    notes = [n for c in data["clauses"] for s in c["scenarios"] for n in s["notes"]]
    assert any("security_update_min_years" in n for n in notes), notes
    assert "security_update_min_years" in (tmp_path / "run" / "report.html").read_text(encoding="utf-8")
