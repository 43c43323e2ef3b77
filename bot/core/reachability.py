"""What platforms say about whether a person can be reached: blocked the bot (stop sending), or back."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from bot.storage import users
from bot.storage.db import Database

logger = logging.getLogger(__name__)


class PlatformReports:
    """Records a block (as a 403 on sending would) or an unblock, for a person the bot knows."""

    def __init__(self, database: Database, clock: Callable[[], datetime]) -> None:
        self.database = database
        self.clock = clock

    def reachable(self, channel: str, external_id: str, reachable: bool) -> None:
        """Mark the person reachable again, or unreachable with everything pending for them cancelled."""
        with self.database.session() as session:
            user = users.find(session, channel, external_id)
            if user is None:
                return
            if reachable:
                users.mark_reachable(session, user, self.clock())
            else:
                users.mark_unreachable(session, user.id, self.clock())
            logger.info("user=%s %s", user.id, "reachable again" if reachable else "blocked the bot")
