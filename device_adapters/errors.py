"""What can go wrong when talking to a device, sorted by what it means for a verdict.

- `Refused`: the device answered and declined the action. That is an ordinary
  answer (often the very control under test), never a fault.
- `InconclusiveError` and its subclasses: the device could not be made to
  answer properly (transport failure, timeout, malformed reply, unknown
  operation). The harness turns these into INCONCLUSIVE, never FAIL.
"""

from __future__ import annotations

import http.client


class DeviceError(Exception):
    """Base of every error raised by an adapter."""


class Refused(DeviceError):
    """The device declined the request with a protocol error code."""

    def __init__(self, code: str, reason: str = "", op: str = ""):
        self.code = code
        self.reason = reason
        self.op = op
        super().__init__(f"{op} refused: {code}" + (f" ({reason})" if reason else ""))


def plain_cause(exc: BaseException) -> str:
    """The operating system's words for a failed exchange ("Connection refused") where a library wrapped them
    (requests around urllib3 around the socket's error), else the exception's own type and text."""
    seen, queue = set(), [exc]
    while queue:
        current = queue.pop(0)
        if id(current) in seen:
            continue
        seen.add(id(current))
        if isinstance(current, OSError) and current.strerror:
            return current.strerror
        if isinstance(current, http.client.RemoteDisconnected):  # an OSError without the system's words
            return "the connection closed without a reply"
        queue += [e for e in (current.__cause__, current.__context__, getattr(current, "reason", None), *current.args) if isinstance(e, BaseException)]
    return f"{type(exc).__name__}: {exc}"


class InconclusiveError(DeviceError):
    """The exchange did not produce a usable answer."""


class TransportError(InconclusiveError):
    """Connection refused, dropped, or otherwise broken below the protocol."""


class DeviceTimeout(TransportError):
    """No reply within the adapter's timeout."""


class MalformedReply(InconclusiveError):
    """A reply that is not valid Device Test Protocol."""


class UnsupportedOperation(InconclusiveError):
    """The device answered with a protocol fault (`unknown_op`, `bad_request`, `internal`): the exchange failed."""

    def __init__(self, message: str, code: str = ""):
        self.code = code
        super().__init__(message)
