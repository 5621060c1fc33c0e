"""The reference watch over HTTP: POST /dtp/v1 with one DTP message, on Starlette and uvicorn."""

from __future__ import annotations

import asyncio
import json
import socket
import sys

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from emulator.watch import ReferenceWatch

DTP_PATH = "/dtp/v1"


def build_app(watch: ReferenceWatch) -> Starlette:
    async def dtp(request: Request) -> Response:
        body = await request.body()
        try:
            message = json.loads(body)
        except ValueError:
            message = None
        # One event loop, one thread: requests are handled one at a time, so rules never race.
        reply = watch.handle(message)
        return Response(json.dumps(reply, ensure_ascii=False), media_type="application/json")

    async def health(request: Request) -> Response:
        return Response('{"ok": true}', media_type="application/json")

    return Starlette(routes=[Route(DTP_PATH, dtp, methods=["POST"]), Route("/health", health)])


def bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    # Replies go out as two writes (head, body): without NODELAY, Nagle and delayed ACK stall each by ~40 ms.
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    sock.bind((host, port))
    sock.listen(2048)
    sock.set_inheritable(True)
    return sock


def serve(watch: ReferenceWatch, host: str = "127.0.0.1", port: int = 0) -> None:
    """Serve until stopped; announce the bound address on stdout first (port 0 picks a free one)."""
    sock = bind(host, port)
    bound_port = sock.getsockname()[1]
    config = uvicorn.Config(build_app(watch), log_level="warning", access_log=False, lifespan="off")
    server = uvicorn.Server(config)
    print(f"EMULATOR LISTENING http://{host}:{bound_port}", flush=True)
    sys.stdout.flush()
    asyncio.run(server.serve(sockets=[sock]))
