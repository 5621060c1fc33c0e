"""The reference watch over HTTP: POST /dtp/v1 with one DTP message, on Starlette and uvicorn.

Requests are answered by group commit: each request waits in a queue, one
writer task drains the queue, runs what it took as one batch in one SQLite
transaction (each request in its own savepoint), commits once, and only then
releases the replies. A reply therefore still means "committed", and one
fsync serves every request that arrived while the previous one ran.
"""

from __future__ import annotations

import asyncio
import socket
import sys
from collections.abc import Callable
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from emulator import wire
from emulator.operations import Refusal
from emulator.watch import ReferenceWatch, refusal_reply

DTP_PATH = "/dtp/v1"


# A batch bigger than this waits for the next commit: it bounds the latency one commit adds.
MAX_BATCH = 512

# Loop turns the writer waits for requests already on their way (reading, parsing, queueing takes about three).
SIBLING_TURNS = 3

Batch = Callable[[list[Any]], list[dict[str, Any]]]


class GroupCommit:
    """The single writer: requests queue up while a batch commits; each drain becomes the next batch."""

    def __init__(self, handle_batch: Batch, max_batch: int = MAX_BATCH):
        self._handle_batch = handle_batch
        self._max_batch = max_batch
        self._queue: asyncio.Queue[tuple[Any, asyncio.Future]] | None = None
        self._writer: asyncio.Task | None = None

    async def submit(self, message: Any) -> dict[str, Any]:
        """Queue one request; return its reply once the batch holding it is committed."""
        if self._writer is None:
            # Started on first use, inside the server's running loop (lifespan events are off).
            self._queue = asyncio.Queue()
            self._writer = asyncio.get_running_loop().create_task(self._drain())
        reply: asyncio.Future = asyncio.get_running_loop().create_future()
        self._queue.put_nowait((message, reply))
        return await reply

    async def _drain(self) -> None:
        queue = self._queue
        while True:
            batch = [await queue.get()]
            # A few turns of the loop first: requests whose bytes have already arrived join this batch, as siblings do
            # in a database's group commit, instead of each starting a batch of its own microseconds later.
            for _ in range(SIBLING_TURNS):
                await asyncio.sleep(0)
            while len(batch) < self._max_batch and not queue.empty():
                batch.append(queue.get_nowait())
            try:
                # On the loop's own thread: rules never race, and requests that arrive meanwhile form the next batch.
                replies = self._handle_batch([message for message, _ in batch])
            except BaseException as exc:  # the commit itself failed: nobody in the batch is acknowledged
                for _, reply in batch:
                    if not reply.done():
                        reply.set_exception(exc)
                if not isinstance(exc, Exception):
                    raise
                continue
            for (_, reply), answer in zip(batch, replies, strict=True):
                if not reply.done():  # a client that hung up cancelled its future
                    reply.set_result(answer)
            # Let the replies go out (and new requests queue) before the next batch, even when the queue is not empty.
            await asyncio.sleep(0)


def batch_handler(watch: Any) -> Batch:
    """How a batch reaches the watch: in one transaction, unless another face shares the watch.

    A watch wrapped for a second face (BLE, on its own thread) serialises each
    request under its own lock; batching past that lock would race, so such a
    watch answers a batch one request (and one commit) at a time.
    """
    if isinstance(watch, ReferenceWatch):
        return watch.handle_batch
    return lambda messages: [watch.handle(message) for message in messages]


def build_app(watch: Any) -> Callable:
    """The ASGI app: POST /dtp/v1 on a direct path to the group commit, everything else through Starlette."""
    writer = GroupCommit(batch_handler(watch))

    async def answer(body: bytes, size: int | None = None) -> bytes:
        try:
            message = wire.decode(body, size)
        except Refusal as refusal:  # too large, too deep, not JSON: the watch never sees it
            return wire.encode(wire.unreadable(refusal))
        try:
            reply = await writer.submit(message)
        except Exception as exc:  # nothing was committed for this request
            reply = refusal_reply(message, Refusal("internal", f"commit failed: {exc}"))
        return wire.encode(reply)

    async def dtp(request: Request) -> Response:
        return Response(await answer(await request.body()), media_type="application/json")

    async def health(request: Request) -> Response:
        return Response('{"ok": true}', media_type="application/json")

    site = Starlette(routes=[Route(DTP_PATH, dtp, methods=["POST"]), Route("/health", health)])

    async def app(scope: dict, receive: Callable, send: Callable) -> None:
        # The DTP endpoint skips Starlette's middleware and routing: under load they cost as much CPU as the
        # rules themselves, and on a small machine the load generator needs that core. Same bytes on the wire.
        if scope["type"] != "http" or scope["path"] != DTP_PATH or scope["method"] != "POST":
            await site(scope, receive, send)
            return
        body, size, more = bytearray(), 0, True
        while more:
            event = await receive()
            if event["type"] == "http.disconnect":
                return
            chunk = event.get("body", b"")
            size += len(chunk)
            if size <= wire.MAX_MESSAGE_BYTES:  # past the limit the rest is read and dropped, not kept
                body += chunk
            more = event.get("more_body", False)
        payload = await answer(bytes(body), size)
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(payload)).encode("ascii"))]})
        await send({"type": "http.response.body", "body": payload})

    return app


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


def serve(watch: Any, host: str = "127.0.0.1", port: int = 0) -> None:
    """Serve until stopped; announce the bound address on stdout first (port 0 picks a free one)."""
    sock = bind(host, port)
    bound_port = sock.getsockname()[1]
    config = uvicorn.Config(build_app(watch), log_level="warning", access_log=False, lifespan="off")
    server = uvicorn.Server(config)
    print(f"EMULATOR LISTENING http://{host}:{bound_port}", flush=True)
    sys.stdout.flush()
    asyncio.run(server.serve(sockets=[sock]))
