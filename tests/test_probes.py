"""Feature probes (declared vs observed) under faults: a probe that gets nothing to judge never makes a clause N/A.

The device is the reference emulator with every feature, behind the fault
proxy (tests/faults.py); each probe of conformance/applicability.py is sent
as the harness sends it, and the fault hits that probe's operation only.
"""

from __future__ import annotations

import pytest

from conformance.applicability import FEATURE_PROBES, observe_features
from conformance.declaration import FIXTURES_DIR
from conformance.emulator_process import start_emulator
from conformance.validation import run_suite
from device_adapters.http import HttpTransport
from device_adapters.inprocess import InProcessTransport
from device_adapters.watch import Watch
from emulator.watch import ALL_FEATURES, DEFAULT_TOKEN, ReferenceWatch
from tests.faults import FaultProxy

TIMEOUT_S = 0.4  # the harness's timeout in these tests: a hanging probe costs this much


@pytest.fixture(scope="module")
def emulator():
    with start_emulator(features=list(ALL_FEATURES), token=DEFAULT_TOKEN) as process:
        yield process


def _probe_through(proxy: FaultProxy, feature: str):
    watch = Watch(HttpTransport(proxy.address, timeout_s=TIMEOUT_S), auth=DEFAULT_TOKEN)
    try:
        return observe_features(watch, [feature])
    finally:
        watch.close()


@pytest.mark.parametrize("feature", sorted(FEATURE_PROBES))
def test_without_a_fault_a_feature_the_watch_has_is_observed(emulator, feature):
    with FaultProxy(emulator.address, "slow", op="nothing.matches") as proxy:
        observation = _probe_through(proxy, feature)
    assert observation.present == [feature] and not observation.unjudged


@pytest.mark.parametrize("feature", sorted(FEATURE_PROBES))
def test_a_watch_without_the_feature_is_absent_as_declared(feature):
    device = ReferenceWatch(":memory:", features=[], token=DEFAULT_TOKEN)
    observation = observe_features(Watch(InProcessTransport(device.handle, on_close=device.close), auth=DEFAULT_TOKEN), [feature])
    device.close()
    assert observation.present == [] and observation.unjudged == {}


FAULT_CAUSES = {
    "hang": "DeviceTimeout",
    "http_500": "HTTP 500",
    "missing_result": "MalformedReply",
    "bad_json": "not a JSON reply",
    "reset": "TransportError",
    "wrong_id": "does not answer request id",
}


@pytest.mark.parametrize("fault", sorted(FAULT_CAUSES))
@pytest.mark.parametrize("feature", sorted(FEATURE_PROBES))
def test_a_probe_that_gets_no_answer_to_judge_is_unjudged_not_absent(emulator, feature, fault):
    op = FEATURE_PROBES[feature][0][0]
    with FaultProxy(emulator.address, fault, op=op) as proxy:
        observation = _probe_through(proxy, feature)
        assert proxy.faulted, f"the {fault} fault never hit {op}"
    assert observation.present == []
    assert list(observation.unjudged) == [feature]
    assert FAULT_CAUSES[fault] in observation.unjudged[feature]


@pytest.mark.parametrize(("code", "judged"), [("internal", False), ("bad_request", False), ("unknown_op", True)])
def test_protocol_fault_codes(emulator, code, judged):
    """`internal` and `bad_request` say the exchange failed; `unknown_op` says the device knows no such operation (docs/protocol.md 6.4)."""
    with FaultProxy(emulator.address, "dtp_error", op="payment.status", code=code) as proxy:
        observation = _probe_through(proxy, "payments")
    assert observation.present == []
    assert (observation.unjudged == {}) is judged
    if not judged:
        assert code in observation.unjudged["payments"]


def _declaration(tmp_path, source, address: str):
    path = tmp_path / "device.yaml"
    text = source.read_text(encoding="utf-8").replace("address: embedded", f"address: {address}").replace("timeout_s: 10", f"timeout_s: {TIMEOUT_S}")
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("fault", ["http_500", "missing_result"])
def test_a_faulted_probe_makes_every_clause_it_guards_inconclusive(emulator, tmp_path, fault):
    """payments: false on a watch that has payments, and the payment probe fails: CSW-PAY-* INCONCLUSIVE, exit 2 or 1, never N/A and 0."""
    with FaultProxy(emulator.address, fault, op="payment.status") as proxy:
        device = _declaration(tmp_path, FIXTURES_DIR / "devices" / "basic.yaml", proxy.address)
        data = run_suite(tmp_path / "run", device=str(device), select=" or ".join(f"CSW-PAY-{n}" for n in range(1, 6)))
    clauses = {c["id"]: c for c in data["clauses"] if c["scenarios"]}
    assert sorted(clauses) == [f"CSW-PAY-{n}" for n in range(1, 6)]
    for clause in clauses.values():
        assert clause["verdict"] == "INCONCLUSIVE", (clause["id"], clause["verdict"], clause["reason"])
        assert "the probe of payments (payment.status) got no answer to judge" in clause["reason"]
    assert data["exit_status"] == 2

