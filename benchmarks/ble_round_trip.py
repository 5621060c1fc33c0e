"""BLE over the virtual radio: what the adapter costs, and what a whole run costs, beside their baselines.

    .venv/bin/python benchmarks/ble_round_trip.py [--exchanges 300] [--runs 1] [--skip-suite]

1. Round trip of one small DTP request (device.info) against one emulator
   process with its BLE face: through `BleTransport` (framing, JSON, the
   private loop's thread hop, timeouts) beside a bare GATT write + notify of
   the same bytes on the same link, driven straight through bleak's public
   API in this thread's own loop. Target: adapter <= 2x bare.
2. Wall time of the full `conformance run` over BLE (`--device ble-virtual`)
   beside over HTTP (`--device emulator`). Target: BLE within 1.5x of HTTP.

Prints figures; asserts nothing (speed targets are read, not tested).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from types import SimpleNamespace

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bleak import BleakClient, BleakScanner  # noqa: E402

from conformance.emulator_process import start_emulator  # noqa: E402
from device_adapters import protocol, registry  # noqa: E402
from device_adapters.ble import REPLY_UUID, REQUEST_UUID, SERVICE_UUID, encode  # noqa: E402
from device_adapters.ble_virtual import VirtualBleakClient, VirtualBleakScanner  # noqa: E402
from emulator.watch import ALL_FEATURES, DEFAULT_TOKEN  # noqa: E402


def small_request() -> dict:
    return protocol.request("device.info", "tester", auth=DEFAULT_TOKEN)


async def bare_round_trips(hci: str, count: int) -> list[float]:
    """Write one pre-framed request value and wait for the reply notification, on bleak alone."""
    device = await BleakScanner.find_device_by_filter(lambda d, adv: SERVICE_UUID in adv.service_uuids, timeout=10, backend=VirtualBleakScanner, hci=hci)
    replies: asyncio.Queue[bytearray] = asyncio.Queue()
    times: list[float] = []
    async with BleakClient(device, backend=VirtualBleakClient) as client:
        await client.start_notify(REPLY_UUID, lambda _, value: replies.put_nowait(value))
        for n in range(count):
            (value,) = encode(n, json.dumps(small_request()).encode(), 512)
            started = time.perf_counter()
            await client.write_gatt_char(REQUEST_UUID, value, response=True)
            await replies.get()
            times.append(time.perf_counter() - started)
    return times


def adapter_round_trips(hci: str, count: int) -> list[float]:
    transport = registry.open_transport(SimpleNamespace(transport="ble-virtual", address=hci, timeout_s=10))
    try:
        transport.exchange(small_request())  # connect outside the timing
        times = []
        for _ in range(count):
            message = small_request()
            started = time.perf_counter()
            transport.exchange(message)
            times.append(time.perf_counter() - started)
        return times
    finally:
        transport.close()


def suite_wall_time(device: str, output: Path) -> tuple[float, dict]:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "conformance", "run", "--device", device, "--output", str(output), "--run-id", output.name], capture_output=True, check=False)
    elapsed = time.perf_counter() - started
    results = json.loads((output / "results.json").read_text(encoding="utf-8"))
    return elapsed, results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--exchanges", type=int, default=300, help="round trips measured each way (after a warm-up)")
    parser.add_argument("--runs", type=int, default=1, help="full-suite runs per transport (median taken)")
    parser.add_argument("--skip-suite", action="store_true", help="only the round trips")
    args = parser.parse_args()

    with start_emulator(features=list(ALL_FEATURES), ble_hci="tcp-server:127.0.0.1:0") as emulator:
        asyncio.run(bare_round_trips(emulator.ble_hci, 20))  # warm-up: imports, first connection
        bare = asyncio.run(bare_round_trips(emulator.ble_hci, args.exchanges))
        adapter = adapter_round_trips(emulator.ble_hci, args.exchanges)
    bare_ms, adapter_ms = statistics.median(bare) * 1000, statistics.median(adapter) * 1000
    print(f"small request round trip over the virtual BLE link, median of {args.exchanges} (emulator in its own process):")
    print(f"  bare GATT write + notify (bleak, same link) {bare_ms:7.2f} ms   p90 {statistics.quantiles(bare, n=10)[-1] * 1000:.2f} ms")
    print(f"  through BleTransport                        {adapter_ms:7.2f} ms   p90 {statistics.quantiles(adapter, n=10)[-1] * 1000:.2f} ms")
    print(f"  ratio adapter / bare                        {adapter_ms / bare_ms:7.2f}x   (target <= 2x)")
    if args.skip_suite:
        return 0

    times: dict[str, list[float]] = {"ble-virtual": [], "emulator": []}
    verdicts: dict[str, dict] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for n in range(args.runs):
            for device in times:  # alternate, so drift on a shared machine hits both alike
                elapsed, results = suite_wall_time(device, Path(tmp) / f"{device}-{n}")
                times[device].append(elapsed)
                verdicts[device] = {c["id"]: c["verdict"] for c in results["clauses"]}
                scenarios = sum(len(c["scenarios"]) for c in results["clauses"])
    ble, http = statistics.median(times["ble-virtual"]), statistics.median(times["emulator"])
    print(f"full `conformance run` wall time, median of {args.runs} ({scenarios} scenarios each):")
    print(f"  over BLE  (--device ble-virtual) {ble:7.2f} s")
    print(f"  over HTTP (--device emulator)    {http:7.2f} s")
    print(f"  ratio BLE / HTTP                 {ble / http:7.2f}x   (target <= 1.5x); clause verdicts equal: {verdicts['ble-virtual'] == verdicts['emulator']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
