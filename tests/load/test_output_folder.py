"""`conformance load` as the README gives it: no --output (reports/load-<time>) or a relative one, from any folder.

Locust runs with the output folder as its working directory, so a relative
path handed down unchanged would point elsewhere and the tallies would be lost
(every LOAD clause INCONCLUSIVE). The shortest load the CLI allows is enough.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

SHORT_LOAD = ["--duration", "2", "--users", "5", "--spawn-rate", "50", "--population", "20"]


@pytest.mark.parametrize("output", [None, "out/load-run"], ids=["default", "relative"])
def test_a_relative_output_folder_gets_the_whole_run(tmp_path, output):
    command = [sys.executable, "-m", "conformance", "load", *SHORT_LOAD] + (["--output", output] if output else [])
    completed = subprocess.run(command, capture_output=True, text=True, timeout=90, cwd=tmp_path)
    found = [tmp_path / output] if output else sorted((tmp_path / "reports").glob("load-*"))
    assert len(found) == 1 and (found[0] / "results.json").exists(), f"no results (exit {completed.returncode}): {completed.stderr[-2000:] or completed.stdout[-2000:]}"
    folder = found[0]
    results = json.loads((folder / "results.json").read_text(encoding="utf-8"))
    verdicts = {c["id"]: (c["verdict"], c["reason"]) for c in results["clauses"]}
    assert not [cid for cid, (verdict, _) in verdicts.items() if verdict == "INCONCLUSIVE"], verdicts
    assert all(verdicts[f"LOAD-{n}"][0] == "PASS" for n in (1, 2, 3)), verdicts
    assert (folder / "load.html").exists() and (folder / "locust_stats.csv").exists()
    assert not list(folder.rglob("results.json"))[1:], "a second results.json: something wrote into a folder nested in the output"
    assert completed.returncode == 0, completed.stdout[-1500:]
