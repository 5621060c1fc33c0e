"""Device adapters: the `Watch` API and the transports beneath it."""

from device_adapters.errors import DeviceError, InconclusiveError, Refused
from device_adapters.watch import Watch

__all__ = ["DeviceError", "InconclusiveError", "Refused", "Watch"]
