"""A bleak client backend that is a bumble GATT client on the virtual radio.

It behaves as the operating systems' stacks do for bleak: connect, exchange
the ATT MTU (BlueZ, CoreBluetooth and WinRT all do it on their own when a
link comes up; here `mtu=` says how much to ask for), discover the GATT
database, and report disconnections. It moves bytes and knows nothing of what
they mean. Its limits are strict where bumble would be silent: a value that
one ATT PDU cannot carry is an error here, not a truncation.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from bleak.args import SizedBuffer
from bleak.backends.characteristic import BleakGATTCharacteristic
from bleak.backends.client import BaseBleakClient, NotifyCallback
from bleak.backends.descriptor import BleakGATTDescriptor
from bleak.backends.device import BLEDevice
from bleak.backends.service import BleakGATTService, BleakGATTServiceCollection
from bleak.exc import BleakError, BleakGATTProtocolError
from bumble import core
from bumble.att import ATT_Error
from bumble.device import Connection, Peer
from bumble.gatt import Characteristic
from bumble.gatt_client import CharacteristicProxy
from bumble.hci import Address

from device_adapters.ble_virtual.central import Central
from device_adapters.ble_virtual.uuids import to_bleak

T = TypeVar("T")
DEFAULT_MTU = 517  # what BlueZ and Android ask for
MAX_VALUE = 512  # a GATT value is at most 512 bytes (Core Vol 3 Part F 3.2.9)
_PROPERTY_NAMES = {
    Characteristic.Properties.BROADCAST: "broadcast", Characteristic.Properties.READ: "read",
    Characteristic.Properties.WRITE_WITHOUT_RESPONSE: "write-without-response", Characteristic.Properties.WRITE: "write",
    Characteristic.Properties.NOTIFY: "notify", Characteristic.Properties.INDICATE: "indicate",
    Characteristic.Properties.AUTHENTICATED_SIGNED_WRITES: "authenticated-signed-writes", Characteristic.Properties.EXTENDED_PROPERTIES: "extended-properties",
}


class VirtualBleakClient(BaseBleakClient):
    """`BleakClient(device, backend=VirtualBleakClient, hci=..., mtu=517)`.

    `device` is a BLEDevice from `VirtualBleakScanner` (it knows its radio) or
    an address string, in which case `hci=` names the radio.
    """

    def __init__(self, address_or_ble_device: BLEDevice | str, *, disconnected_callback: Callable[[], None] | None, timeout: float,
                 services: set[str] | None = None, hci: str | None = None, mtu: int = DEFAULT_MTU, **kwargs: Any):
        super().__init__(address_or_ble_device, disconnected_callback=disconnected_callback, timeout=timeout)
        details = getattr(address_or_ble_device, "details", None)
        if isinstance(details, tuple) and len(details) == 2 and isinstance(details[1], Address):
            self._hci, self._peer_address = hci or details[0], details[1]
            self._name = address_or_ble_device.name or self.address
        else:
            self._hci, self._peer_address, self._name = hci, self.address, self.address
        if not self._hci:
            raise BleakError("VirtualBleakClient needs hci='tcp-client:HOST:PORT' or a BLEDevice from VirtualBleakScanner")
        self._service_filter = services
        self._mtu_request = mtu
        self._connection: Connection | None = None
        self._peer: Peer | None = None
        self._disconnecting = False

    # -- connection ------------------------------------------------------------------

    @property
    def name(self) -> str:
        return self._name

    @property
    def mtu_size(self) -> int:
        return self._connection.att_mtu if self._connection is not None else 23

    @property
    def is_connected(self) -> bool:
        return self._connection is not None

    async def connect(self, pair: bool, **kwargs: Any) -> None:
        central = await Central.get(self._hci)
        try:
            async with asyncio.timeout(self._timeout):
                self._connection = await central.device.connect(self._peer_address, transport=core.PhysicalTransport.LE, timeout=self._timeout)
                self._connection.on(Connection.EVENT_DISCONNECTION, self._on_disconnection)
                self._peer = Peer(self._connection)
                if self._mtu_request > 23:
                    await self._guard("MTU exchange", self._peer.request_mtu(self._mtu_request))
                self.services = await self._discover()
        except TimeoutError as exc:
            await self._drop()
            raise BleakError(f"connecting to {self.address} over {self._hci} took more than {self._timeout:g} s") from exc
        except core.BaseBumbleError as exc:
            await self._drop()
            raise BleakError(f"connecting to {self.address} over {self._hci}: {exc}") from exc
        except BaseException:
            await self._drop()
            raise
        if pair:
            await self.pair()

    async def disconnect(self) -> None:
        await self._drop()

    async def _drop(self) -> None:
        connection, self._connection, self._peer = self._connection, None, None
        if connection is None:
            return
        self._disconnecting = True  # a disconnection we asked for calls no callback
        try:
            await connection.disconnect()
        except (TimeoutError, core.BaseBumbleError):
            pass
        finally:
            self._disconnecting = False

    def _on_disconnection(self, reason: int) -> None:
        if self._connection is None:
            return
        self._connection, self._peer = None, None
        if not self._disconnecting and self._disconnected_callback is not None:
            self._disconnected_callback()

    async def pair(self, *args: Any, **kwargs: Any) -> None:
        raise BleakError("the virtual radio does not model pairing")

    async def unpair(self) -> None:
        raise BleakError("the virtual radio does not model pairing")

    # -- GATT database -----------------------------------------------------------------

    async def _discover(self) -> BleakGATTServiceCollection:
        assert self._peer is not None
        wanted = [core.UUID(u) for u in self._service_filter] if self._service_filter else ()
        collection = BleakGATTServiceCollection()
        for service in await self._guard("service discovery", self._peer.discover_services(wanted)):
            bleak_service = BleakGATTService(service, service.handle, to_bleak(service.uuid))
            collection.add_service(bleak_service)
            for char in await self._guard("characteristic discovery", service.discover_characteristics()):
                properties = [name for flag, name in _PROPERTY_NAMES.items() if char.properties & flag]
                bleak_char = BleakGATTCharacteristic(char, char.handle, to_bleak(char.uuid), properties, lambda: self.mtu_size - 3, bleak_service)
                collection.add_characteristic(bleak_char)
                for descriptor in await self._guard("descriptor discovery", char.discover_descriptors()):
                    collection.add_descriptor(BleakGATTDescriptor(descriptor, descriptor.handle, to_bleak(descriptor.type), bleak_char))
        return collection

    # -- I/O ---------------------------------------------------------------------------

    async def read_gatt_char(self, characteristic: BleakGATTCharacteristic, *, use_cached: bool = False, **kwargs: Any) -> bytearray:
        return bytearray(await self._guard(f"read of {characteristic.uuid}", characteristic.obj.read_value()))

    async def write_gatt_char(self, characteristic: BleakGATTCharacteristic, data: SizedBuffer, response: bool) -> None:
        value = bytes(data)
        # bumble would split an oversize write into a long write, or drop it unsent; a radio stack refuses it.
        limit = MAX_VALUE if response else self.mtu_size - 3
        if len(value) > limit:
            raise BleakError(f"{len(value)}-byte write to {characteristic.uuid} exceeds {limit} bytes ({'with' if response else 'without'} response, ATT MTU {self.mtu_size})")
        await self._guard(f"write to {characteristic.uuid}", characteristic.obj.write_value(value, with_response=response))

    async def read_gatt_descriptor(self, descriptor: BleakGATTDescriptor, *, use_cached: bool = False, **kwargs: Any) -> bytearray:
        return bytearray(await self._guard(f"read of descriptor {descriptor.uuid}", descriptor.obj.read_value()))

    async def write_gatt_descriptor(self, descriptor: BleakGATTDescriptor, data: SizedBuffer) -> None:
        await self._guard(f"write to descriptor {descriptor.uuid}", descriptor.obj.write_value(bytes(data), with_response=True))

    async def start_notify(self, characteristic: BleakGATTCharacteristic, callback: NotifyCallback, **kwargs: Any) -> None:
        proxy: CharacteristicProxy = characteristic.obj
        # bleak expects a bytearray per notification; bumble hands bytes to the subscriber.
        await self._guard(f"subscription to {characteristic.uuid}", proxy.subscribe(lambda value: callback(bytearray(value)), prefer_notify=True))

    async def stop_notify(self, characteristic: BleakGATTCharacteristic) -> None:
        await self._guard(f"unsubscription from {characteristic.uuid}", characteristic.obj.unsubscribe(force=True))

    async def _guard(self, what: str, operation: Awaitable[T]) -> T:
        """Await a bumble GATT operation, translating its failures into bleak's exceptions."""
        if self._connection is None:
            if asyncio.iscoroutine(operation):
                operation.close()
            raise BleakError(f"{what}: not connected")
        try:
            return await operation
        except asyncio.CancelledError:
            if asyncio.current_task().cancelling():
                raise  # our caller is being cancelled: let it be
            # bumble cancels a pending ATT request when the link drops.
            raise BleakError(f"{what}: the connection dropped") from None
        except ATT_Error as exc:
            raise BleakGATTProtocolError(exc.error_code) from exc
        except core.BaseBumbleError as exc:
            raise BleakError(f"{what}: {exc}") from exc
