"""`conformance gate --baseline OLD NEW`: a regression or a vanished clause fails the gate, an improvement passes it,
and OLD/NEW may be results.json, a run folder or a bundle.zip; unreadable input is one line naming the file (exit 4)."""

from __future__ import annotations

import copy
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from conformance import cli
from conformance.gate import compare

ROOT = Path(__file__).resolve().parent.parent
SELECT = "CSW-ADD-1 or CSW-PAY-5"


def _start(output: Path, *arguments: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "conformance", "run", "--in-process", "--select", SELECT, "--output", str(output), *arguments],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """A real release run (the conformant emulator) and a real build that broke CSW-ADD-1, run side by side."""
    root = tmp_path_factory.mktemp("gate")
    release, broken = root / "release", root / "broken"
    processes = [_start(release), _start(broken, "--defect", "daily_limit_ignored")]
    for process, output in zip(processes, (release, broken), strict=True):
        _, err = process.communicate(timeout=180)
        assert (output / "results.json").exists(), err
    return release, broken


def _gate(capsys, old: Path, new: Path) -> tuple[int, str, str]:
    code = cli.main(["gate", "--baseline", str(old), str(new)])
    out = capsys.readouterr()
    return code, out.out, out.err


def _results(run: Path) -> dict:
    return json.loads((run / "results.json").read_text(encoding="utf-8"))


def _write(path: Path, data: dict) -> Path:
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def _clause(data: dict, cid: str) -> dict:
    return next(c for c in data["clauses"] if c["id"] == cid)


def test_a_regression_fails_the_gate(runs, capsys):
    release, broken = runs
    code, out, err = _gate(capsys, release, broken)
    assert code == 1, out + err
    row = next(line for line in out.splitlines() if line.startswith("CSW-ADD-1 "))
    assert row.split()[1:5] == ["REGRESSION", "PASS", "->", "FAIL"] and "Guardian sets a daily usable duration" in row
    assert out.splitlines()[-1].startswith("gate FAILED: 1 regression(s) (CSW-ADD-1 PASS -> FAIL)")
    assert "defects switched on (daily_limit_ignored)" in out  # the new run is no device's result, and the gate says so
    assert not any(line.startswith("CSW-PAY-5 ") for line in out.splitlines())  # unchanged clauses are not listed


def test_an_improvement_passes_the_gate(runs, capsys):
    release, broken = runs
    code, out, _ = _gate(capsys, broken / "results.json", release / "results.json")
    assert code == 0
    row = next(line for line in out.splitlines() if line.startswith("CSW-ADD-1 "))
    assert row.split()[1:5] == ["better", "FAIL", "->", "PASS"]
    assert out.splitlines()[-1] == "gate passed: no regression; 1 better"


def test_the_same_results_pass_with_no_change(runs, capsys):
    release, _ = runs
    code, out, _ = _gate(capsys, release, release)
    assert code == 0 and "no clause verdict changed" in out


def test_a_vanished_clause_fails_the_gate(runs, capsys, tmp_path):
    release, _ = runs
    data = _results(release)
    data["clauses"] = [c for c in data["clauses"] if c["id"] != "CSW-PAY-5"]
    code, out, _ = _gate(capsys, release, _write(tmp_path / "results.json", data))
    assert code == 1
    assert next(line for line in out.splitlines() if line.startswith("CSW-PAY-5 ")).split()[1:5] == ["REGRESSION", "PASS", "->", "(vanished)"]
    assert "CSW-PAY-5 vanished" in out.splitlines()[-1]


def test_a_waived_fail_is_still_a_regression(runs, tmp_path):
    """Waivers speak to one run's exit status; against the baseline the FAIL is a FAIL."""
    release, broken = runs
    data = _results(broken)
    _clause(data, "CSW-ADD-1")["waivers"] = [{"clause": "CSW-ADD-1", "justification": "fix in 2.4"}]
    changes = {c.clause: c for c in compare(_results(release), data)}
    assert changes["CSW-ADD-1"].kind == "REGRESSION" and changes["CSW-ADD-1"].waived


