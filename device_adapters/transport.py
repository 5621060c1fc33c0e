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
    # Whether exchange() may be called from several threads at once, each reaching the device on its own connection.
    # A transport that cannot (one radio link, one in-process handler) is called one exchange at a time.
    parallel = False

    @abstractmethod
    def exchange(self, message: dict[str, Any]) -> Any:
        """Send one request and return the decoded reply (any JSON value)."""

    def start_line(self, size: int) -> Any:
        """What `size` parallel lanes wait at so that their first requests leave together (see `open_lane`)."""
        return None

    def open_lane(self, start: Any = None) -> None:  # noqa: B027 - optional hook
        """Called on a thread about to send in parallel with others: a parallel transport gives it its own connection,
        and holds its first request, ready to go, at `start` (from `start_line`) until every lane's is ready."""

    def close_lane(self) -> None:  # noqa: B027 - optional hook
        """The thread is done sending in parallel: its connection, if any, is closed."""

    def describe(self) -> str:
        """Where the device is, for the evidence."""
        return self.name

    def close(self) -> None:  # noqa: B027 - optional hook
        """Release the connection."""
