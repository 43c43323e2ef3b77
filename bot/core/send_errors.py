"""Why sending failed, as values the caller acts on (never by matching message text).

SendError               the platform refused or failed; ``retryable`` says whether to try again,
│                       ``retry_after`` how long to wait when the platform said so
├── ContactUnreachable  the person blocked the bot or left: stop sending to them
├── OutsideServiceWindow  free text is refused now; only an approved template may go
└── WaitUntil           not before ``until`` (a daily limit reached): try again then, nothing else waits
"""

from __future__ import annotations

from datetime import datetime


class SendError(Exception):
    """A message could not be delivered."""

    def __init__(self, reason: str, retryable: bool, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retryable = retryable
        self.retry_after = retry_after


class ContactUnreachable(SendError):
    """The platform will not deliver to this person any more (blocked, deactivated, left)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason, retryable=False)


class OutsideServiceWindow(SendError):
    """The platform only takes an approved template now (WhatsApp's 24 hours since the person last wrote)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason, retryable=False)


class WaitUntil(SendError):
    """This message may go only from ``until`` on (e.g. WhatsApp's daily limit of people reached outside the
    24-hour window); other messages of the channel are not held back."""

    def __init__(self, reason: str, until: datetime) -> None:
        super().__init__(reason, retryable=True)
        self.until = until
