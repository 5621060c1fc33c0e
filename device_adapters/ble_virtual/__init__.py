"""BLE with no radio: a bleak backend on bumble, and the virtual radio it talks to.

- `VirtualBleakScanner`, `VirtualBleakClient`: bleak backends (pass them as
  `backend=` to BleakScanner and BleakClient, with `hci="tcp-client:HOST:PORT"`)
  that act as the central through a bumble Device.
- `VirtualRadio`: the other end, a bumble LocalLink hosting an in-process
  peripheral and serving a controller per central over HCI on TCP.

Nothing here knows what the bytes mean: it carries GATT values, as a radio would.
"""

from device_adapters.ble_virtual.client import VirtualBleakClient
from device_adapters.ble_virtual.radio import VirtualRadio
from device_adapters.ble_virtual.scanner import VirtualBleakScanner

__all__ = ["VirtualBleakClient", "VirtualBleakScanner", "VirtualRadio"]
