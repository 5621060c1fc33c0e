"""`--retries N`: a scenario that ended INCONCLUSIVE because the link to the device broke runs again, from its own
reset, up to N more times.

Only a transport fault is retried (device_adapters.errors.TransportError: the
connection refused, reset or dropped, or no reply in time), since another try
can go otherwise. A FAIL, an ERROR, and an INCONCLUSIVE for any other reason (a
malformed reply, an operation the device does not know, a check that needs a
test clock) are the device's answer and are never retried. Every attempt is kept
in the scenario's evidence (`ScenarioResult.attempts`), so a scenario that passed
on its second try says so in every report.

It runs pytest's own test protocol once per attempt (as pytest-rerunfailures
does, which reruns failures rather than faults).
"""

from __future__ import annotations

import pytest
from _pytest.runner import runtestprotocol

from conformance.results import ScenarioResult
from conformance.verdicts import Verdict
from device_adapters.errors import TransportError

ATTEMPT_KEY = pytest.StashKey[list]()  # while set, the plugin hands each result here instead of recording it
EXCEPTION_KEY = pytest.StashKey[BaseException]()


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.getgroup("conformance").addoption(
        "--retries", type=int, default=1, help="run a scenario again, up to this many times, when a transport fault made it INCONCLUSIVE (default 1; 0: never)")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    if call.excinfo is not None and call.when in ("setup", "call"):
        item.stash[EXCEPTION_KEY] = call.excinfo.value
    yield


def is_transport_fault(result: ScenarioResult, exc: BaseException | None) -> bool:
    return result.verdict == Verdict.INCONCLUSIVE and isinstance(exc, TransportError)


def _forget_attempt(item: pytest.Item) -> None:
    """What the plugin stashed on the scenario during an attempt, so the next starts clean."""
    from conformance import plugin

    for key in (plugin.OUTCOME_KEY, plugin.TRANSCRIPT_SLICE_KEY, plugin.NOTES_KEY, plugin.CLOCK_MODE_KEY, plugin.SCENARIO_KEY, plugin.STEPS_KEY, EXCEPTION_KEY):
        if key in item.stash:
            del item.stash[key]


def _tell_attempts(item: pytest.Item, result: ScenarioResult) -> None:
    """One console line for a scenario that ran more than once: each attempt's verdict and why."""
    terminal = item.config.pluginmanager.get_plugin("terminalreporter")
    if terminal is None or len(result.attempts) < 2:
        return
    told = "; ".join(f"attempt {a['attempt']} {a['verdict']}" + (f" ({a['reason'].splitlines()[0][:120]})" if a["reason"] else "") for a in result.attempts)
    terminal.write_line(f"{'RETRIED':13} {' '.join(result.clauses)}  {result.name}: {told}")


def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None):
    retries = item.config.option.retries
    if retries <= 0:
        return None  # pytest's own protocol
    from conformance.plugin import _tell, run_of

    item.ihook.pytest_runtest_logstart(nodeid=item.nodeid, location=item.location)
    attempts: list[ScenarioResult] = []
    while True:
        item.stash[ATTEMPT_KEY] = []
        reports = runtestprotocol(item, nextitem=nextitem, log=False)
        recorded = item.stash[ATTEMPT_KEY]
        exc = item.stash.get(EXCEPTION_KEY, None)
        attempts += recorded
        again = bool(recorded) and len(attempts) <= retries and is_transport_fault(recorded[-1], exc) and not item.session.shouldstop
        for report in reports:
            if again and report.outcome != "passed":
                report.outcome = "rerun"  # pytest's summary counts it as a rerun, not a failure
            item.ihook.pytest_runtest_logreport(report=report)
        if not again:
            break
        _forget_attempt(item)
    del item.stash[ATTEMPT_KEY]
    if attempts:
        final = attempts[-1]
        if len(attempts) > 1:
            final.attempts = [{"attempt": n, "verdict": a.verdict.value, "reason": a.reason, "duration_s": a.duration_s, "transcript": a.transcript} for n, a in enumerate(attempts, 1)]
        run_of(item.config).record(final)
        _tell_attempts(item, final)
        _tell(item, final)
    item.ihook.pytest_runtest_logfinish(nodeid=item.nodeid, location=item.location)
    return True
