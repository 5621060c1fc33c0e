"""The central's side of the virtual radio: one bumble Device per HCI connection, shared by scanner and client.

A bleak user makes a scanner, then a client, and expects both to use the same
adapter. Here the "adapter" is a bumble Device whose host talks HCI to a
virtual controller over TCP. It is opened on first use in an event loop and
kept while that loop runs, since closing and reopening the HCI connection
between a scan and a connect would only cost time; it closes when its keeper
task is cancelled (asyncio.run's shutdown, or `LoopThread.stop`).
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools

from bumble import hci
from bumble.device import Device
from bumble.transport import open_transport

_centrals: dict[tuple[asyncio.AbstractEventLoop, str], asyncio.Task] = {}
_addresses = itertools.count(1)


class Central:
    """A powered-on bumble Device acting as the BLE central on one HCI transport."""

    def __init__(self, hci_spec: str, device: Device, transport: object):
        self.hci_spec = hci_spec
        self.device = device
        self._transport = transport

    @classmethod
    async def get(cls, hci_spec: str) -> Central:
        """The central for `hci_spec` in the running loop, opened on first use."""
        loop = asyncio.get_running_loop()
        key = (loop, hci_spec)
        opening = _centrals.get(key)
        if opening is None or (opening.done() and (opening.cancelled() or opening.exception() is not None or not opening.result().alive)):
            opening = loop.create_task(cls._open(hci_spec))
            _centrals[key] = opening
        return await asyncio.shield(opening)

    @classmethod
    async def _open(cls, hci_spec: str) -> Central:
        transport = await open_transport(hci_spec)
        # A random static address (two top bits set), distinct per central of this process.
        n = next(_addresses)
        address = hci.Address(f"C2:00:00:00:{n >> 8 & 0xFF:02X}:{n & 0xFF:02X}")
        device = Device.with_hci("bleak-virtual-central", address, transport.source, transport.sink)
        try:
            await device.power_on()
        except BaseException:
            await transport.close()
            raise
        central = cls(hci_spec, device, transport)
        central._keeper = asyncio.get_running_loop().create_task(central._keep())
        return central

    @property
    def alive(self) -> bool:
        """False once the HCI connection is lost (the radio's process ended)."""
        return not self._transport.source.terminated.done()

    async def _keep(self) -> None:
        try:
            await asyncio.Event().wait()
        finally:
            _centrals.pop((asyncio.get_running_loop(), self.hci_spec), None)
            with contextlib.suppress(Exception):
                await self._transport.close()
