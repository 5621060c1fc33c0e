"""The HTTP transport against real sockets: every fault becomes an InconclusiveError, never a verdict of its own."""

from __future__ import annotations

import json
import re
import socket
import socketserver
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from device_adapters.errors import DeviceTimeout, InconclusiveError, MalformedReply, Refused, TransportError
from device_adapters.http import HttpTransport
from device_adapters.watch import Watch
from tests.replies import bodies, decodes_properly, with_id


def serve(answer):
    """A loopback server whose reply body is answer(request_json)."""

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 - http.server's name
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            status, payload = answer(body)
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(payload.encode())

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


@pytest.fixture
def server_factory():
    servers = []

    def make(answer):
        servers.append(serve(answer))
        return f"http://127.0.0.1:{servers[-1].server_address[1]}"

    yield make
    for server in servers:
        server.shutdown()
        server.server_close()


def closed_port() -> int:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    return port


def test_refused_connection_is_a_transport_error():
    watch = Watch(HttpTransport(f"http://127.0.0.1:{closed_port()}", timeout_s=2))
    with pytest.raises(TransportError):
        watch.info()
    assert watch.transcript.exchanges[-1].error.startswith("TransportError")


def test_body_that_is_not_json(server_factory):
    watch = Watch(HttpTransport(server_factory(lambda body: (200, "<html>oops</html>"))))
    with pytest.raises(MalformedReply, match="not a JSON reply"):
        watch.info()


def test_reply_that_is_not_dtp(server_factory):
    watch = Watch(HttpTransport(server_factory(lambda body: (200, json.dumps({"hello": "world"})))))
    with pytest.raises(MalformedReply, match="reply out of schema: "):
        watch.info()


def test_reply_to_another_request(server_factory):
    reply = lambda body: (200, json.dumps({"dtp": 1, "id": "not-" + body["id"], "ok": True, "result": {}}))  # noqa: E731
    watch = Watch(HttpTransport(server_factory(reply)))
    with pytest.raises(MalformedReply, match="does not answer"):
        watch.call("device.info", "tester")


def test_http_error_status(server_factory):
    watch = Watch(HttpTransport(server_factory(lambda body: (500, "{}"))))
    with pytest.raises(TransportError, match="HTTP 500"):
        watch.info()


def test_silence_is_a_timeout(server_factory):
    def slow(body):
        time.sleep(1.5)
        return 200, "{}"

    watch = Watch(HttpTransport(server_factory(slow), timeout_s=0.3))
    with pytest.raises(DeviceTimeout):
        watch.info()


def test_refusal_is_an_answer_not_a_fault(server_factory):
    reply = lambda body: (200, json.dumps({"dtp": 1, "id": body["id"], "ok": False, "error": {"code": "denied", "reason": "no"}}))  # noqa: E731
    watch = Watch(HttpTransport(server_factory(reply)))
    with pytest.raises(Refused) as caught:
        watch.set_daily_limit(10, role="child")
    assert not isinstance(caught.value, InconclusiveError) and caught.value.code == "denied"


def test_unknown_operation_is_inconclusive(server_factory):
    reply = lambda body: (200, json.dumps({"dtp": 1, "id": body["id"], "ok": False, "error": {"code": "unknown_op", "reason": "?"}}))  # noqa: E731
    watch = Watch(HttpTransport(server_factory(reply)))
    with pytest.raises(InconclusiveError):
        watch.usage()


def test_result_missing_a_field_is_malformed(server_factory):
    reply = lambda body: (200, json.dumps({"dtp": 1, "id": body["id"], "ok": True, "result": {"model": "x"}}))  # noqa: E731
    watch = Watch(HttpTransport(server_factory(reply)))
    with pytest.raises(MalformedReply, match="lacks"):
        watch.info()


# -- properties: whatever bytes come back, a result, a refusal or INCONCLUSIVE ---------------------------------


class RawDevice(socketserver.ThreadingTCPServer):
    """A loopback device that answers each request with `respond(request_id)`, raw bytes on the socket, then closes."""

    daemon_threads = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), _RawHandler)
        self.respond = lambda request_id: b""

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class _RawHandler(socketserver.BaseRequestHandler):
    def handle(self) -> None:
        received = b""
        while b"\r\n\r\n" not in received:
            chunk = self.request.recv(65536)
            if not chunk:
                return
            received += chunk
        head, _, body = received.partition(b"\r\n\r\n")
        length = int(re.search(rb"(?im)^content-length: *(\d+)", head).group(1))
        while len(body) < length:
            body += self.request.recv(65536)
        self.request.sendall(self.server.respond(json.loads(body)["id"]))


@pytest.fixture(scope="module")
def raw_device():
    device = RawDevice()
    threading.Thread(target=device.serve_forever, args=(0.05,), daemon=True).start()
    yield device
    device.shutdown()
    device.server_close()


def _http_response(status: int, body: bytes) -> bytes:
    return b"HTTP/1.1 %d X\r\nContent-Type: application/json\r\nContent-Length: %d\r\nConnection: close\r\n\r\n" % (status, len(body)) + body


_header_bytes = st.binary(max_size=30).filter(lambda b: b"\r\n\r\n" not in b)
raw_responses = st.binary(max_size=300) | st.builds(
    lambda status, headers, body: b"HTTP/1.1 " + status + b"\r\n" + b"".join(h + b"\r\n" for h in headers) + b"\r\n" + body,
    st.sampled_from([b"200 OK", b"500 Internal", b"100 Continue", b"204 No Content", b"99", b"abc", b""]) | _header_bytes,
    st.lists(st.sampled_from([b"Content-Length: 5", b"Content-Length: -1", b"Content-Length: x", b"Transfer-Encoding: chunked", b"Content-Encoding: gzip", b"Connection: close"]) | _header_bytes, max_size=4),
    bodies | st.sampled_from([b"zz\r\n{}\r\n0\r\n\r\n", b"5\r\n{}", b"\x1f\x8b\x08garbage"]),
)


def _ask_once(transport: HttpTransport, watch: Watch, lane: bool) -> None:
    """One device.info through the session or a parallel lane, which must decode properly whatever comes back."""
    if lane:
        transport.open_lane()
    try:
        decodes_properly(lambda: watch.call("device.info", "tester"))
    finally:
        transport.close_lane()


@pytest.mark.parametrize("lane", [False, True], ids=["session", "parallel-lane"])
def test_any_body_is_a_result_a_refusal_or_inconclusive(raw_device, lane):
    transport = HttpTransport(raw_device.url, timeout_s=2)
    watch = Watch(transport)

    @settings(max_examples=150, deadline=None)
    @given(st.sampled_from([200, 200, 200, 500, 404]), bodies)
    def check(status, body):
        raw_device.respond = lambda request_id: _http_response(status, with_id(body, request_id))
        _ask_once(transport, watch, lane)

    check()
    transport.close()


@pytest.mark.parametrize("lane", [False, True], ids=["session", "parallel-lane"])
def test_any_bytes_as_the_whole_response_are_inconclusive_at_worst(raw_device, lane):
    transport = HttpTransport(raw_device.url, timeout_s=2)
    watch = Watch(transport)

    @settings(max_examples=150, deadline=None)
    @given(raw_responses)
    def check(response):
        raw_device.respond = lambda request_id: with_id(response, request_id)
        _ask_once(transport, watch, lane)

    check()
    transport.close()