def test_what_counts_as_worse(runs):
    release, _ = runs
    old = _results(release)
    new = copy.deepcopy(old)
    verdicts = {"CSW-ADD-1": "NOT_APPLICABLE", "CSW-PAY-5": "INCONCLUSIVE"}
    for cid, verdict in verdicts.items():
        _clause(new, cid)["verdict"] = verdict
    _clause(old, "CSW-ADD-2")["verdict"], _clause(new, "CSW-ADD-2")["verdict"] = "INCONCLUSIVE", "FAIL"
    _clause(old, "CSW-ADD-3")["verdict"], _clause(new, "CSW-ADD-3")["verdict"] = "NOT_APPLICABLE", "PASS"
    new["clauses"].append({"id": "CSW-NEW-1", "verdict": "PASS", "title": {"en": "A clause the profile added"}})
    kinds = {c.clause: c.kind for c in compare(old, new)}
    # A tested clause that stops being tested regresses; a feature added that passes is better; FAIL after
    # INCONCLUSIVE is worse but was not passing before; a clause new in NEW is listed, not judged.
    assert kinds == {"CSW-ADD-1": "REGRESSION", "CSW-PAY-5": "REGRESSION", "CSW-ADD-2": "worse", "CSW-ADD-3": "better", "CSW-NEW-1": "added"}


def test_a_run_folder_its_results_and_a_bundle_read_the_same(runs, capsys, tmp_path):
    release, broken = runs
    bundle = tmp_path / "bundle.zip"
    with zipfile.ZipFile(bundle, "w") as out:
        out.write(broken / "results.json", "results.json")
        out.write(broken / "junit.xml", "junit.xml")
    outputs = [_gate(capsys, release, new)[:2] for new in (broken, broken / "results.json", bundle)]
    assert outputs[0][0] == 1
    tables = [out.split("\n", 1)[1] for _, out in outputs]  # the first line names the files
    assert tables[0] == tables[1] == tables[2]


def _not_a_bundle(tmp_path: Path) -> Path:
    path = tmp_path / "bundle.zip"
    with zipfile.ZipFile(path, "w") as out:
        out.writestr("run/results.json", "{}")
    return path


@pytest.mark.parametrize("make, field, words", [
    (lambda tmp: tmp / "missing.json", "(file)", "does not exist"),
    (lambda tmp: tmp, "results.json", "is a folder without results.json"),
    (_not_a_bundle, "results.json", "is a zip file without results.json at its root"),
    (lambda tmp: _write(tmp / "r.json", {"run_id": "x"}), "clauses", "is required"),
    (lambda tmp: _write(tmp / "r.json", {"clauses": [{"id": "CSW-ADD-1", "verdict": "GOOD"}]}), "clauses[0].verdict", "'GOOD' is not one of"),
    (lambda tmp: _write(tmp / "r.json", {"clauses": [{"id": "CSW-ADD-1", "verdict": "PASS"}] * 2}), "clauses[1].id", "is given twice"),
])
def test_unreadable_input_is_one_line_naming_the_file(runs, capsys, tmp_path, make, field, words):
    release, _ = runs
    bad = make(tmp_path)
    for old, new in ((bad, release), (release, bad)):
        code, out, err = _gate(capsys, old, new)
        assert code == 4 and out == ""
        assert err.startswith(f"conformance: {bad}") and f"field '{field}'" in err and words in err, err
        assert len(err.strip().splitlines()) == 1 and "Traceback" not in err


def test_broken_json_gives_its_line(runs, capsys, tmp_path):
    release, _ = runs
    bad = tmp_path / "results.json"
    bad.write_text('{\n  "clauses": [\n    {"id": "CSW-ADD-1",, "verdict": "PASS"}\n  ]\n}\n', encoding="utf-8")
    code, _, err = _gate(capsys, release, bad)
    assert code == 4 and err.startswith(f"conformance: {bad}:3: field '(syntax)': is not JSON"), err
    damaged = tmp_path / "damaged.zip"
    damaged.write_bytes(b"PK\x03\x04" + b"\0" * 40)
    code, _, err = _gate(capsys, release, damaged)
    assert code == 4 and err.startswith(f"conformance: {damaged}"), err
