"""What `conformance run` prints: one line per scenario that did not pass (its verdict, clauses, name and cause),
then the clause table; pytest's own account of each goes to pytest.log in the run folder. The run's switches of
the embedded emulator are in every report."""

from __future__ import annotations

import json
import re
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


def _on_a_terminal(command: list[str]) -> tuple[int, str]:
    """Run `command` with a pseudo-terminal as its console, as a person at a terminal would; its exit status and output."""
    import os
    import pty

    master, slave = pty.openpty()
    process = subprocess.Popen(command, cwd=ROOT, stdout=slave, stderr=slave, stdin=subprocess.DEVNULL)
    os.close(slave)
    output = b""
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:  # the other end closed: the command is done
            break
        if not chunk:
            break
        output += chunk
    os.close(master)
    return process.wait(timeout=300), output.decode("utf-8", "replace")


def test_a_terminal_gets_a_progress_line_and_a_log_does_not(tmp_path, broken_run):
    code, output = _on_a_terminal([sys.executable, "-m", "conformance", "run", "--in-process", "--defect", DEFECT, "-m", "CSW-ADD-1 or CSW-ADD-7", "--output", str(tmp_path / "run")])
    assert code == 1, output[-2000:]
    drawn = re.findall(r"\r\[\s*(\d+)/(\d+)\] (CSW-[A-Z]{3}-\d+)[^\r\n]* (\d+:\d\d) elapsed", output)
    assert drawn and {total for _, total, _, _ in drawn} == {str(len(drawn))}, drawn[:3]
    assert [int(done) for done, *_ in drawn] == list(range(len(drawn)))  # redrawn before each scenario
    assert ", about " in output and " left" in output
    # Every other line starts on a blanked line: no progress text is left in front of a finding.
    for line in output.split("\n"):
        visible = line.rsplit("\r", 1)[-1]
        assert "elapsed" not in visible or visible.startswith("["), line
    done, _ = broken_run
    assert "elapsed" not in done.stdout and "\r" not in done.stdout  # a log (a pipe) gets nothing that redraws
