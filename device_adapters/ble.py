"""BLE transport: DTP messages over a GATT service, on bleak's public API (docs/ble.md).

Two parts that only make sense together:

- the wire format shared by both ends (service and characteristic UUIDs,
  chunk framing, reassembly), which the emulator's GATT face imports too;
- `BleTransport`, the central: find the watch, connect, subscribe, write a
  request in chunks, reassemble the reply from notifications.

bleak is asynchronous and a `Transport` is not, so each transport owns one
event loop in a background thread (`LoopThread`) and submits coroutines to it.
The bleak backend is a parameter: the platform's own (BlueZ, CoreBluetooth,
WinRT) for a real watch, or `device_adapters.ble_virtual` for the radio-free link.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import json
import re
import struct
import threading
import time
from collections.abc import Awaitable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from device_adapters.errors import DeviceTimeout, MalformedReply, TransportError
from device_adapters.protocol import parse_json
from device_adapters.transport import Transport

# -- the GATT service ---------------------------------------------------------

SERVICE_UUID = "ec78cbeb-b1c4-4685-af8c-9ff6e0d003bd"
REQUEST_UUID = "c6f4aac9-84ff-4ca4-bbc8-b3617ff2a96a"  # write (with response): request chunks, central -> watch
REPLY_UUID = "49e311a0-50d5-4ed4-af73-3545f891a94c"  # notify: reply chunks, watch -> central

# -- framing --------------------------------------------------------------------

FRAME_VERSION = 1
FLAG_START = 0x01  # first chunk of a message: carries the message length
FLAG_ERROR = 0x02  # the message is a framing complaint (UTF-8 text), not a DTP message
_KNOWN_FLAGS = FLAG_START | FLAG_ERROR
_HEADER = struct.Struct(">BBHH")  # version, flags, message number, chunk index
_LENGTH = struct.Struct(">I")  # message length, after the header of a start chunk
START_HEADER_SIZE = _HEADER.size + _LENGTH.size
MAX_VALUE_SIZE = 512  # a GATT attribute value is at most 512 bytes, whatever the MTU
MIN_VALUE_SIZE = 20  # ATT_MTU 23 - 3, the least every link allows
MAX_MESSAGE_SIZE = 16 * 1024 * 1024  # a receiver refuses longer messages rather than buffer without end


class FrameError(ValueError):
    """A chunk that breaks the framing rules (docs/ble.md, "Framing")."""


@dataclass(frozen=True)
class Chunk:
    """One GATT value: a header and a slice of one message."""

    message: int
    index: int
    flags: int
    length: int | None
    payload: bytes

    @property
    def start(self) -> bool:
        return bool(self.flags & FLAG_START)

    @property
    def error(self) -> bool:
        return bool(self.flags & FLAG_ERROR)


def value_size(att_mtu: int) -> int:
    """The largest GATT value (so the largest chunk) a link with this ATT MTU carries."""
    return max(MIN_VALUE_SIZE, min(att_mtu - 3, MAX_VALUE_SIZE))


def encode(message: int, payload: bytes, size: int, *, error: bool = False) -> list[bytes]:
    """Cut one message into chunks of at most `size` bytes, header included."""
    if not MIN_VALUE_SIZE <= size <= MAX_VALUE_SIZE:
        raise ValueError(f"chunk size {size} outside {MIN_VALUE_SIZE}..{MAX_VALUE_SIZE}")
    if len(payload) > MAX_MESSAGE_SIZE:
        raise ValueError(f"message of {len(payload)} bytes exceeds {MAX_MESSAGE_SIZE}")
    extra = FLAG_ERROR if error else 0
    message &= 0xFFFF
    first = size - START_HEADER_SIZE
    chunks = [_HEADER.pack(FRAME_VERSION, FLAG_START | extra, message, 0) + _LENGTH.pack(len(payload)) + payload[:first]]
    rest, step = first, size - _HEADER.size
    index = 1
    while rest < len(payload):
        chunks.append(_HEADER.pack(FRAME_VERSION, extra, message, index & 0xFFFF) + payload[rest:rest + step])
        rest += step
        index += 1
    return chunks


def decode(value: bytes | bytearray) -> Chunk:
    """Parse one GATT value into a chunk; raise FrameError when it cannot be one."""
    value = bytes(value)
    if len(value) < _HEADER.size:
        raise FrameError(f"{len(value)}-byte value is shorter than the {_HEADER.size}-byte header")
    version, flags, message, index = _HEADER.unpack_from(value)
    if version != FRAME_VERSION:
        raise FrameError(f"frame version {version}, expected {FRAME_VERSION}")
    if flags & ~_KNOWN_FLAGS:
        raise FrameError(f"reserved flag bits set (flags 0x{flags:02x})")
    if not flags & FLAG_START:
        return Chunk(message, index, flags, None, value[_HEADER.size:])
    if len(value) < START_HEADER_SIZE:
        raise FrameError(f"start chunk of {len(value)} bytes has no message length")
    if index != 0:
        raise FrameError(f"start chunk with index {index}")
    (length,) = _LENGTH.unpack_from(value, _HEADER.size)
    return Chunk(message, 0, flags, length, value[START_HEADER_SIZE:])


@dataclass
class Reassembler:
    """Rebuilds one message at a time from chunks, refusing gaps, repeats and overflow."""

    max_size: int = MAX_MESSAGE_SIZE
    message: int | None = None
    flags: int = 0
    expected_index: int = 0
    length: int = 0
    parts: list[bytes] = field(default_factory=list)
    received: int = 0
    chunks: int = 0

    @property
    def in_progress(self) -> bool:
        return self.message is not None

    def reset(self) -> None:
        self.message, self.parts, self.received, self.chunks = None, [], 0, 0

    def feed(self, chunk: Chunk) -> bytes | None:
        """Take the next chunk; return the whole message when this chunk completes it."""
        if chunk.start:
            if self.message == chunk.message:
                raise FrameError(f"message {chunk.message} started again after {self.chunks} chunk(s)")
            if chunk.length > self.max_size:
                raise FrameError(f"message {chunk.message} announces {chunk.length} bytes, more than {self.max_size}")
            # A start chunk for another message abandons a partial one: its sender gave up on it.
            self.reset()
            self.message, self.flags, self.length, self.expected_index = chunk.message, chunk.flags, chunk.length, 0
        elif self.message is None:
            raise FrameError(f"chunk {chunk.index} of message {chunk.message} arrived with no start chunk before it")
        elif chunk.message != self.message:
            raise FrameError(f"chunk of message {chunk.message} in the middle of message {self.message}")
        elif not chunk.payload:
            raise FrameError(f"empty chunk {chunk.index} of message {chunk.message}")
        if chunk.index != self.expected_index:
            raise FrameError(f"chunk {chunk.index} of message {chunk.message} out of sequence: expected chunk {self.expected_index} (a notification or write was lost or reordered)")
        if (chunk.flags & FLAG_ERROR) != (self.flags & FLAG_ERROR):
            raise FrameError(f"chunk {chunk.index} of message {chunk.message} changes the error flag")
        if self.received + len(chunk.payload) > self.length:
            raise FrameError(f"message {chunk.message} overflows its announced {self.length} bytes at chunk {chunk.index}")
        self.parts.append(chunk.payload)
        self.received += len(chunk.payload)
        self.chunks += 1
        self.expected_index = (self.expected_index + 1) & 0xFFFF
        if self.received < self.length:
            return None
        whole = b"".join(self.parts)
        self.reset()
        return whole


def is_older(message: int, than: int) -> bool:
    """Whether message number `message` came before `than` (numbers wrap at 65536)."""
    return 0 < ((than - message) & 0xFFFF) < 0x8000


# -- a private event loop ---------------------------------------------------------

T = TypeVar("T")


class LoopThread:
    """An asyncio event loop running in a daemon thread, for synchronous callers."""

    def __init__(self, name: str):
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, name=name, daemon=True)
        self._thread.start()

    def run(self, coroutine: Awaitable[T], timeout_s: float | None = None) -> T:
        """Run a coroutine on the loop and wait for its result (concurrent.futures.TimeoutError past timeout_s)."""
        future = asyncio.run_coroutine_threadsafe(coroutine, self.loop)
        try:
            return future.result(timeout_s)
        except concurrent.futures.TimeoutError:
            future.cancel()
            raise

    def stop(self, timeout_s: float = 5.0) -> None:
        """Cancel what still runs on the loop (letting it clean up, as asyncio.run does), then stop it."""
        if self.loop.is_closed():
            return

        async def cancel_the_rest() -> None:
            tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

        try:
            self.run(cancel_the_rest(), timeout_s)
        except (concurrent.futures.TimeoutError, RuntimeError):
            pass
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(timeout_s)
        if not self._thread.is_alive():
            self.loop.close()


# -- the central -----------------------------------------------------------------

_MAC = re.compile(r"^[0-9A-Fa-f]{2}(:[0-9A-Fa-f]{2}){5}$")
_UUID = re.compile(r"^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$")


def is_address(target: str) -> bool:
    """A Bluetooth address (Linux, Windows) or a CoreBluetooth device UUID (macOS), rather than a name."""
    return bool(_MAC.match(target) or _UUID.match(target))


@dataclass
class _Pending:
    """The one exchange in flight: its message number, its reply so far, and how it ends."""

    message: int
    op: str
    future: asyncio.Future
    chunks_total: int = 0
    chunks_written: int = 0
    reassembler: Reassembler = field(default_factory=Reassembler)
    started: float = field(default_factory=time.monotonic)

    def fail(self, error: Exception) -> None:
        if not self.future.done():
            self.future.set_exception(error)

    def progress(self) -> str:
        got = self.reassembler
        reply = f"{got.chunks} reply chunk(s), {got.received} of {got.length} bytes" if got.in_progress else "no reply chunk"
        return f"{self.chunks_written}/{self.chunks_total} request chunk(s) written, {reply}"


class BleTransport(Transport):
    """DTP over the GATT service of docs/ble.md, as a BLE central on bleak.

    `target` is the watch's address (or macOS UUID) or its advertised name;
    None takes the first device advertising the DTP service. The backend
    classes and their keyword arguments go to bleak unchanged (None: the
    platform's own backend).
    """

    name = "ble"

    def __init__(self, target: str | None, *, timeout_s: float = 10.0, connect_timeout_s: float = 20.0, scan_timeout_s: float = 10.0,
                 scanner_backend: type | None = None, client_backend: type | None = None, backend_kwargs: dict[str, Any] | None = None, label: str | None = None):
        self.target = target
        self.timeout_s = timeout_s
        self.connect_timeout_s = connect_timeout_s
        self.scan_timeout_s = scan_timeout_s
        self._scanner_backend = scanner_backend
        self._client_backend = client_backend
        self._backend_kwargs = dict(backend_kwargs or {})
        self._label = label or f"ble://{target or 'any DTP watch'}"
        self._loop = LoopThread(f"ble-{target or 'dtp'}")
        self._client: Any = None
        self._request_char: Any = None
        self._address: str | None = None
        self._message = 0
        self._pending: _Pending | None = None
        self._closed = False
        # Figures kept for the evidence and the tests.
        self.connections = 0
        self.stale_chunks = 0
        self.att_mtu: int | None = None
        self.value_size: int | None = None

    # -- Transport ---------------------------------------------------------------

    def exchange(self, message: dict[str, Any]) -> Any:
        op = str(message.get("op", "?"))
        if self._closed:
            raise TransportError(f"{self.describe()}: {op} after the transport was closed")
        payload = json.dumps(message, ensure_ascii=False).encode("utf-8")
        # The coroutine keeps its own time; this outer limit only guards against a wedged loop.
        limit = self.timeout_s + self.connect_timeout_s + 5
        try:
            reply = self._loop.run(self._exchange(payload, op), limit)
        except concurrent.futures.TimeoutError as exc:
            raise DeviceTimeout(f"{self.describe()}: {op} did not finish within {limit:.0f} s") from exc
        try:
            return parse_json(reply)
        except ValueError as exc:
            raise MalformedReply(f"{self.describe()} answered {op} with {len(reply)} bytes that are not a JSON reply ({exc}): {reply[:120]!r}") from exc

    def describe(self) -> str:
        where = self._label
        if self._address and self._address != self.target:
            where += f" ({self._address})"
        if self.att_mtu:
            where += f", ATT MTU {self.att_mtu}"
        return where

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        try:
            self._loop.run(self._disconnect(), 10)
        except Exception:  # closing must not fail the run
            pass
        self._loop.stop()

    # -- on the loop ----------------------------------------------------------------

    async def _exchange(self, payload: bytes, op: str) -> bytes:
        await self._ensure_connected()
        self._message = (self._message + 1) & 0xFFFF
        size = self._chunk_size()
        frames = encode(self._message, payload, size)
        pending = _Pending(self._message, op, asyncio.get_running_loop().create_future(), chunks_total=len(frames))
        self._pending = pending
        try:
            async with asyncio.timeout(self.timeout_s):
                for frame in frames:
                    await self._client.write_gatt_char(self._request_char, frame, response=True)
                    pending.chunks_written += 1
                return await pending.future
        except TimeoutError as exc:
            raise DeviceTimeout(f"no complete reply from {self.describe()} to {op} (message {pending.message}) within {self.timeout_s:g} s: {pending.progress()}") from exc
        except (TransportError, MalformedReply):
            raise
        except Exception as exc:  # any backend failure is a transport fault
            if pending.future.done() and not pending.future.cancelled() and pending.future.exception() is not None:
                raise pending.future.exception() from exc
            raise TransportError(f"{self.describe()}: {op} (message {pending.message}) failed: {type(exc).__name__}: {exc} ({pending.progress()})") from exc
        finally:
            self._pending = None
            if pending.future.done() and not pending.future.cancelled():
                pending.future.exception()  # retrieved, so asyncio does not warn about it

    def _chunk_size(self) -> int:
        # bleak's portable view of the negotiated MTU: the largest value one ATT PDU carries (MTU - 3).
        # Read at each exchange: some stacks report the exchanged MTU only a while after connecting.
        self.att_mtu = self._request_char.max_write_without_response_size + 3
        self.value_size = value_size(self.att_mtu)
        return self.value_size

    async def _ensure_connected(self) -> None:
        """Connect, or reconnect once if the link dropped since the last exchange."""
        if self._client is not None and self._client.is_connected:
            return
        again = self._client is not None
        await self._disconnect()
        what = "reconnect to" if again else "connect to"
        try:
            async with asyncio.timeout(self.connect_timeout_s):
                await self._connect()
        except TimeoutError as exc:
            await self._disconnect()
            raise DeviceTimeout(f"could not {what} {self.describe()} within {self.connect_timeout_s:g} s") from exc
        except TransportError:
            await self._disconnect()
            raise
        except Exception as exc:  # bleak and backends raise their own types
            await self._disconnect()
            raise TransportError(f"could not {what} {self.describe()}: {type(exc).__name__}: {exc}") from exc
        self.connections += 1

    async def _connect(self) -> None:
        from bleak import BleakClient

        device = await self._find()
        self._address = device.address
        client = BleakClient(device, disconnected_callback=self._on_disconnected, services=[SERVICE_UUID], timeout=self.connect_timeout_s,
                             backend=self._client_backend, **self._backend_kwargs)
        self._client = client
        await client.connect()
        request = client.services.get_characteristic(REQUEST_UUID)
        reply = client.services.get_characteristic(REPLY_UUID)
        if request is None or reply is None:
            found = ", ".join(s.uuid for s in client.services) or "none"
            raise TransportError(f"{self.describe()} has no DTP service {SERVICE_UUID} with its two characteristics (services: {found})")
        self._request_char = request
        await client.start_notify(reply, self._on_notification)

    async def _find(self) -> Any:
        from bleak import BleakScanner

        seen: dict[str, str | None] = {}

        def matches(device: Any, adv: Any) -> bool:
            seen[device.address] = adv.local_name or device.name
            if self.target is None:
                return SERVICE_UUID in (u.lower() for u in adv.service_uuids)
            if is_address(self.target):
                return device.address.lower() == self.target.lower()
            return self.target in (adv.local_name, device.name)

        device = await BleakScanner.find_device_by_filter(matches, timeout=self.scan_timeout_s, backend=self._scanner_backend, **self._backend_kwargs)
        if device is None:
            listing = ", ".join(f"{name or '?'} ({address})" for address, name in sorted(seen.items())) or "nothing"
            raise TransportError(f"{self.describe()}: not found in {self.scan_timeout_s:g} s of scanning (seen: {listing})")
        return device

    async def _disconnect(self) -> None:
        client, self._client, self._request_char = self._client, None, None
        if client is None:
            return
        try:
            async with asyncio.timeout(5):
                await client.disconnect()
        except Exception:  # already gone is fine
            pass

    # -- callbacks, on the loop --------------------------------------------------

    def _on_disconnected(self, client: Any) -> None:
        pending = self._pending
        if pending is not None:
            pending.fail(TransportError(f"the connection to {self.describe()} dropped during {pending.op} (message {pending.message}): {pending.progress()}"))

    def _on_notification(self, characteristic: Any, value: bytearray) -> None:
        pending = self._pending
        if pending is None or pending.future.done():
            self.stale_chunks += 1  # a late reply to an exchange already given up on
            return
        try:
            chunk = decode(value)
        except FrameError as exc:
            pending.fail(MalformedReply(f"{self.describe()} sent a malformed frame during {pending.op} (message {pending.message}): {exc}; value {bytes(value[:24]).hex()}"))
            return
        if chunk.message != pending.message:
            if is_older(chunk.message, pending.message):
                self.stale_chunks += 1
                return
            pending.fail(MalformedReply(f"{self.describe()} sent a chunk of message {chunk.message} while {pending.op} waited for message {pending.message}"))
            return
        try:
            whole = pending.reassembler.feed(chunk)
        except FrameError as exc:
            pending.fail(MalformedReply(f"{self.describe()} broke the framing during {pending.op}: {exc}"))
            return
        if whole is None:
            return
        if chunk.error:
            pending.fail(TransportError(f"{self.describe()} rejected the framing of {pending.op} (message {pending.message}): {whole.decode('utf-8', 'replace')[:300]}"))
        else:
            pending.future.set_result(whole)

