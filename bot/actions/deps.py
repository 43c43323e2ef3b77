"""What actions may use, built once by the composition root."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime

from bot.storage.db import Database
from knowledge.model import KnowledgeBase


@dataclass(frozen=True)
class ActionDeps:
    """The knowledge base, the database, the clock, and the country of each known city."""

    knowledge: KnowledgeBase
    database: Database
    clock: Callable[[], datetime]
    city_countries: Mapping[str, str]
