"""What actions may use, built once by the composition root."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from bot.storage.db import Database
from knowledge.eligibility import SourceTable, load_sources
from knowledge.model import KnowledgeBase
from scheduler.timing import QuietHours


@dataclass(frozen=True)
class ActionDeps:
    """The knowledge base, the database, the clock, the country of each known city, the eligibility
    check's sources and the quiet hours its passport reminder avoids."""

    knowledge: KnowledgeBase
    database: Database
    clock: Callable[[], datetime]
    city_countries: Mapping[str, str]
    eligibility_sources: SourceTable = field(default_factory=load_sources)
    quiet_hours: QuietHours = field(default_factory=QuietHours)
