"""A fault injector for the project's tests: a real HTTP proxy on loopback in front of a DTP endpoint.

It forwards each `POST /dtp/v1` to the device (the reference emulator) and
back, except where its trigger matches: there it applies one named fault, the
way a broken link or a broken test agent would. The harness must then judge
the affected scenarios INCONCLUSIVE, never FAIL or ERROR (docs/protocol.md 4.3).

The trigger is an operation (`op`: only requests for it count), a number of
matching requests to let through first (`after`), or both; `times` caps how
many requests it strikes (a link that fails once, then recovers). The proxy keeps the
ids of the requests it faulted (`faulted`), so that a test can find, in
results.json, exactly the scenarios whose transcript carries one.
"""

from __future__ import annotations

import http.client
import json
import socket
import struct
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

# Each fault, and what a harness sees of it.
FAULTS = {
    "hang": "no reply at all until the harness gives up (its timeout)",
    "reset": "the connection is reset (TCP RST) instead of a reply",
    "http_500": "an HTTP 500 with a text body",
    "bad_json": "an HTTP 200 whose body is cut-off JSON",
    "wrong_id": "the device's reply, with an id that answers another request",
    "missing_result": "a success reply without its `result` (whatever the device answered)",
    "slow": "the device's reply, late but within the harness's timeout",
    "gone": "the connection closes without a reply and the port stops listening",
    "dtp_error": "a well-formed DTP error reply with a protocol-fault code (`code`: internal, bad_request, unknown_op)",
}


class FaultProxy:
    """`with FaultProxy(upstream, "http_500", op="payment.status") as proxy:` then point the declaration at `proxy.address`."""

    def __init__(self, upstream: str, fault: str, *, op: str | None = None, after: int = 0, slow_s: float = 0.3, hang_s: float = 60.0, code: str = "internal", times: int | None = None):
        if fault not in FAULTS:
            raise ValueError(f"unknown fault {fault!r}; known: {', '.join(FAULTS)}")
        parts = urlsplit(upstream)
        if parts.hostname not in ("127.0.0.1", "localhost", "::1"):
            raise ValueError(f"the fault proxy forwards to loopback only, not {upstream}")
        self.upstream_host, self.upstream_port = parts.hostname, parts.port or 80
        self.fault, self.op, self.after, self.times = fault, op, after, times
        self.slow_s, self.hang_s, self.code = slow_s, hang_s, code
        self.faulted: list[dict[str, str]] = []  # {"id", "op"} of each request the fault hit
        self.forwarded = 0
        self._matching = 0
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._gone = False
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        # A short poll: stopping the proxy waits for one.
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.02,), name=f"fault-proxy-{fault}", daemon=True)

    @property
    def address(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    @property
    def faulted_ids(self) -> set[str]:
        return {hit["id"] for hit in self.faulted}

    def __enter__(self) -> FaultProxy:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def stop(self) -> None:
        self._stopping.set()  # releases hanging handlers
        if self._thread.is_alive():
            self._server.shutdown()
        self._server.server_close()
        self._thread.join(5)

    # -- deciding ---------------------------------------------------------------

    def _strikes(self, message: dict[str, Any]) -> bool:
        """Whether this request gets the fault; counts it either way."""
        with self._lock:
            if self._gone:  # every request that still reaches it, on a connection opened before
                self.faulted.append({"id": str(message.get("id")), "op": str(message.get("op"))})
                return True
            if self.op is not None and message.get("op") != self.op:
                return False
            self._matching += 1
            if self._matching <= self.after or (self.times is not None and len(self.faulted) >= self.times):
                return False
            self.faulted.append({"id": str(message.get("id")), "op": str(message.get("op"))})
            if self.fault == "gone":
                self._gone = True
                # The listening socket closes: later connections are refused. shutdown() waits for the
                # serving loop, so it runs off this handler's thread.
                threading.Thread(target=self._close_listener, daemon=True).start()
            return True

    def _close_listener(self) -> None:
        self._server.shutdown()
        self._server.socket.close()

    def _forward(self, body: bytes) -> tuple[int, bytes]:
        connection = http.client.HTTPConnection(self.upstream_host, self.upstream_port, timeout=30)
        try:
            connection.request("POST", "/dtp/v1", body=body, headers={"Content-Type": "application/json"})
            response = connection.getresponse()
            return response.status, response.read()
        finally:
            connection.close()

    # -- serving ------------------------------------------------------------------

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive, as the emulator serves

            def do_POST(self) -> None:  # noqa: N802 - http.server's name
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                try:
                    message = json.loads(body)
                except ValueError:
                    message = {}
                if not proxy._strikes(message if isinstance(message, dict) else {}):
                    self._reply(*proxy._forward(body))
                    with proxy._lock:
                        proxy.forwarded += 1
                    return
                getattr(self, f"_fault_{proxy.fault}")(body)

            def _reply(self, status: int, payload: bytes, content_type: str = "application/json") -> None:
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def _drop(self, *, reset: bool) -> None:
                if reset:  # linger 0: close() sends RST rather than FIN
                    self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                self.close_connection = True
                self.connection.close()

            def _fault_hang(self, body: bytes) -> None:
                proxy._stopping.wait(proxy.hang_s)
                self._drop(reset=False)

            def _fault_reset(self, body: bytes) -> None:
                self._drop(reset=True)

            def _fault_http_500(self, body: bytes) -> None:
                self._reply(500, b"Internal Server Error: the test agent crashed", "text/plain")

            def _fault_bad_json(self, body: bytes) -> None:
                self._reply(200, b'{"dtp": 1, "id": "')

            def _fault_wrong_id(self, body: bytes) -> None:
                status, payload = proxy._forward(body)
                reply = json.loads(payload)
                reply["id"] = f"{reply.get('id')}-other"
                self._reply(status, json.dumps(reply).encode())

            def _fault_missing_result(self, body: bytes) -> None:
                status, payload = proxy._forward(body)
                reply = json.loads(payload)
                reply["ok"] = True
                reply.pop("result", None)
                reply.pop("error", None)
                self._reply(status, json.dumps(reply).encode())

            def _fault_slow(self, body: bytes) -> None:
                time.sleep(proxy.slow_s)
                self._reply(*proxy._forward(body))

            def _fault_gone(self, body: bytes) -> None:
                self._drop(reset=False)

            def _fault_dtp_error(self, body: bytes) -> None:
                message = json.loads(body)
                error = {"code": proxy.code, "reason": "injected by the fault proxy"}
                self._reply(200, json.dumps({"dtp": 1, "id": message.get("id"), "ok": False, "error": error}).encode())

            def log_message(self, *args: object) -> None:
                pass

        return Handler
