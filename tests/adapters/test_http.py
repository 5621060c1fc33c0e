"""The HTTP transport against real sockets: every fault becomes an InconclusiveError, never a verdict of its own."""

from __future__ import annotations

import json
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from device_adapters.errors import DeviceTimeout, InconclusiveError, MalformedReply, Refused, TransportError
from device_adapters.http import HttpTransport
from device_adapters.watch import Watch


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
    with pytest.raises(MalformedReply, match="not JSON"):
        watch.info()


def test_reply_that_is_not_dtp(server_factory):
    watch = Watch(HttpTransport(server_factory(lambda body: (200, json.dumps({"hello": "world"})))))
    with pytest.raises(MalformedReply, match="not DTP v1"):
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
