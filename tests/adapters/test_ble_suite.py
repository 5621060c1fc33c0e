"""The BLE face of the emulator process and the whole harness over the virtual radio: same watch, same verdicts as over HTTP."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest

from conformance.cli import resolve_device
from conformance.declaration import FIXTURES_DIR, load_declaration
from conformance.emulator_process import start_emulator
from conformance.validation import run_suite
from device_adapters import registry
from device_adapters.ble import BleTransport
from device_adapters.errors import TransportError
from device_adapters.watch import Watch
from emulator.watch import ALL_FEATURES, DEFAULT_TOKEN

SUBSET = "CSW-ADD-1 or CSW-PAY-2 or CSW-SOC-4"


def test_one_emulator_process_serves_the_same_watch_over_http_and_ble():
    with start_emulator(features=list(ALL_FEATURES), ble_hci="tcp-server:127.0.0.1:0") as emulator:
        assert emulator.ble_hci.startswith("tcp-client:127.0.0.1:")
        over_ble = Watch(registry.open_transport(SimpleNamespace(transport="ble-virtual", address=emulator.ble_hci, timeout_s=10)), auth=DEFAULT_TOKEN)
        over_http = Watch(registry.open_transport(SimpleNamespace(transport="http", address=emulator.address, timeout_s=10)), auth=DEFAULT_TOKEN)
        try:
            assert isinstance(over_ble.transport, BleTransport)
            assert over_ble.info()["model"] == "RW-1 reference watch"
            over_ble.set_daily_limit(37)
            assert over_http.usage()["limit_seconds"] == 37 * 60
            over_http.set_daily_limit(41)
            assert over_ble.usage()["limit_seconds"] == 41 * 60
            assert over_ble.transport.att_mtu == 517 and over_ble.transport.value_size == 512
        finally:
            over_ble.close()
            over_http.close()


def test_ble_transport_to_a_stopped_emulator_is_a_transport_error():
    with start_emulator(features=list(ALL_FEATURES), ble_hci="tcp-server:127.0.0.1:0") as emulator:
        spec = emulator.ble_hci
    watch = Watch(registry.open_transport(SimpleNamespace(transport="ble-virtual", address=spec, timeout_s=2)), auth=DEFAULT_TOKEN)
    try:
        with pytest.raises(TransportError, match="could not connect to ble-virtual://tcp-client:127.0.0.1:.*ConnectionRefusedError"):
            watch.info()
    finally:
        watch.close()


def test_device_names_for_ble():
    assert Path(resolve_device("ble-virtual")) == FIXTURES_DIR / "devices" / "emulator-ble.yaml"
    derived = load_declaration(resolve_device("ble:C0:46:85:92:02:05"))
    assert (derived.transport, derived.address, derived.features["ble"]) == ("ble", "C0:46:85:92:02:05", True)
    assert load_declaration(resolve_device("ble:RW-1 reference watch")).address == "RW-1 reference watch"
    assert load_declaration(resolve_device("ble-virtual:tcp-client:127.0.0.1:9000")).transport == "ble-virtual"


def test_conformance_verdicts_over_ble_equal_those_over_http(tmp_path):
    over_ble = run_suite(tmp_path / "ble", device=str(FIXTURES_DIR / "devices" / "emulator-ble.yaml"), select=SUBSET, timeout_s=300)
    over_http = run_suite(tmp_path / "http", device="emulator", select=SUBSET, timeout_s=300)

    def verdicts(results: dict) -> dict[str, str]:
        return {c["id"]: c["verdict"] for c in results["clauses"] if c["scenarios"]}

    assert set(verdicts(over_ble)) == {"CSW-ADD-1", "CSW-PAY-2", "CSW-SOC-4"}
    assert verdicts(over_ble) == verdicts(over_http)
    assert set(verdicts(over_ble).values()) == {"PASS"}
    scenarios = [s for c in over_ble["clauses"] for s in c["scenarios"]]
    assert scenarios and all(s["transcript"] for s in scenarios)
    assert over_ble["declaration"]["transport"] == "ble-virtual"
