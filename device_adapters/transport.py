"""The one thing a transport does: carry a request message and bring back the reply."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any


class Transport(ABC):
    """Moves Device Test Protocol messages to a device and back.

    Implementations raise `TransportError` (or `DeviceTimeout`) when the
    exchange fails below the protocol; they never interpret the reply.
    """

    name = "transport"

    @abstractmethod
    def exchange(self, message: dict[str, Any]) -> Any:
        """Send one request and return the decoded reply (any JSON value)."""

    def describe(self) -> str:
        """Where the device is, for the evidence."""
        return self.name

    def close(self) -> None:  # noqa: B027 - optional hook
        """Release the connection."""
