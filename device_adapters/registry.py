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


_BUILTIN: dict[str, TransportFactory] = {"http": _http}


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
