"""Serving the app with uvicorn inside the bot's own event loop, beside the channels and the dispatcher.

The socket is bound here, before uvicorn starts, so that a busy or forbidden port is refused with the setting
named instead of uvicorn's exit; signals stay with ``mentor run``, which stops every part in order.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import socket
from collections.abc import Iterator

import uvicorn
from starlette.types import ASGIApp

from bot.errors import ConfigError

SETTING = "MENTOR_WEB_LISTEN"


def bind(host: str, port: int) -> socket.socket:
    """A listening socket on ``host:port``; ``ConfigError`` naming the setting when it cannot be had."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError, OverflowError):
        raise ConfigError(SETTING, f"cannot resolve host {host!r}") from None
    family, kind, proto, _, address = infos[0]
    sock = socket.socket(family, kind, proto)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(address)
        sock.listen(2048)
    except OSError as error:
        sock.close()
        reason = {
            errno.EADDRINUSE: f"port {port} is already in use",
            errno.EACCES: f"not allowed to listen on port {port}",
            errno.EADDRNOTAVAIL: f"{host} is not an address of this machine",
        }.get(error.errno or 0, f"cannot listen on {host}:{port} ({error.strerror})")
        raise ConfigError(SETTING, reason) from None
    sock.setblocking(False)
    return sock


class _Server(uvicorn.Server):
    """uvicorn without its own signal handlers: ``mentor run`` owns SIGTERM and SIGINT."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


class WebServer:
    """The app on an already bound socket, until ``stop`` is set."""

    def __init__(self, app: ASGIApp, sock: socket.socket) -> None:
        config = uvicorn.Config(
            app,
            log_config=None,
            access_log=False,
            lifespan="off",
            ws="none",  # no websockets here (Rasa pins a websockets too old for uvicorn's)
            server_header=False,
            date_header=False,
            timeout_graceful_shutdown=5,
        )
        self.server = _Server(config)
        self.sock = sock

    @property
    def port(self) -> int:
        """The port it listens on."""
        return int(self.sock.getsockname()[1])

    async def serve(self, stop: asyncio.Event) -> None:
        """Serve until ``stop`` is set, then finish the requests in flight."""
        task = asyncio.create_task(self.server.serve(sockets=[self.sock]))
        stopped = asyncio.create_task(stop.wait())
        await asyncio.wait({task, stopped}, return_when=asyncio.FIRST_COMPLETED)
        self.server.should_exit = True
        stopped.cancel()
        await task
