"""The verdict rules: worst-of, faults are INCONCLUSIVE, refusals and assertions are FAIL, others ERROR."""

from __future__ import annotations

import pytest

from conformance.verdicts import Verdict, exit_status, for_evidence, from_exception, reason_of, worst
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


def _rewritten_assertion() -> AssertionError:
    """An AssertionError as pytest's assertion rewriting makes it in a step module (this module is rewritten too)."""
    allowed = True
    try:
        assert not allowed, "opening camera was allowed"
    except AssertionError as exc:
        return exc
    raise RuntimeError("the assertion held")


@pytest.mark.parametrize(
    ("exc", "reason"),
    [
        (_rewritten_assertion(), "opening camera was allowed"),
        (AssertionError("9 of 9 were allowed: opening maths"), "9 of 9 were allowed: opening maths"),
        (AssertionError("assert 1 == 2"), "a check of the scenario did not hold (pytest.log in the run folder shows which)"),
        (Refused("denied", "not the guardian", "payment.pay"), str(Refused("denied", "not the guardian", "payment.pay"))),
        (DeviceTimeout("no reply to payment.pay within 5 s"), "no reply to payment.pay within 5 s"),
        (KeyError("oops"), "KeyError: 'oops'"),  # a harness bug keeps its class, for whoever mends it
    ],
)
def test_a_reason_is_told_in_the_steps_words_without_pytests_explanation(exc, reason):
    assert reason_of(exc) == reason
    assert "\nassert" not in reason_of(exc) and "where" not in reason_of(exc)
