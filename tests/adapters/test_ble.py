"""The BLE transport over the virtual radio: real bleak, real bumble, real GATT traffic on 127.0.0.1, no mocks.

Each test hosts a bumble peripheral carrying the DTP GATT service (the
emulator's own `DtpPeripheral`, taught to misbehave where a test needs it) on
a virtual radio in a background loop, and drives it through `BleTransport`
with the virtual bleak backend, across a TCP HCI link as in the harness.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from device_adapters.ble import (
    FLAG_START,
    MAX_VALUE_SIZE,
    REPLY_UUID,
    REQUEST_UUID,
    BleTransport,
    FrameError,
    LoopThread,
    Reassembler,
    decode,
    encode,
    value_size,
)
from device_adapters.ble_virtual import VirtualBleakClient, VirtualBleakScanner, VirtualRadio
from device_adapters.errors import DeviceTimeout, InconclusiveError, MalformedReply, TransportError
from device_adapters.watch import Watch
from emulator.ble import ADDRESS, DtpPeripheral, json_answer
from tests.replies import bodies, decodes_properly, with_id

NAME = "RW-1 test watch"
Misbehaviour = Callable[["Peripheral", object, int, bytes], Awaitable[None]]


def echo(message: object) -> dict:
    """A DTP reply whose result is the request's args: any payload size, both ways."""
    assert isinstance(message, dict)
    return {"dtp": 1, "id": message["id"], "ok": True, "result": message["args"]}


class Peripheral(DtpPeripheral):
    """The emulator's GATT face, answering the next request with `misbehave` when one is set."""

    misbehave: Misbehaviour | None = None

    async def on_request(self, connection, message: int, payload: bytes) -> None:
        misbehave, self.misbehave = self.misbehave, None
        if misbehave is None:
            await super().on_request(connection, message, payload)
        else:
            await misbehave(self, connection, message, payload)


@dataclass
class Link:
    loop: LoopThread
    radio: VirtualRadio
    peripheral: Peripheral

    def transport(self, target: str | None = None, *, timeout_s: float = 5.0, **backend: object) -> BleTransport:
        return BleTransport(target, timeout_s=timeout_s, connect_timeout_s=5.0, scan_timeout_s=2.0, scanner_backend=VirtualBleakScanner,
                            client_backend=VirtualBleakClient, backend_kwargs={"hci": self.radio.hci_spec, **backend})


@pytest.fixture
def link():
    loop = LoopThread("test-radio")

    async def open_radio() -> tuple[VirtualRadio, Peripheral]:
        radio = await VirtualRadio.open()
        peripheral = Peripheral(radio.peripheral(NAME, ADDRESS), json_answer(echo))
        await peripheral.start(NAME)
        return radio, peripheral

    radio, peripheral = loop.run(open_radio(), 10)
    yield Link(loop, radio, peripheral)
    loop.run(radio.close(), 10)
    loop.stop()


@pytest.fixture
def transports():
    """Transports made in a test, closed after it."""
    made: list[BleTransport] = []
    yield made
    for transport in made:
        transport.close()


