"""Which adapter serves which transport, including third-party ones.

A manufacturer's package plugs in through the entry-point group
`conformance.adapters`: the name is the declaration's `transport` value and
the object is a callable `(declaration) -> Transport`.
"""

from __future__ import annotations

from collections.abc import Callable
from importlib.metadata import entry_points
from typing import Any

from device_adapters.transport import Transport

ENTRY_POINT_GROUP = "conformance.adapters"
TransportFactory = Callable[[Any], Transport]


def _http(declaration: Any) -> Transport:
    from device_adapters.http import HttpTransport

    return HttpTransport(declaration.address, timeout_s=declaration.timeout_s)


def _ble(declaration: Any) -> Transport:
    """A watch over the air: `address` is its Bluetooth address (a UUID on macOS) or its advertised name."""
    from device_adapters.ble import BleTransport

    return BleTransport(declaration.address, timeout_s=declaration.timeout_s)


def _ble_virtual(declaration: Any) -> Transport:
    """The same adapter on the radio-free link: `address` is the virtual radio's HCI spec, e.g. tcp-client:127.0.0.1:PORT."""
    from device_adapters.ble import BleTransport
    from device_adapters.ble_virtual import VirtualBleakClient, VirtualBleakScanner

    # The only peripheral on a virtual radio is the watch: take the first one advertising the DTP service.
    return BleTransport(None, timeout_s=declaration.timeout_s, scanner_backend=VirtualBleakScanner, client_backend=VirtualBleakClient,
                        backend_kwargs={"hci": declaration.address}, label=f"ble-virtual://{declaration.address}")


_BUILTIN: dict[str, TransportFactory] = {"http": _http, "ble": _ble, "ble-virtual": _ble_virtual}


def factories() -> dict[str, TransportFactory]:
    """Built-in transports, then any installed through entry points (which may not shadow a built-in)."""
    found = dict(_BUILTIN)
    for entry in entry_points(group=ENTRY_POINT_GROUP):
        found.setdefault(entry.name, entry.load())
    return found


def open_transport(declaration: Any) -> Transport:
    known = factories()
    try:
        factory = known[declaration.transport]
    except KeyError:
        raise LookupError(f"no adapter for transport '{declaration.transport}' (installed: {', '.join(sorted(known))})") from None
    return factory(declaration)
