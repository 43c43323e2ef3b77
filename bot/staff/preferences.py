"""What a member of staff changes for themselves: the console's language. Audited like every change."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from bot.staff.accounts import CONSOLE_LANGUAGES, Staff
from bot.staff.errors import StaffError
from bot.storage import audit, staff
from bot.storage.db import Database


class Preferences:
    """Staff members' own settings in one database."""

    def __init__(self, database: Database, clock: Callable[[], datetime]) -> None:
        self.database = database
        self.clock = clock

    def set_language(self, member: Staff, language: str) -> Staff:
        """Change the console language of ``member`` themselves, audited."""
        if language not in CONSOLE_LANGUAGES:
            raise StaffError(f"language: one of {', '.join(CONSOLE_LANGUAGES)}")
        with self.database.session() as session:
            account = staff.by_id(session, member.id)
            if account is None or account.disabled_at is not None:
                raise StaffError("no active staff account")
            if account.language != language:
                before, account.language = account.language, language
                audit.record(
                    session, account.email, "staff.language", "staff", account.id, self.clock(),
                    language=language, was=before,
                )
            return Staff.of(account)
