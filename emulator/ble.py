"""The reference watch over BLE: the DTP GATT service of docs/ble.md, as a bumble peripheral.

`DtpPeripheral` is the watch's side of the protocol on any bumble Device:
it reassembles request chunks written to the request characteristic, answers
each whole request, and notifies the reply in chunks that fit the link. The
emulator runs it on the virtual radio (`serve_in_background`), next to its
HTTP face and on the same `ReferenceWatch`, so both faces share state, rules
and defects.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable
from typing import Any

from bumble.core import UUID, AdvertisingData
from bumble.device import AdvertisingEventProperties, AdvertisingParameters, Connection, Device
from bumble.gatt import Characteristic, CharacteristicValue, Service

from device_adapters.ble import REPLY_UUID, REQUEST_UUID, SERVICE_UUID, FrameError, Reassembler, decode, encode, value_size
from device_adapters.ble_virtual import VirtualRadio
from emulator import wire
from emulator.operations import Refusal

logger = logging.getLogger(__name__)

ANNOUNCEMENT = "EMULATOR BLE HCI "  # then the HCI spec a central connects to, e.g. tcp-client:127.0.0.1:40123
ADDRESS = "C0:46:85:92:02:05"  # random static (two top bits set); "46859" after the standard, "2025" its year
ADVERTISING_INTERVAL_MS = 20  # bumble waits the interval for real: 20 ms keeps discovery quick
_MAX_AD_NAME = 100  # extended advertising carries up to 251 bytes; a longer name is shortened

Answer = Callable[[bytes], bytes]


class DtpPeripheral:
    """The DTP GATT service on a bumble Device: one request at a time per connection, answered by `answer(bytes) -> bytes`."""

    def __init__(self, device: Device, answer: Answer):
        self.device = device
        self.answer = answer
        self.reply = Characteristic(REPLY_UUID, Characteristic.Properties.NOTIFY, Characteristic.READABLE, b"")
        self.request = Characteristic(REQUEST_UUID, Characteristic.Properties.WRITE | Characteristic.Properties.WRITE_WITHOUT_RESPONSE,
                                      Characteristic.WRITEABLE, CharacteristicValue(write=self._on_write))
        device.add_service(Service(SERVICE_UUID, [self.request, self.reply]))
        device.on(Device.EVENT_CONNECTION, self._on_connection)
        self._inbound: dict[Connection, Reassembler] = {}
        self._turns: dict[Connection, asyncio.Lock] = {}
        self._tasks: set[asyncio.Task] = set()
        # Largest values seen each way, for the evidence and the tests (never above min(MTU - 3, 512)).
        self.largest_write = 0
        self.largest_notification = 0

    async def start(self, name: str) -> None:
        """Power on and advertise the service UUID and the name, every 20 ms, again after each disconnection.

        Extended advertising, not legacy with a scan response: bumble's virtual
        controller answers a scan request with the advertising data again, so
        a name kept for the scan response would never reach the central.
        """
        await self.device.power_on()
        flags = bytes([AdvertisingData.LE_GENERAL_DISCOVERABLE_MODE_FLAG | AdvertisingData.BR_EDR_NOT_SUPPORTED_FLAG])
        encoded = name.encode("utf-8")
        kind = AdvertisingData.COMPLETE_LOCAL_NAME if len(encoded) <= _MAX_AD_NAME else AdvertisingData.SHORTENED_LOCAL_NAME
        advertising = AdvertisingData([(AdvertisingData.FLAGS, flags), (AdvertisingData.COMPLETE_LIST_OF_128_BIT_SERVICE_CLASS_UUIDS, UUID(SERVICE_UUID).to_bytes()),
                                       (kind, encoded[:_MAX_AD_NAME])])
        parameters = AdvertisingParameters(advertising_event_properties=AdvertisingEventProperties(is_connectable=True, is_scannable=False, is_legacy=False),
                                           primary_advertising_interval_min=ADVERTISING_INTERVAL_MS, primary_advertising_interval_max=ADVERTISING_INTERVAL_MS)
        await self.device.create_advertising_set(advertising_parameters=parameters, random_address=self.device.random_address,
                                                 advertising_data=bytes(advertising), auto_restart=True)

    # -- requests in --------------------------------------------------------------

    def _on_connection(self, connection: Connection) -> None:
        self._inbound[connection] = Reassembler()
        self._turns[connection] = asyncio.Lock()

        def forget(reason: int) -> None:
            # A partial request dies with its link (docs/ble.md, "When things go wrong").
            self._inbound.pop(connection, None)
            self._turns.pop(connection, None)

        connection.on(Connection.EVENT_DISCONNECTION, forget)

    def _on_write(self, connection: Connection, value: bytes) -> None:
        self.largest_write = max(self.largest_write, len(value))
        reassembler = self._inbound.setdefault(connection, Reassembler())
        # A complaint names the offending value's message number (bytes 2-3) when it has them, for the central to match.
        message = int.from_bytes(value[2:4], "big") if len(value) >= 4 else (reassembler.message or 0)
        try:
            chunk = decode(value)
            message = chunk.message
            whole = reassembler.feed(chunk)
        except FrameError as exc:
            reassembler.reset()
            self._in_turn(connection, self.send(connection, message, str(exc).encode("utf-8"), error=True))
            return
        if whole is not None:
            # Answer outside the write callback, so the write is acknowledged at once.
            self._in_turn(connection, self.on_request(connection, chunk.message, whole))

    def _in_turn(self, connection: Connection, work: Any) -> None:
        turn = self._turns.setdefault(connection, asyncio.Lock())

        async def run() -> None:
            async with turn:  # asyncio.Lock is FIFO: replies leave in the order requests came
                try:
                    await work
                except Exception:  # a link that dropped mid-reply is the central's to notice
                    logger.debug("reply not sent", exc_info=True)

        task = asyncio.get_running_loop().create_task(run())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def on_request(self, connection: Connection, message: int, payload: bytes) -> None:
        """Answer one whole request. Tests override this to misbehave on purpose."""
        await self.send(connection, message, self.answer(payload))

    # -- replies out -----------------------------------------------------------------

    async def send(self, connection: Connection, message: int, payload: bytes, *, error: bool = False) -> None:
        """Notify one message in chunks of at most min(ATT MTU - 3, 512) bytes."""
        for value in encode(message, payload, value_size(connection.att_mtu), error=error):
            await self.notify(connection, value)

    async def notify(self, connection: Connection, value: bytes) -> None:
        self.largest_notification = max(self.largest_notification, len(value))
        await self.device.notify_subscriber(connection, self.reply, value)


def json_answer(handle: Callable[[Any], Any]) -> Answer:
    """Bytes in, bytes out around a handler of decoded DTP messages, with the limits of emulator/wire.py."""

    def answer(payload: bytes) -> bytes:
        try:
            message = wire.decode(payload)
        except Refusal as refusal:  # too large, too deep, not JSON: the handler never sees it
            return wire.encode(wire.unreadable(refusal))
        return wire.encode(handle(message))

    return answer


class SharedWatch:
    """One watch behind two faces on two threads (HTTP, BLE): one request at a time, as with one face."""

    def __init__(self, watch: Any):
        self._watch = watch
        self._lock = threading.Lock()

    def handle(self, message: Any) -> dict[str, Any]:
        with self._lock:
            return self._watch.handle(message)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._watch, name)


async def open_virtual_face(answer: Answer, server_spec: str, name: str) -> tuple[VirtualRadio, DtpPeripheral]:
    """A virtual radio whose HCI server for centrals listens at `server_spec` (tcp-server:HOST:PORT), with the watch advertising on it."""
    host, port = VirtualRadio.parse_server_spec(server_spec)
    radio = await VirtualRadio.open(host, port)
    peripheral = DtpPeripheral(radio.peripheral(name, ADDRESS), answer)
    await peripheral.start(name)
    return radio, peripheral


def serve_in_background(watch: Any, server_spec: str, name: str | None = None, timeout_s: float = 10.0) -> str:
    """Serve `watch` over BLE from a daemon thread; return the HCI spec centrals use once it advertises."""
    started = threading.Event()
    outcome: dict[str, Any] = {}

    async def main() -> None:
        try:
            radio, _ = await open_virtual_face(json_answer(watch.handle), server_spec, name or getattr(watch, "model", "DTP watch"))
        except BaseException as exc:  # handed to the starting thread
            outcome["error"] = exc
            started.set()
            return
        outcome["spec"] = radio.hci_spec
        started.set()
        await asyncio.Event().wait()  # serve until the process ends

    threading.Thread(target=asyncio.run, args=(main(),), name="emulator-ble", daemon=True).start()
    if not started.wait(timeout_s):
        raise TimeoutError(f"the BLE face did not start within {timeout_s:g} s")
    if "error" in outcome:
        raise outcome["error"]
    return outcome["spec"]
