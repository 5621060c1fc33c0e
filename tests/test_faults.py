"""Whole runs through a faulty link: each fault of tests/faults.py makes the scenarios it hits INCONCLUSIVE, with the cause.

Never a FAIL or an ERROR because of the link, and the reports are written all
the same. Each run is a small selection (CSW-PAY-3: payments and the bill;
CSW-SAF-3: location) through the fault proxy in front of one emulator
process, with a short harness timeout so that a hang costs little.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from conformance.declaration import DEFAULT_DECLARATION
from conformance.emulator_process import start_emulator
from conformance.validation import run_suite
from emulator.watch import ALL_FEATURES, DEFAULT_TOKEN
from tests.faults import FaultProxy

TIMEOUT_S = 1.5  # the declaration's timeout_s: a hang costs this much per faulted scenario
SELECT = "CSW-PAY-3 or CSW-SAF-3"

# A link that broke under the harness, in the words the reason gives it (the operating system's, or the adapter's).
BROKEN_LINK = r"Connection (reset|refused|aborted)|closed|RemoteDisconnected|without (a )?response"
# fault -> (where it strikes, what the scenario's reason must say: a regular expression)
CASES = {
    "hang": ({"op": "payment.pay"}, r"no reply from http://\S+ within 1.5 s \(payment.pay\)"),
    "reset": ({"op": "agent.reset", "after": 1}, BROKEN_LINK),  # in the baseline reset, before any step
    "http_500": ({"op": "payment.pay"}, "HTTP 500"),
    "bad_json": ({"op": "location.get"}, "not a JSON reply"),
    "wrong_id": ({"op": "payment.consent"}, "does not answer request id"),
    "missing_result": ({"op": "payment.bill"}, r"reply out of schema: \(root\): 'result' is a required property"),
    "gone": ({"after": 12}, BROKEN_LINK),
}


@pytest.fixture(scope="module")
def emulator():
    with start_emulator(features=list(ALL_FEATURES), token=DEFAULT_TOKEN) as process:
        yield process


def _run_through(proxy: FaultProxy, tmp_path: Path) -> tuple[dict, list[dict]]:
    device = tmp_path / "device.yaml"
    text = DEFAULT_DECLARATION.read_text(encoding="utf-8").replace("address: embedded", f"address: {proxy.address}").replace("timeout_s: 10", f"timeout_s: {TIMEOUT_S}")
    device.write_text(text, encoding="utf-8")
    output = tmp_path / "run"
    data = run_suite(output, device=str(device), select=SELECT, timeout_s=120)
    for report in ("results.json", "scenarios.jsonl", "junit.xml", "report.html"):
        assert (output / report).stat().st_size > 0, f"{report} not written"
    assert any((output / "allure-results").iterdir()), "no Allure results written"
    scenarios = {s["nodeid"]: s for c in data["clauses"] for s in c["scenarios"]}
    return data, list(scenarios.values())


def _ids(scenario: dict) -> list[int]:
    return [int(e["request"]["id"]) for e in scenario["transcript"]]


def _assert_no_verdict_from_the_link(data: dict, scenarios: list[dict]) -> None:
    verdicts = {c["id"]: c["verdict"] for c in data["clauses"] if c["scenarios"]}
    assert verdicts, "no scenario ran"
    assert not [s for s in scenarios if s["verdict"] in ("FAIL", "ERROR")], [(s["name"], s["verdict"], s["reason"]) for s in scenarios if s["verdict"] in ("FAIL", "ERROR")]


@pytest.mark.parametrize("fault", sorted(CASES))
def test_a_fault_makes_the_scenarios_it_hits_inconclusive(emulator, tmp_path, fault):
    trigger, cause = CASES[fault]
    with FaultProxy(emulator.address, fault, **trigger) as proxy:
        data, scenarios = _run_through(proxy, tmp_path)
    assert proxy.faulted, f"the {fault} fault never struck ({trigger})"
    _assert_no_verdict_from_the_link(data, scenarios)
    struck = proxy.faulted_ids
    if fault == "gone":  # after it, nothing reaches the device: every exchange from the first struck one on fails
        first = min(int(i) for i in struck)
        hit = [s for s in scenarios if any(i >= first for i in _ids(s))]
    else:
        hit = [s for s in scenarios if struck & {str(i) for i in _ids(s)}]
    spared = [s for s in scenarios if s not in hit]
    assert hit, "no scenario's transcript carries a struck request"
    for scenario in hit:
        assert scenario["verdict"] == "INCONCLUSIVE", (scenario["name"], scenario["verdict"], scenario["reason"])
        assert re.search(cause, scenario["reason"]), (scenario["name"], scenario["reason"])
        assert "Error:" not in scenario["reason"], scenario["reason"]  # the link's words, not the exception's class
    assert spared, "the fault struck every scenario: the selection shows nothing of the others"
    for scenario in spared:
        assert scenario["verdict"] == "PASS", (scenario["name"], scenario["verdict"], scenario["reason"])
    assert data["exit_status"] == 2


def test_a_slow_reply_within_the_timeout_still_passes(emulator, tmp_path):
    with FaultProxy(emulator.address, "slow", op="payment.pay", slow_s=TIMEOUT_S / 4) as proxy:
        data, scenarios = _run_through(proxy, tmp_path)
    assert proxy.faulted
    assert all(s["verdict"] == "PASS" for s in scenarios), [(s["name"], s["verdict"], s["reason"]) for s in scenarios]
    slow = [e["elapsed_ms"] for s in scenarios for e in s["transcript"] if e["request"]["id"] in proxy.faulted_ids]
    assert slow and min(slow) >= TIMEOUT_S / 4 * 1000
    assert data["exit_status"] == 0


def test_the_proxy_forwards_faithfully_without_a_fault(emulator, tmp_path):
    """The control: through the proxy with nothing struck, the same selection passes."""
    with FaultProxy(emulator.address, "http_500", op="nothing.matches") as proxy:
        data, scenarios = _run_through(proxy, tmp_path)
    assert proxy.forwarded > 0 and not proxy.faulted
    assert all(s["verdict"] == "PASS" for s in scenarios), [(s["name"], s["verdict"]) for s in scenarios]
    assert data["exit_status"] == 0
