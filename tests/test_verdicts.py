"""The verdict rules: worst-of, faults are INCONCLUSIVE, refusals and assertions are FAIL, others ERROR."""

from __future__ import annotations

import pytest

from conformance.verdicts import Verdict, exit_status, for_evidence, from_exception, worst
from device_adapters.errors import DeviceTimeout, MalformedReply, Refused, TransportError, UnsupportedOperation

V = Verdict


@pytest.mark.parametrize(
    ("verdicts", "expected"),
    [
        ([V.PASS, V.PASS], V.PASS),
        ([V.PASS, V.FAIL, V.INCONCLUSIVE], V.FAIL),
        ([V.PASS, V.INCONCLUSIVE], V.INCONCLUSIVE),
        ([V.ERROR, V.INCONCLUSIVE], V.ERROR),
        ([V.FAIL, V.ERROR], V.FAIL),
        ([V.PASS, V.NOT_APPLICABLE], V.PASS),
        ([V.NOT_APPLICABLE], V.NOT_APPLICABLE),
        ([], V.NOT_TESTED),
    ],
)
def test_clause_verdict_is_the_worst_of_its_scenarios(verdicts, expected):
    assert worst(verdicts) is expected


@pytest.mark.parametrize(
    ("exc", "expected"),
    [
        (None, V.PASS),
        (AssertionError("limit not enforced"), V.FAIL),
        (Refused("denied", "no", "controls.set_daily_limit"), V.FAIL),
        (TransportError("connection refused"), V.INCONCLUSIVE),
        (DeviceTimeout("no reply"), V.INCONCLUSIVE),
        (MalformedReply("not JSON"), V.INCONCLUSIVE),
        (UnsupportedOperation("unknown_op"), V.INCONCLUSIVE),
        (KeyError("oops"), V.ERROR),
    ],
)
def test_outcomes_map_to_verdicts(exc, expected):
    assert from_exception(exc) is expected


def test_physical_clauses_never_pass():
    assert for_evidence(V.PASS) is V.EVIDENCE_SUPPLIED
    assert for_evidence(V.FAIL) is V.EVIDENCE_MISSING


def test_exit_status_follows_mandatory_clauses_only():
    assert exit_status([(True, V.PASS), (False, V.FAIL)]) == 0
    assert exit_status([(True, V.PASS), (True, V.FAIL)]) == 1
    assert exit_status([(True, V.PASS), (True, V.INCONCLUSIVE)]) == 2
    assert exit_status([(True, V.NOT_APPLICABLE), (True, V.EVIDENCE_SUPPLIED)]) == 0
    assert exit_status([(True, V.PASS), (True, V.NOT_TESTED)]) == 0


def test_an_interrupted_run_has_its_own_exit_status():
    """Neither a passing run (0) nor a device fault (2), whatever the scenarios before the stop gave."""
    for verdicts in ([V.PASS], [V.PASS, V.FAIL], [V.INCONCLUSIVE], []):
        assert exit_status([(True, v) for v in verdicts], interrupted=True) == 3
