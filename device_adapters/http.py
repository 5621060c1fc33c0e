"""HTTP transport: DTP messages as JSON bodies of POST /dtp/v1, over requests."""

from __future__ import annotations

from typing import Any

import requests

from device_adapters.errors import DeviceTimeout, MalformedReply, TransportError
from device_adapters.transport import Transport

DTP_PATH = "/dtp/v1"


class HttpTransport(Transport):
    name = "http"

    def __init__(self, base_url: str, *, timeout_s: float = 10.0, verify_tls: bool = True):
        self.url = base_url.rstrip("/") + DTP_PATH
        self.timeout_s = timeout_s
        self.session = requests.Session()
        self.session.verify = verify_tls

    def exchange(self, message: dict[str, Any]) -> Any:
        try:
            response = self.session.post(self.url, json=message, timeout=self.timeout_s)
        except requests.Timeout as exc:
            raise DeviceTimeout(f"no reply from {self.url} within {self.timeout_s} s ({message['op']})") from exc
        except requests.RequestException as exc:
            raise TransportError(f"{self.url}: {type(exc).__name__}: {exc}") from exc
        if response.status_code != 200:
            raise TransportError(f"{self.url} answered HTTP {response.status_code} to {message['op']}")
        try:
            return response.json()
        except ValueError as exc:
            raise MalformedReply(f"{self.url} answered {message['op']} with a body that is not JSON: {response.text[:120]!r}") from exc

    def describe(self) -> str:
        return self.url

    def close(self) -> None:
        self.session.close()
