"""The audit catches the like_quota_race defect under real concurrency (farmers' bursts of likes at one instant), and only it."""

from __future__ import annotations

import pytest

from tests.load.running import run_load, verdicts


@pytest.mark.parametrize(("defects", "expected"), [((), "PASS"), (("like_quota_race",), "FAIL")], ids=["conformant", "like_quota_race"])
def test_quota_audit_under_bursts(tmp_path, defects, expected):
    args = ["--duration", "7", "--users", "8", "--spawn-rate", "50", "--mix", "farmer=1"]
    for name in defects:
        args += ["--defect", name]
    code, results = run_load(tmp_path / "race", *args)
    found = verdicts(results)
    assert found["LOAD-2"] == expected, results["clauses"][1]["reason"]
    # Nothing else is blamed: the defect breaks the quota, not the ledger.
    assert found["LOAD-1"] == "PASS" and found["LOAD-3"] == "PASS"
    assert code == (1 if expected == "FAIL" else 0)
