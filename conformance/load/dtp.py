"""The harness's own DTP calls around a load (seeding, the test clock, checks): checked messages over the HTTP transport."""

from __future__ import annotations

import ipaddress
from typing import Any
from urllib.parse import urlsplit

from device_adapters.http import HttpTransport
from device_adapters.protocol import request, result_of


def is_loopback(url: str) -> bool:
    """Whether the URL's host is this machine (localhost, 127.0.0.0/8, ::1)."""
    host = urlsplit(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class Dtp:
    """One HTTP connection to a DTP endpoint, acting with the test-agent token."""

    def __init__(self, base_url: str, token: str, *, timeout_s: float = 10.0):
        self.base_url = base_url
        self.token = token
        self.transport = HttpTransport(base_url, timeout_s=timeout_s)
        if is_loopback(base_url):
            # requests re-reads proxy settings from the environment on every call (a third of a seeding call's CPU); loopback needs none.
            self.transport.session.trust_env = False

    def call(self, op: str, role: str, args: dict[str, Any] | None = None, *, account: str | None = None) -> dict[str, Any]:
        """The operation's result; raises Refused, or a transport / protocol error, like every other harness call."""
        sent = request(op, role, args, account=account, auth=self.token)
        return result_of(sent, self.transport.exchange(sent))

    def close(self) -> None:
        self.transport.close()

    def __enter__(self) -> Dtp:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