def blob(size: int) -> str:
    # Mixed ASCII and three-byte UTF-8 characters, so chunk edges fall inside characters too.
    text = ("儿童手表 GB 46859-2025 " * (size // 20 + 1))
    return text[:size]


# -- framing, on its own ---------------------------------------------------------------


def test_framing_round_trips_any_size_and_wraps_the_chunk_index():
    payload = bytes(range(256)) * 4500  # 1.1 MB in 20-byte values: over 65536 chunks, so the index wraps
    chunks = encode(7, payload, 20)
    assert len(chunks) > 65536 and all(len(c) <= 20 for c in chunks)
    reassembler = Reassembler()
    results = [reassembler.feed(decode(c)) for c in chunks]
    assert results[-1] == payload and results[:-1] == [None] * (len(chunks) - 1)


def test_empty_message_is_one_start_chunk():
    (chunk,) = encode(1, b"", 512)
    assert Reassembler().feed(decode(chunk)) == b""


@pytest.mark.parametrize("value, reason", [
    (b"\x01\x01\x00", "shorter than the 6-byte header"),
    (b"\x09\x01\x00\x01\x00\x00\x00\x00\x00\x02{}", "frame version 9"),
    (b"\x01\x81\x00\x01\x00\x00\x00\x00\x00\x02{}", "reserved flag bits"),
    (b"\x01\x01\x00\x01\x00\x03\x00\x00\x00\x02{}", "start chunk with index 3"),
])
def test_malformed_values_are_refused(value, reason):
    with pytest.raises(FrameError, match=reason):
        decode(value)


def test_reassembly_refuses_gaps_overflow_and_orphans():
    first, second, third = encode(3, b"x" * 1200, 512)
    reassembler = Reassembler()
    reassembler.feed(decode(first))
    with pytest.raises(FrameError, match="out of sequence: expected chunk 1"):
        reassembler.feed(decode(third))
    with pytest.raises(FrameError, match="no start chunk"):
        Reassembler().feed(decode(second))
    lying = bytes([1, FLAG_START, 0, 3, 0, 0, 0, 0, 0, 2]) + b"{}{}"
    with pytest.raises(FrameError, match="overflows its announced 2 bytes"):
        Reassembler().feed(decode(lying))
    with pytest.raises(FrameError, match="more than 1000"):
        Reassembler(max_size=1000).feed(decode(first))


# -- over the virtual radio -------------------------------------------------------------


@pytest.mark.parametrize("size", [65536, 300_000])
def test_payloads_far_larger_than_one_mtu_round_trip(link, transports, size):
    transport = link.transport()
    transports.append(transport)
    text = blob(size)
    reply = transport.exchange({"dtp": 1, "id": "big", "op": "test.echo", "role": "tester", "args": {"text": text}})
    assert reply["result"]["text"] == text
    assert transport.value_size == MAX_VALUE_SIZE  # ATT MTU 517, so min(517 - 3, 512)
    assert link.peripheral.largest_write == MAX_VALUE_SIZE and link.peripheral.largest_notification == MAX_VALUE_SIZE


@pytest.mark.parametrize("mtu", [23, 100, 247, 517])
def test_no_chunk_exceeds_the_link_value_limit(link, transports, mtu):
    transport = link.transport(mtu=mtu)
    transports.append(transport)
    text = blob(3000)
    assert transport.exchange({"dtp": 1, "id": "m", "op": "test.echo", "role": "tester", "args": {"text": text}})["result"]["text"] == text
    limit = min(mtu - 3, 512)
    assert transport.att_mtu == mtu and transport.value_size == limit
    # Both ways: what the watch was written, and what it notified.
    assert link.peripheral.largest_write == limit
    assert link.peripheral.largest_notification == limit


def test_watch_found_by_name_by_address_or_by_service(link, transports):
    for target in (NAME, ADDRESS.lower(), None):
        transport = link.transport(target)
        transports.append(transport)
        assert Watch(transport).call("test.echo", "tester", n=1) == {"n": 1}
        assert ADDRESS in transport.describe()
        transport.close()


def test_absent_watch_is_a_transport_error_that_lists_what_was_seen(link, transports):
    transport = link.transport("no such watch")
    transports.append(transport)
    started = time.monotonic()
    with pytest.raises(TransportError, match=rf"not found in 2 s of scanning \(seen: {NAME} \({ADDRESS}\)\)"):
        Watch(transport).call("test.echo", "tester")
    assert time.monotonic() - started < 5


async def drop_after_half_the_reply(peripheral: Peripheral, connection, message: int, payload: bytes) -> None:
    chunks = encode(message, peripheral.answer(payload), value_size(connection.att_mtu))
    for value in chunks[: len(chunks) // 2]:
        await peripheral.notify(connection, value)
    await connection.disconnect()


async def drop_at_once(peripheral: Peripheral, connection, message: int, payload: bytes) -> None:
    await connection.disconnect()


@pytest.mark.parametrize("misbehave", [drop_after_half_the_reply, drop_at_once])
def test_dropped_connection_mid_exchange_is_inconclusive_and_the_next_request_reconnects(link, transports, misbehave):
    transport = link.transport()
    transports.append(transport)
    watch = Watch(transport)
    assert watch.call("test.echo", "tester", n=1) == {"n": 1}
    link.peripheral.misbehave = misbehave
    with pytest.raises(InconclusiveError, match="dropped during test.echo") as caught:
        watch.call("test.echo", "tester", text=blob(5000))
    assert isinstance(caught.value, TransportError)
    assert watch.transcript.exchanges[-1].error.startswith("TransportError")
    assert watch.call("test.echo", "tester", n=2) == {"n": 2}
    assert transport.connections == 2


async def bad_version(peripheral: Peripheral, connection, message: int, payload: bytes) -> None:
    value = bytearray(encode(message, peripheral.answer(payload), 512)[0])
    value[0] = 7
    await peripheral.notify(connection, bytes(value))


async def skip_a_chunk(peripheral: Peripheral, connection, message: int, payload: bytes) -> None:
    chunks = encode(message, peripheral.answer(payload), value_size(connection.att_mtu))
    for value in chunks[:1] + chunks[2:]:
        await peripheral.notify(connection, value)


async def unrequested_message(peripheral: Peripheral, connection, message: int, payload: bytes) -> None:
    # One chunk only: the rest of a longer one would be just as wrong for the next request, which is a newer message too.
    (value,) = encode(message + 5, b"{}", 512)
    await peripheral.notify(connection, value)


@pytest.mark.parametrize("misbehave, complaint", [
    (bad_version, "malformed frame during test.echo .*frame version 7"),
    (skip_a_chunk, "chunk 2 of message 2 out of sequence: expected chunk 1"),
    (unrequested_message, "chunk of message 7 while test.echo waited for message 2"),
])
def test_malformed_or_out_of_sequence_reply_is_a_malformed_reply(link, transports, misbehave, complaint):
    transport = link.transport()
    transports.append(transport)
    watch = Watch(transport)
    watch.call("test.echo", "tester")
    link.peripheral.misbehave = misbehave
    with pytest.raises(MalformedReply, match=complaint):
        watch.call("test.echo", "tester", text=blob(2000))
    # The link is still up and the next request is answered properly.
    assert watch.call("test.echo", "tester", n=3) == {"n": 3}
    assert transport.connections == 1


async def answer_late(peripheral: Peripheral, connection, message: int, payload: bytes) -> None:
    await asyncio.sleep(0.8)
    await peripheral.send(connection, message, peripheral.answer(payload))


def test_reply_that_never_comes_in_time_is_a_timeout_and_a_late_one_is_ignored(link, transports):
    transport = link.transport(timeout_s=0.4)
    transports.append(transport)
    watch = Watch(transport)
    link.peripheral.misbehave = answer_late
    with pytest.raises(DeviceTimeout, match=r"no complete reply .* to test.echo \(message 1\) within 0.4 s: 1/1 request chunk\(s\) written, no reply chunk"):
        watch.call("test.echo", "tester", n=1)
    time.sleep(0.6)  # the late reply to message 1 arrives now, while nothing waits
    assert watch.call("test.echo", "tester", n=2) == {"n": 2}
    assert transport.stale_chunks >= 1


def test_watch_answers_a_broken_request_frame_with_an_error_frame(link):
    """The watch's side, driven through bleak's public API alone: a framing complaint, then business as usual."""
    from bleak import BleakClient, BleakScanner

    async def exchange_raw() -> list[bytes]:
        device = await BleakScanner.find_device_by_name(NAME, timeout=2, backend=VirtualBleakScanner, hci=link.radio.hci_spec)
        replies: asyncio.Queue[bytes] = asyncio.Queue()
        async with BleakClient(device, backend=VirtualBleakClient) as client:
            await client.start_notify(REPLY_UUID, lambda _, value: replies.put_nowait(bytes(value)))
            broken = bytearray(encode(4, b"{}", 512)[0])
            broken[0] = 2
            await client.write_gatt_char(REQUEST_UUID, broken, response=True)
            complaint = await asyncio.wait_for(replies.get(), 2)
            good = json.dumps({"dtp": 1, "id": "5", "op": "x", "role": "tester", "args": {"ok": 1}}).encode()
            await client.write_gatt_char(REQUEST_UUID, encode(5, good, 512)[0], response=True)
            return [complaint, await asyncio.wait_for(replies.get(), 2)]

    complaint, answer = asyncio.run(exchange_raw())
    chunk = decode(complaint)
    assert chunk.error and chunk.message == 4 and b"frame version 2" in chunk.payload
    assert json.loads(decode(answer).payload)["result"] == {"ok": 1}


def test_virtual_backend_refuses_values_one_pdu_cannot_carry(link):
    from bleak import BleakClient, BleakScanner
    from bleak.exc import BleakError

    async def oversize() -> None:
        device = await BleakScanner.find_device_by_name(NAME, timeout=2, backend=VirtualBleakScanner, hci=link.radio.hci_spec)
        async with BleakClient(device, backend=VirtualBleakClient, mtu=100) as client:
            assert client.mtu_size == 100
            with pytest.raises(BleakError, match="513-byte write .* exceeds 512 bytes"):
                await client.write_gatt_char(REQUEST_UUID, b"x" * 513, response=True)
            with pytest.raises(BleakError, match="98-byte write .* exceeds 97 bytes"):
                await client.write_gatt_char(REQUEST_UUID, b"x" * 98, response=False)

    asyncio.run(oversize())


# -- properties: whatever values the watch notifies, a result, a refusal or INCONCLUSIVE ---------------------------


@settings(max_examples=400)
@given(st.lists(st.binary(max_size=40) | st.builds(lambda m, p: encode(m, p, 20)[0], st.integers(0, 3), st.binary(max_size=40)), max_size=12))
def test_any_values_frame_a_message_or_raise_a_frame_error(values):
    """decode and Reassembler, as the central runs them on each notification: a message, more to come, or FrameError."""
    reassembler = Reassembler()
    for value in values:
        try:
            whole = reassembler.feed(decode(value))
        except FrameError:
            continue
        assert whole is None or isinstance(whole, bytes)


def _notify_each(values: list[bytes]) -> Misbehaviour:
    async def misbehave(peripheral: Peripheral, connection, message: int, payload: bytes) -> None:
        for value in values:
            await peripheral.notify(connection, value[: value_size(connection.att_mtu)])
    return misbehave


def _framed(body: bytes, error: bool) -> Misbehaviour:
    async def misbehave(peripheral: Peripheral, connection, message: int, payload: bytes) -> None:
        reply = with_id(body, json.loads(payload)["id"])
        await peripheral.send(connection, message, reply, error=error)
    return misbehave


def test_any_notified_reply_is_a_result_a_refusal_or_inconclusive(link, transports):
    """Over the virtual link: well-framed replies of any content, and values of any bytes (most never complete: a timeout)."""
    transport = link.transport(timeout_s=0.3)
    transports.append(transport)
    watch = Watch(transport)
    watch.call("test.echo", "tester")  # connected once, before the examples

    @settings(max_examples=60, deadline=None)
    @given(st.builds(_framed, bodies, st.booleans()) | st.builds(_notify_each, st.lists(st.binary(min_size=1, max_size=20), min_size=1, max_size=4)))
    def check(misbehave):
        link.peripheral.misbehave = misbehave
        decodes_properly(lambda: watch.call("test.echo", "tester"))

    check()
