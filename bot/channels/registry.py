"""The messaging channels one ``mentor run`` serves, listed once by the composition root: each adapter with
the web routes it offers and the sender and pace the outbox dispatcher uses for it."""

from __future__ import annotations

import asyncio
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from typing import Protocol

from starlette.routing import BaseRoute

from bot.core.intake import ReplyChannel
from scheduler.dispatcher import Route


class Adapter(ReplyChannel, Protocol):
    """A channel adapter: it answers through the intake, offers web routes, and runs until stopped."""

    def routes(self) -> list[BaseRoute]:
        """The HTTP routes it needs on the one web server (webhooks)."""

    async def run(self, stop: asyncio.Event) -> None:
        """Take updates in until ``stop`` is set."""


@dataclass
class Registry:
    """The configured channels."""

    adapters: list[Adapter] = field(default_factory=list)
    outbox: dict[str, Route] = field(default_factory=dict)

    def add(self, adapter: Adapter, outbox: Route) -> None:
        """Serve this channel, and deliver its outbox rows through ``outbox``."""
        self.adapters.append(adapter)
        self.outbox[adapter.name] = outbox

    def routes(self) -> list[BaseRoute]:
        """Every adapter's web routes."""
        return [route for adapter in self.adapters for route in adapter.routes()]

    def outbox_senders(self) -> list[AbstractAsyncContextManager[object]]:
        """The outbox senders, opened by the delivery service for as long as it runs."""
        return [route.sender for route in self.outbox.values()]  # type: ignore[misc]
