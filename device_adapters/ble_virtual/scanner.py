"""A bleak scanner backend that listens on the virtual radio: bumble's advertisement reports as bleak's AdvertisementData."""

from __future__ import annotations

import struct
from typing import Any

from bleak.backends.scanner import AdvertisementData, AdvertisementDataCallback, BaseBleakScanner
from bumble.core import AdvertisingData
from bumble.device import Advertisement, Device

from device_adapters.ble_virtual.central import Central
from device_adapters.ble_virtual.uuids import from_le_bytes

_UUID_LISTS = {
    AdvertisingData.INCOMPLETE_LIST_OF_16_BIT_SERVICE_CLASS_UUIDS: 2, AdvertisingData.COMPLETE_LIST_OF_16_BIT_SERVICE_CLASS_UUIDS: 2,
    AdvertisingData.INCOMPLETE_LIST_OF_32_BIT_SERVICE_CLASS_UUIDS: 4, AdvertisingData.COMPLETE_LIST_OF_32_BIT_SERVICE_CLASS_UUIDS: 4,
    AdvertisingData.INCOMPLETE_LIST_OF_128_BIT_SERVICE_CLASS_UUIDS: 16, AdvertisingData.COMPLETE_LIST_OF_128_BIT_SERVICE_CLASS_UUIDS: 16,
}
_SERVICE_DATA = {AdvertisingData.SERVICE_DATA_16_BIT_UUID: 2, AdvertisingData.SERVICE_DATA_32_BIT_UUID: 4, AdvertisingData.SERVICE_DATA_128_BIT_UUID: 16}


def advertisement_data(adv: Advertisement) -> AdvertisementData:
    """Translate one (accumulated: advertising plus scan response) bumble advertisement."""
    name: str | None = None
    uuids: list[str] = []
    service_data: dict[str, bytes] = {}
    manufacturer: dict[int, bytes] = {}
    tx_power: int | None = None
    for kind, data in adv.data.ad_structures:
        if kind in _UUID_LISTS:
            size = _UUID_LISTS[kind]
            uuids += [from_le_bytes(data[i:i + size]) for i in range(0, len(data) - size + 1, size)]
        elif kind in _SERVICE_DATA:
            size = _SERVICE_DATA[kind]
            service_data[from_le_bytes(data[:size])] = bytes(data[size:])
        elif kind == AdvertisingData.COMPLETE_LOCAL_NAME or (kind == AdvertisingData.SHORTENED_LOCAL_NAME and name is None):
            name = bytes(data).decode("utf-8", "replace")
        elif kind == AdvertisingData.MANUFACTURER_SPECIFIC_DATA and len(data) >= 2:
            manufacturer[struct.unpack_from("<H", data)[0]] = bytes(data[2:])
        elif kind == AdvertisingData.TX_POWER_LEVEL and data:
            tx_power = struct.unpack_from("b", data)[0]
    return AdvertisementData(local_name=name, manufacturer_data=manufacturer, service_data=service_data, service_uuids=uuids,
                             tx_power=tx_power, rssi=adv.rssi, platform_data=(adv,))


class VirtualBleakScanner(BaseBleakScanner):
    """`BleakScanner(..., backend=VirtualBleakScanner, hci="tcp-client:127.0.0.1:PORT")`.

    Each `BLEDevice` it reports carries (hci spec, bumble address) as its
    details, so that `VirtualBleakClient` can connect to it without more.
    """

    def __init__(self, detection_callback: AdvertisementDataCallback | None, service_uuids: list[str] | None, scanning_mode: str = "active", *, hci: str, **kwargs: Any):
        super().__init__(detection_callback, service_uuids)
        self._hci = hci
        self._active = scanning_mode != "passive"
        self._device: Device | None = None

    async def start(self) -> None:
        self.seen_devices = {}
        central = await Central.get(self._hci)
        self._device = central.device
        self._device.on(Device.EVENT_ADVERTISEMENT, self._on_advertisement)
        await self._device.start_scanning(active=self._active, filter_duplicates=False)

    async def stop(self) -> None:
        device, self._device = self._device, None
        if device is None:
            return
        device.remove_listener(Device.EVENT_ADVERTISEMENT, self._on_advertisement)
        if device.scanning:
            await device.stop_scanning()

    def _on_advertisement(self, adv: Advertisement) -> None:
        data = advertisement_data(adv)
        if not self.is_allowed_uuid(data.service_uuids):
            return
        address = adv.address.to_string(with_type_qualifier=False)
        device = self.create_or_update_device(address, address, data.local_name, (self._hci, adv.address), data)
        self.call_detection_callbacks(device, data)
