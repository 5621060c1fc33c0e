"""The virtual radio: bumble controllers on one LocalLink, one for a local peripheral, others served as HCI over TCP.

The peripheral (the emulator's GATT face, or a test's) runs a bumble `Device`
on a controller in this process. Every TCP connection to the HCI server gets
a controller of its own on the same link, so a central in another process
(the harness, through `VirtualBleakClient`) sees the peripheral's advertising
and connects to it exactly as over the air, with no radio.
"""

from __future__ import annotations

import asyncio
import logging
import socket

from bumble import hci
from bumble.controller import Controller
from bumble.device import Device
from bumble.host import Host
from bumble.link import LocalLink
from bumble.transport.common import StreamPacketSink, StreamPacketSource

logger = logging.getLogger(__name__)

# 251-byte LE ACL packets model Data Length Extension; bumble's default of 27 costs 3-5x throughput.
ACL_PACKET_LENGTH = 251


def _controller(name: str, link: LocalLink, **hci_ends: object) -> Controller:
    controller = Controller(name, link=link, **hci_ends)
    controller.le_acl_data_packet_length = ACL_PACKET_LENGTH
    return controller


class _HciConnection(StreamPacketSource):
    """One TCP client of the HCI server: a fresh controller for it, gone from the link when it goes."""

    def __init__(self, radio: VirtualRadio):
        super().__init__()
        self.radio = radio
        self.controller: Controller | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # asyncio sets TCP_NODELAY only on sockets made with proto=IPPROTO_TCP; without it Nagle and
        # delayed ACKs hold each small HCI packet back by 40 ms.
        sock = transport.get_extra_info("socket")
        if sock is not None and sock.family in (socket.AF_INET, socket.AF_INET6):
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.radio.centrals += 1
        self.controller = _controller(f"central-{self.radio.centrals}", self.radio.link, host_source=self, host_sink=StreamPacketSink(transport))

    def connection_lost(self, exc: Exception | None) -> None:
        controller, self.controller = self.controller, None
        if controller is None:
            return
        controller.host = None  # nobody left to hear HCI events
        # A host that vanished without disconnecting must not leave the peripheral connected (and so silent) forever.
        for connection in list(controller.le_connections.values()):
            try:
                controller.on_hci_disconnect_command(hci.HCI_Disconnect_Command(connection_handle=connection.handle, reason=hci.HCI_REMOTE_USER_TERMINATED_CONNECTION_ERROR))
            except Exception:  # best effort on the way out
                logger.debug("could not end a connection of a departed central", exc_info=True)
        self.radio.link.remove_controller(controller)


class VirtualRadio:
    """A LocalLink with an HCI server for centrals; build with `await VirtualRadio.open(...)` inside a running loop."""

    def __init__(self, link: LocalLink, server: asyncio.Server):
        self.link = link
        self.server = server
        self.centrals = 0

    @classmethod
    async def open(cls, host: str = "127.0.0.1", port: int = 0) -> VirtualRadio:
        """Start the HCI server for centrals (port 0 picks a free one; see `hci_spec`)."""
        link = LocalLink()
        radio = cls(link, None)  # type: ignore[arg-type]
        sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        radio.server = await asyncio.get_running_loop().create_server(lambda: _HciConnection(radio), sock=sock)
        return radio

    @staticmethod
    def parse_server_spec(spec: str) -> tuple[str, int]:
        """'tcp-server:HOST:PORT' (bumble's transport syntax) -> (host, port)."""
        scheme, _, rest = spec.partition(":")
        host, _, port = rest.rpartition(":")
        if scheme != "tcp-server" or not host or not port.isdigit():
            raise ValueError(f"expected tcp-server:HOST:PORT, got {spec!r}")
        return host, int(port)

    @property
    def hci_spec(self) -> str:
        """What a central passes to bumble (and to VirtualBleakClient) to reach this radio: 'tcp-client:HOST:PORT'."""
        host, port = self.server.sockets[0].getsockname()[:2]
        return f"tcp-client:{host}:{port}"

    def peripheral(self, name: str, address: str) -> Device:
        """A bumble Device on a controller of its own on this link (call on the radio's loop; then power on, add services, advertise)."""
        controller = _controller(f"peripheral-{name}", self.link)
        return Device(name=name, address=hci.Address(address), host=Host(controller, controller))

    async def close(self) -> None:
        self.server.close()
        await self.server.wait_closed()
