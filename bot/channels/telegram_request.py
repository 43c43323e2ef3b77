"""python-telegram-bot's networking on aiohttp, for sending in bulk.

PTB's default backend (httpx) costs about 2 ms of CPU per request on this hardware, which caps the outbox
near 400 messages a second; aiohttp's client costs a fraction of that. PTB documents ``BaseRequest`` as the
place to plug another HTTP library. Text messages only: the bot sends no files.
"""

from __future__ import annotations

import asyncio

import aiohttp
from telegram._utils.defaultvalue import DefaultValue
from telegram._utils.types import ODVInput
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData


class AiohttpRequest(BaseRequest):
    """A ``BaseRequest`` over one ``aiohttp.ClientSession`` with at most ``connections`` connections."""

    def __init__(self, connections: int = 8, timeout: float = 10.0) -> None:
        self._connections = connections
        self._timeout = timeout
        self._session: aiohttp.ClientSession | None = None

    @property
    def read_timeout(self) -> float | None:
        """The default read timeout, in seconds."""
        return self._timeout

    async def initialize(self) -> None:
        """Open the session (PTB calls this when the bot is initialised)."""
        if self._session is None or self._session.closed:
            connector = aiohttp.TCPConnector(limit=self._connections)
            self._session = aiohttp.ClientSession(connector=connector)

    async def shutdown(self) -> None:
        """Close the session."""
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        write_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        connect_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        pool_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        """Send one Bot API request; network failures become PTB's ``NetworkError`` / ``TimedOut``."""
        if self._session is None:
            raise RuntimeError("AiohttpRequest is not initialized")
        if request_data is not None and request_data.multipart_data:
            raise NetworkError("AiohttpRequest sends no files")
        seconds = (
            self._timeout if isinstance(read_timeout, DefaultValue) or read_timeout is None else read_timeout
        )
        data = request_data.json_parameters if request_data is not None else None
        try:
            async with self._session.request(
                method, url, data=data, timeout=aiohttp.ClientTimeout(total=seconds + self._timeout)
            ) as response:
                return response.status, await response.read()
        except asyncio.TimeoutError as error:
            raise TimedOut from error
        except aiohttp.ClientError as error:
            raise NetworkError(f"aiohttp: {type(error).__name__}") from error
