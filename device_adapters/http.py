"""HTTP transport: DTP messages as JSON bodies of POST /dtp/v1, over requests.

Threads that send in parallel (`Watch.concurrently`) each get a lane: a
connection of their own, opened ahead. Their first requests are written out
together by whichever thread is ready last, back to back, so that they reach
the device at once, as a burst from several phones would, however the
threads happen to be scheduled.
"""

from __future__ import annotations

import http.client
import json
import socket
import ssl
import threading
from typing import Any
from urllib.parse import urlsplit

import requests

from device_adapters.errors import DeviceTimeout, MalformedReply, TransportError, plain_cause
from device_adapters.protocol import parse_json
from device_adapters.transport import Transport

DTP_PATH = "/dtp/v1"


# How long a lane waits for the others of its burst before it sends alone (an action that never sent).
BURST_WAIT_S = 5.0


class Burst:
    """A start line for `size` lanes: each hands over its ready request, and the last one ready sends them all."""

    def __init__(self, size: int):
        self.size = size
        self._ready: list[tuple[socket.socket, bytes]] = []
        self._sent = False
        self._cv = threading.Condition()

    def send(self, sock: socket.socket, data: bytes) -> None:
        with self._cv:
            if self._sent:
                sock.sendall(data)
                return
            self._ready.append((sock, data))
            if len(self._ready) == self.size or not self._cv.wait_for(lambda: self._sent, timeout=BURST_WAIT_S):
                self._release()

    def _release(self) -> None:
        # Writes of a few hundred bytes to idle sockets do not block: the burst leaves within microseconds.
        for sock, data in self._ready:
            sock.sendall(data)
        self._ready, self._sent = [], True
        self._cv.notify_all()


class _Lane:
    """One thread's own keep-alive connection, written raw so that a ready request can wait at a `Burst`."""

    def __init__(self, url: str, timeout_s: float, verify_tls: bool, burst: Burst | None):
        parts = urlsplit(url)
        self.host, self.path = parts.netloc, parts.path
        sock = socket.create_connection((parts.hostname, parts.port or (443 if parts.scheme == "https" else 80)), timeout=timeout_s)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        if parts.scheme == "https":
            context = ssl.create_default_context()
            if not verify_tls:  # the same choice the session's `verify` makes for ordinary exchanges
                context.check_hostname, context.verify_mode = False, ssl.CERT_NONE
            sock = context.wrap_socket(sock, server_hostname=parts.hostname)
        self.sock, self.burst = sock, burst

    def post(self, body: bytes) -> tuple[int, bytes]:
        head = f"POST {self.path} HTTP/1.1\r\nHost: {self.host}\r\nContent-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
        data = head.encode("ascii") + body
        burst, self.burst = self.burst, None
        if burst is not None:
            burst.send(self.sock, data)
        else:
            self.sock.sendall(data)
        response = http.client.HTTPResponse(self.sock, method="POST")
        response.begin()
        return response.status, response.read()

    def close(self) -> None:
        self.sock.close()


class HttpTransport(Transport):
    name = "http"
    parallel = True

    def __init__(self, base_url: str, *, timeout_s: float = 10.0, verify_tls: bool = True):
        self.url = base_url.rstrip("/") + DTP_PATH
        self.timeout_s = timeout_s
        self.session = requests.Session()
        self.session.verify = verify_tls
        self._local = threading.local()

    def start_line(self, size: int) -> Burst:
        return Burst(size)

    def open_lane(self, start: Burst | None = None) -> None:
        try:
            self._local.lane = _Lane(self.url, self.timeout_s, bool(self.session.verify), start)
        except OSError as exc:
            raise TransportError(f"{self.url}: cannot open a parallel connection: {exc}") from exc

    def close_lane(self) -> None:
        lane, self._local.lane = getattr(self._local, "lane", None), None
        if lane is not None:
            lane.close()

    def _exchange_on_lane(self, lane: _Lane, message: dict[str, Any]) -> Any:
        try:
            status, body = lane.post(json.dumps(message, ensure_ascii=False).encode("utf-8"))
        except TimeoutError as exc:
            raise DeviceTimeout(f"no reply from {self.url} within {self.timeout_s} s ({message['op']})") from exc
        except (OSError, http.client.HTTPException) as exc:
            raise TransportError(f"{self.url}: {plain_cause(exc)} ({message['op']})") from exc
        if status != 200:
            raise TransportError(f"{self.url} answered HTTP {status} to {message['op']}")
        try:
            return parse_json(body)
        except ValueError as exc:
            raise MalformedReply(f"{self.url} answered {message['op']} with a body that is not a JSON reply ({exc}): {body[:120]!r}") from exc

    def exchange(self, message: dict[str, Any]) -> Any:
        lane = getattr(self._local, "lane", None)
        if lane is not None:
            return self._exchange_on_lane(lane, message)
        try:
            response = self.session.post(self.url, json=message, timeout=self.timeout_s)
        except requests.Timeout as exc:
            raise DeviceTimeout(f"no reply from {self.url} within {self.timeout_s} s ({message['op']})") from exc
        except requests.RequestException as exc:
            raise TransportError(f"{self.url}: {plain_cause(exc)} ({message['op']})") from exc
        if response.status_code != 200:
            raise TransportError(f"{self.url} answered HTTP {response.status_code} to {message['op']}")
        try:
            return parse_json(response.content)
        except ValueError as exc:
            raise MalformedReply(f"{self.url} answered {message['op']} with a body that is not a JSON reply ({exc}): {response.content[:120]!r}") from exc

    def describe(self) -> str:
        return self.url

    def close(self) -> None:
        self.session.close()
