"""A broadcast's live figures, and their CSV export: counts only, never a person.

``sent`` counts rows the platform accepted; ``delivered`` and ``read`` what WhatsApp reported of them
(Telegram reports neither); a row accepted and later reported failed counts in ``sent`` and under
``failed`` with Meta's reason. ``per_minute`` is sends per UTC minute; ``replies`` people who wrote to the
bot after the broadcast reached them.
"""

from __future__ import annotations

import csv
import io
from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy.orm import Session

from bot.storage import broadcasts
from bot.storage.broadcast_models import Broadcast


@dataclass(frozen=True)
class Figures:
    """What became of a broadcast's messages, in counts only (safe to export)."""

    id: int
    name: str
    status: str
    recipients: int
    queued: int
    sent: int
    delivered: int
    read: int
    failed: dict[str, int]
    undeliverable: dict[str, int]
    cancelled: dict[str, int]
    replies: int
    per_minute: dict[str, int]
    by_channel: dict[str, dict[str, int]]

    def as_dict(self) -> dict[str, Any]:
        """Plain data for ``--json`` and the console's live updates."""
        return asdict(self)


def read_figures(session: Session, row: Broadcast) -> Figures:
    """The figures of one broadcast as the outbox has them now."""
    counts = broadcasts.counts(session, row.id)
    states = counts.states

    def reasons(state: str) -> dict[str, int]:
        return {why: n for (s, why), n in sorted(counts.reasons.items()) if s == state}

    by_channel: dict[str, dict[str, int]] = {}
    for (channel, state), n in sorted(counts.by_channel.items()):
        by_channel.setdefault(channel, {})[state] = n
    return Figures(
        row.id, row.name, row.status, sum(states.values()),
        queued=states.get("pending", 0) + states.get("sending", 0), sent=states.get("sent", 0),
        delivered=counts.delivery.get("delivered", 0) + counts.delivery.get("read", 0),
        read=counts.delivery.get("read", 0), failed=reasons("failed"),
        undeliverable=reasons("undeliverable"), cancelled=reasons("cancelled"), replies=counts.replies,
        per_minute=counts.per_minute, by_channel=by_channel,
    )  # fmt: skip


def figures_csv(figures: Figures) -> str:
    """The figures as CSV rows ``figure,detail,count``: totals, reasons, channels and sends per minute."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["figure", "detail", "count"])
    for name in ("recipients", "queued", "sent", "delivered", "read", "replies"):
        writer.writerow([name, "", getattr(figures, name)])
    for name in ("failed", "undeliverable", "cancelled"):
        for reason, n in getattr(figures, name).items():
            writer.writerow([name, reason, n])
    for channel, states in figures.by_channel.items():
        for state, n in states.items():
            writer.writerow([f"{channel}", state, n])
    for minute, n in figures.per_minute.items():
        writer.writerow(["sent_per_minute", f"{minute} UTC", n])
    return out.getvalue()
