"""What `conformance run` prints: one line per scenario that did not pass (its verdict, clauses, name and cause),
then the clause table; pytest's own account of each goes to pytest.log in the run folder. The run's switches of
the embedded emulator are in every report."""

from __future__ import annotations

import json
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DEFECT = "daily_limit_ignored"


@pytest.fixture(scope="module")
def broken_run(tmp_path_factory):
    output = tmp_path_factory.mktemp("console") / "run"
    done = subprocess.run([sys.executable, "-m", "conformance", "run", "--in-process", "--defect", DEFECT, "-m", "CSW-ADD-1 or CSW-ADD-7", "--output", str(output)],
                          cwd=ROOT, capture_output=True, text=True, timeout=300)
    return done, output


def test_each_scenario_that_did_not_pass_is_one_line(broken_run):
    done, output = broken_run
    assert done.returncode == 1, done.stdout + done.stderr
    scenarios = [json.loads(line) for line in (output / "scenarios.jsonl").read_text(encoding="utf-8").splitlines()]
    adverse = [s for s in scenarios if s["verdict"] not in ("PASS", "NOT_APPLICABLE")]
    assert adverse, "the defect was not caught"
    lines = done.stdout.splitlines()
    for scenario in adverse:
        told = [line for line in lines if line.startswith(scenario["verdict"]) and scenario["name"] in line]
        assert len(told) == 1, (scenario["name"], told)
        assert scenario["reason"].splitlines()[0][:100] in told[0]
    passing = [s["name"] for s in scenarios if s["verdict"] == "PASS"]
    assert passing and not any(line.endswith(name) or f"{name}:" in line for line in lines for name in passing)
    for noise in ("Traceback", "assert ", "def ", "Warning", "....", "= FAILURES ="):
        assert noise not in done.stdout + done.stderr, noise


def test_pytest_detail_goes_to_the_log(broken_run):
    done, output = broken_run
    log = (output / "pytest.log").read_text(encoding="utf-8")
    assert log.count("\n== ") + log.startswith("== ") >= 1 and "AssertionError" in log and "assert not" in log


def test_the_defect_is_in_every_report(broken_run):
    _, output = broken_run
    results = json.loads((output / "results.json").read_text(encoding="utf-8"))
    assert results["emulator_switches"]["defects"] == [DEFECT]
    properties = {p.get("name"): p.get("value") for p in ET.parse(output / "junit.xml").iter("property")}
    assert properties["emulator.defects"] == DEFECT and properties["interrupted"] == "false"
    assert DEFECT in (output / "report.html").read_text(encoding="utf-8")


@pytest.mark.parametrize("command", [["list"], ["emulator", "--list-defects"]])
def test_a_reader_that_stops_early_gets_no_traceback(command):
    """`conformance list | head -1`: the pipe closes under the command, which stops quietly."""
    lister = subprocess.Popen([sys.executable, "-m", "conformance", *command], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert lister.stdout.readline()
    lister.stdout.close()  # what `head -1` does once it has its line
    errors = lister.stderr.read().decode()
    assert lister.wait(timeout=60) == 0 and errors == "", errors
