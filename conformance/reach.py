"""Reach a device once before the suite: a device that cannot be reached at all stops the run with one message,
instead of every scenario ending INCONCLUSIVE against nothing."""

from __future__ import annotations

from conformance.datafile import ConfigError
from conformance.declaration import Declaration
from device_adapters import registry
from device_adapters.errors import DeviceError, InconclusiveError, TransportError
from device_adapters.watch import Watch


def reach_device(declaration: Declaration) -> None:
    """Open the declared transport and ask `device.info`; raise ConfigError on the address when nothing answers."""
    try:
        watch = Watch(registry.open_transport(declaration), auth=declaration.ixit["agent_token"], app_ids=declaration.ixit.get("apps"))
    except (InconclusiveError, OSError, ValueError) as exc:
        raise _unreachable(declaration, exc) from None
    try:
        watch.info()
    except TransportError as exc:  # no answer, a timeout, a connection refused or an HTTP error status
        raise _unreachable(declaration, exc) from None
    except DeviceError:
        pass  # an answer of some kind (a refusal, a malformed reply): the device is there, and the suite judges it
    finally:
        watch.close()


def _unreachable(declaration: Declaration, exc: BaseException) -> ConfigError:
    return ConfigError(declaration.path, "address", f"the device at {declaration.address} ({declaration.transport}) cannot be reached: {exc}", declaration.address_line)

