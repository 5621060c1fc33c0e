"""Verdicts, how an outcome becomes one, and how a clause's verdict follows from its scenarios."""

from __future__ import annotations

import re
from enum import StrEnum

from device_adapters.errors import InconclusiveError, Refused


class Verdict(StrEnum):
    PASS = "PASS"
    FAIL = "FAIL"
    INCONCLUSIVE = "INCONCLUSIVE"  # the device could not be made to answer
    NOT_APPLICABLE = "NOT_APPLICABLE"  # the declaration says the feature is absent
    ERROR = "ERROR"  # a harness bug
    NOT_TESTED = "NOT_TESTED"  # no scenario ran for the clause
    EVIDENCE_SUPPLIED = "EVIDENCE_SUPPLIED"  # physical clauses: never PASS
    EVIDENCE_MISSING = "EVIDENCE_MISSING"


# Worst first. A clause with one failing scenario fails, whatever the others say;
# a harness error outranks an unreachable device, which outranks a pass.
SEVERITY = [
    Verdict.FAIL,
    Verdict.EVIDENCE_MISSING,
    Verdict.ERROR,
    Verdict.INCONCLUSIVE,
    Verdict.NOT_TESTED,
    Verdict.PASS,
    Verdict.EVIDENCE_SUPPLIED,
    Verdict.NOT_APPLICABLE,
]


def worst(verdicts: list[Verdict]) -> Verdict:
    """The clause verdict: the worst of its scenarios' (NOT_TESTED when there are none)."""
    if not verdicts:
        return Verdict.NOT_TESTED
    return min(verdicts, key=SEVERITY.index)


def from_exception(exc: BaseException | None) -> Verdict:
    """What a scenario's outcome means: an assertion is a finding; a dead link is not."""
    if exc is None:
        return Verdict.PASS
    if isinstance(exc, InconclusiveError):
        return Verdict.INCONCLUSIVE
    if isinstance(exc, (AssertionError, Refused)):
        # An unexpected refusal means the device declined a control the clause requires.
        return Verdict.FAIL
    return Verdict.ERROR


def for_evidence(verdict: Verdict) -> Verdict:
    """Physical clauses are judged on the declaration's lab evidence, never PASS."""
    return {Verdict.PASS: Verdict.EVIDENCE_SUPPLIED, Verdict.FAIL: Verdict.EVIDENCE_MISSING}.get(verdict, verdict)


EXIT_INTERRUPTED = 3  # stopped by Ctrl-C or SIGTERM: neither a passing run nor a device fault


def exit_status(clauses: list[tuple[bool, Verdict]], interrupted: bool = False) -> int:
    """0: every mandatory clause that ran passes or does not apply; 1: one fails; 2: none fails but some could not be judged;
    3: the run was interrupted, whatever the clauses that ran gave (the reports show them).

    Clauses no scenario ran for (a --select run) do not count: coverage of the
    whole catalogue is the test suite's job, not the device's.
    """
    if interrupted:
        return EXIT_INTERRUPTED
    mandatory = [v for is_mandatory, v in clauses if is_mandatory]
    if any(v in (Verdict.FAIL, Verdict.EVIDENCE_MISSING) for v in mandatory):
        return 1
    if any(v in (Verdict.ERROR, Verdict.INCONCLUSIVE) for v in mandatory):
        return 2
    return 0


def reason_of(exc: BaseException) -> str:
    """Why a scenario ended as it did, as the person reading the report needs it.

    A finding (an assertion or a refusal) and a device fault are told in the
    step's own words: no exception class, and none of the explanation pytest's
    assertion rewriting appends ("assert not True / + where ..."), which goes to
    pytest.log with the traceback. A harness bug (ERROR) keeps its class, for
    whoever mends it.
    """
    text = str(exc).strip()
    if from_exception(exc) == Verdict.ERROR:
        return f"{type(exc).__name__}: {text}".strip()
    if isinstance(exc, AssertionError):
        # pytest puts its explanation after the message, starting with a line "assert ...".
        text = re.split(r"\n(?=assert\b)", text, maxsplit=1)[0].strip()
        if text.startswith("assert ") or not text:
            return "a check of the scenario did not hold (pytest.log in the run folder shows which)"
    return text
