"""Broadcasts: drafted by a broadcaster, approved by a different approver, then queued in the outbox.

The console and ``mentor broadcast`` call these methods with the acting ``Staff`` and plain values; each
returns plain dataclasses and refuses bad input with a ``StaffError`` naming the field. Every change writes
an audit row (names and counts, never the text).

- Texts per reply language; French is DESIGN's fallback (``knowledge.model.pick``), so it is required
  unless the segment names only languages that have a text. A warning names how many people get French.
- Up to three buttons, each opening a knowledge topic; the WhatsApp template (a ``broadcast_*`` message of
  ``scheduler/whatsapp_templates.yml``) carries the text outside the 24-hour window.
- Timing: now, one instant (``--at``, in ``zone``, UTC by default), or that wall-clock time in each
  recipient's own zone (``local``). Each row is moved out of quiet hours in the recipient's zone.
- Approving writes one outbox row per person (key ``broadcast:<id>:<user>``); editing after approval holds
  what has not gone until a new approval; cancelling stops what has not gone.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.orm import Session

from bot.actions import say
from bot.channels.whatsapp_templates import TemplatesFile
from bot.settings import REPLY_LANGUAGES, DeliverySettings
from bot.staff import audiences
from bot.staff.accounts import Staff
from bot.staff.broadcast_figures import Figures, read_figures
from bot.staff.broadcast_timing import Timing, parse_timing, zone_times
from bot.staff.errors import StaffError
from bot.storage import audiences as audience_rows
from bot.storage import audit, broadcasts
from bot.storage.broadcast_models import Broadcast
from bot.storage.db import Database
from knowledge.model import FALLBACK_LANGUAGE

MAX_TEXT = 1000  # a WhatsApp template parameter takes 1,024 characters
MAX_NAME = 100
MAX_BUTTONS = 3
KIND_OF_PURPOSE = {"news": "broadcast", "reminders": "notice"}  # the outbox kind, which names the consent
DEFAULT_TEMPLATE = {"news": "broadcast_news", "reminders": "broadcast_notice"}


@dataclass(frozen=True)
class BroadcastView:
    """A broadcast as staff see it (its texts are staff's own, shown escaped by the console)."""

    id: int
    name: str
    segment: str
    purpose: str
    texts: dict[str, str]
    buttons: tuple[str, ...]
    template: str
    timing: str
    send_at: datetime | None
    local_at: str | None
    status: str
    version: int
    drafted_by: str
    approved_by: str | None
    warnings: tuple[str, ...] = ()

    @classmethod
    def of(cls, row: Broadcast, warnings: Sequence[str] = ()) -> BroadcastView:
        return cls(
            row.id, row.name, audiences.written(row.segment), row.purpose, dict(row.texts),
            tuple(row.buttons), row.template, row.timing, row.send_at, row.local_at, row.status, row.version,
            row.drafted_by_email, row.approved_by_email, tuple(warnings),
        )  # fmt: skip


@dataclass(frozen=True)
class Previewed:
    """A broadcast, who it reaches, and how many get the French text because theirs is missing."""

    broadcast: BroadcastView
    audience: audiences.Preview
    fallback: dict[str, int] = field(default_factory=dict)


def _texts(texts: Mapping[str, str]) -> dict[str, str]:
    checked = {}
    for language, text in texts.items():
        if language not in REPLY_LANGUAGES:
            raise StaffError(f"text: {language[:10]!r} is not one of {', '.join(REPLY_LANGUAGES)}")
        if not text.strip():
            raise StaffError(f"text {language}: empty")
        if len(text) > MAX_TEXT or "\x00" in text:
            raise StaffError(f"text {language}: at most {MAX_TEXT} characters ({len(text)} given), no NUL")
        checked[language] = text.strip()
    if not checked:
        raise StaffError("text: write at least one, as LANG=TEXT (fr is the fallback for other languages)")
    return checked


def _fallback_needed(pairs: Mapping[str, list[str]], texts: Mapping[str, str]) -> None:
    languages = pairs.get("language")
    if FALLBACK_LANGUAGE not in texts and not (languages and set(languages) <= set(texts)):
        raise StaffError(
            f"text {FALLBACK_LANGUAGE}: needed, it is what people whose language has no text get "
            f"(or restrict the segment to language={'|'.join(sorted(texts))})"
        )


class Broadcasts:
    """Broadcast services over one database."""

    def __init__(
        self,
        database: Database,
        clock: Callable[[], datetime],
        topics: Collection[str],
        default_language: str,
        delivery: DeliverySettings,
        templates: TemplatesFile | None = None,
    ) -> None:
        self.database = database
        self.clock = clock
        self.topics = topics
        self.default_language = default_language
        self.delivery = delivery
        self.templates = templates or TemplatesFile.load()

    # --- drafting -------------------------------------------------------------------------------------

    def create(
        self,
        by: Staff,
        name: str,
        segment: str | Mapping[str, list[str]],
        texts: Mapping[str, str],
        buttons: Sequence[str] = (),
        template: str | None = None,
        at: str | None = None,
        local: bool = False,
        zone: str = "UTC",
    ) -> BroadcastView:
        """A new draft; nothing is sent before a different approver approves it."""
        _require(by, "broadcaster")
        now = self.clock()
        pairs = audiences.parse(segment) if isinstance(segment, str) else audiences.check(segment)
        purpose = audiences.purpose_of(pairs)
        checked = _texts(texts)
        _fallback_needed(pairs, checked)
        timing = parse_timing(at, local, zone, now, self.delivery.default_timezone)
        row = Broadcast(
            name=self._name(name), segment=pairs, purpose=purpose, texts=checked,
            buttons=self._buttons(buttons), template=self._template(template, purpose),
            timing=timing.kind, send_at=timing.send_at, local_at=timing.local_at, status="draft", version=1,
            drafted_by=by.id, drafted_by_email=by.email, created_at=now, updated_at=now,
        )  # fmt: skip
        with self.database.session() as session:
            audiences.segment(session, pairs, now)  # an unknown cohort is refused now
            session.add(row)
            session.flush()
            audit.record(
                session, by.email, "broadcast.create", "broadcast", row.id, now,
                name=row.name, languages=sorted(checked), segment=sorted(pairs), timing=timing.kind,
            )  # fmt: skip
            return BroadcastView.of(row, self._warnings(session, row, timing))

    def edit(
        self,
        by: Staff,
        broadcast_id: int,
        texts: Mapping[str, str] | None = None,
        name: str | None = None,
        segment: str | Mapping[str, list[str]] | None = None,
        buttons: Sequence[str] | None = None,
        template: str | None = None,
    ) -> BroadcastView:
        """Change a broadcast not cancelled; once approved, what has not gone waits for a new approval."""
        _require(by, "broadcaster")
        now = self.clock()
        with self.database.session() as session:
            row = self._row(session, broadcast_id)
            if row.status == "cancelled":
                raise StaffError(f"broadcast {broadcast_id}: cancelled, it cannot be edited")
            if segment is None:
                pairs = row.segment
            else:
                pairs = audiences.parse(segment) if isinstance(segment, str) else audiences.check(segment)
            new_texts = _texts(texts) if texts is not None else row.texts
            _fallback_needed(pairs, new_texts)
            audiences.segment(session, pairs, now)
            row.segment, row.texts = pairs, new_texts
            row.purpose = audiences.purpose_of(pairs)
            if name is not None:
                row.name = self._name(name)
            if buttons is not None:
                row.buttons = self._buttons(buttons)
            row.template = self._template(template, row.purpose) if template or segment else row.template
            held = 0
            if row.status == "approved":
                held = broadcasts.stop_pending(session, row.id, broadcasts.HELD)
            row.status, row.version, row.updated_at = "draft", row.version + 1, now
            row.approved_by_email = row.approved_at = None
            audit.record(
                session, by.email, "broadcast.edit", "broadcast", row.id, now, version=row.version, held=held
            )
            return BroadcastView.of(row, self._warnings(session, row, Timing.of(row)))

    # --- approval, cancelling ---------------------------------------------------------------------------

    def approve(self, by: Staff, broadcast_id: int) -> tuple[BroadcastView, int]:
        """Approve the current version and queue it for everyone it reaches now; returns how many rows were
        written. Refused (and the refusal audited) when ``by`` drafted it or is not an approver."""
        now = self.clock()
        with self.database.session() as session:
            row = self._row(session, broadcast_id)
            problem = None
            if not by.has("approver"):
                problem = f"{by.email} is not an approver"
            elif row.drafted_by_email == by.email:
                problem = f"{by.email} drafted broadcast {row.id}: a different approver must approve it"
            elif row.status == "cancelled":
                problem = f"broadcast {row.id}: cancelled"
            elif row.status == "approved":
                problem = f"broadcast {row.id}: version {row.version} is already approved"
            if problem is None:
                queued = self._queue(session, row, now)
                row.status, row.approved_by_email, row.approved_at = "approved", by.email, now
                row.approved_version = row.version
                audit.record(
                    session, by.email, "broadcast.approve", "broadcast", row.id, now,
                    version=row.version, queued=queued,
                )  # fmt: skip
                return BroadcastView.of(row), queued
        with self.database.session() as session:  # the refusal is kept even though nothing changed
            audit.record(session, by.email, "broadcast.approve_refused", "broadcast", broadcast_id, now)
        raise StaffError(problem)

    def cancel(self, by: Staff, broadcast_id: int) -> tuple[BroadcastView, int]:
        """Stop what has not gone yet (an approver, or the broadcaster who drafted it); returns how many."""
        now = self.clock()
        with self.database.session() as session:
            row = self._row(session, broadcast_id)
            if not by.has("approver") and row.drafted_by_email != by.email:
                raise StaffError(f"{by.email} is not an approver, nor drafted broadcast {row.id}")
            if row.status == "cancelled":
                raise StaffError(f"broadcast {row.id}: already cancelled")
            stopped = broadcasts.stop_pending(session, row.id, broadcasts.CANCELLED)
            row.status, row.cancelled_at, row.updated_at = "cancelled", now, now
            audit.record(session, by.email, "broadcast.cancel", "broadcast", row.id, now, stopped=stopped)
            return BroadcastView.of(row), stopped

    def _queue(self, session: Session, row: Broadcast, now: datetime) -> int:
        broadcasts.release_held(session, row.id)
        segment = audiences.segment(session, row.segment, now)
        where = audience_rows.eligible(segment, self.default_language)
        zone = audience_rows.zone_of(self.delivery.default_timezone)
        people = audience_rows.zones(session, where, self.delivery.default_timezone)
        due = zone_times(Timing.of(row), people, now, self.delivery)
        content = [say.staff_text(row.texts)]
        if row.buttons:
            content.append(say.buttons(*map(say.topic_button, row.buttons)))
        message = broadcasts.Message(KIND_OF_PURPOSE[row.purpose], row.template, content)
        return broadcasts.queue(session, row.id, where, zone, due, message, now)

    # --- reading ----------------------------------------------------------------------------------------

    def get(self, broadcast_id: int) -> BroadcastView:
        """One broadcast."""
        with self.database.session() as session:
            return BroadcastView.of(self._row(session, broadcast_id))

    def everything(self, limit: int = 100) -> list[BroadcastView]:
        """The newest broadcasts first."""
        with self.database.session() as session:
            return [BroadcastView.of(row) for row in broadcasts.everything(session, limit)]

    def preview(self, broadcast_id: int) -> Previewed:
        """Who it reaches if approved now, and the fallback warning."""
        with self.database.session() as session:
            row = self._row(session, broadcast_id)
            timing = Timing.of(row)
            audience = self._audience(session, row, timing)
            fallback = _fallback(audience, row.texts)
            warnings = self._warnings(session, row, timing, audience)
            return Previewed(BroadcastView.of(row, warnings), audience, fallback)

    def _audience(self, session: Session, row: Broadcast, timing: Timing) -> audiences.Preview:
        now = self.clock()
        when = timing.send_at if timing.send_at and timing.send_at > now else None
        return audiences.preview(session, row.segment, now, self.default_language, row.template, when)

    def figures(self, broadcast_id: int) -> Figures:
        """What became of its messages so far (counts only: the CSV export is ``figures_csv``)."""
        with self.database.session() as session:
            return read_figures(session, self._row(session, broadcast_id))

    # --- checks -----------------------------------------------------------------------------------------

    @staticmethod
    def _row(session: Session, broadcast_id: int) -> Broadcast:
        row = broadcasts.get(session, broadcast_id)
        if row is None:
            raise StaffError(f"broadcast {broadcast_id}: no such broadcast")
        return row

    @staticmethod
    def _name(name: str) -> str:
        name = " ".join(name.split())
        if not name or len(name) > MAX_NAME:
            raise StaffError(f"name: 1 to {MAX_NAME} characters")
        return name

    def _buttons(self, buttons: Sequence[str]) -> list[str]:
        if len(buttons) > MAX_BUTTONS:
            raise StaffError(f"button: at most {MAX_BUTTONS} ({len(buttons)} given)")
        for topic in buttons:
            if topic not in self.topics:
                raise StaffError(f"button: {topic[:40]!r} is not a knowledge topic (see knowledge/entries)")
        if len(set(buttons)) != len(buttons):
            raise StaffError("button: the same topic twice")
        return list(buttons)

    def _template(self, template: str | None, purpose: str) -> str:
        key = template or DEFAULT_TEMPLATE[purpose]
        if not key.startswith("broadcast_") or key not in self.templates.messages:
            choices = sorted(k for k in self.templates.messages if k.startswith("broadcast_"))
            raise StaffError(f"template: {key[:40]!r} is not one of {', '.join(choices)}")
        return key

    def _warnings(
        self, session: Session, row: Broadcast, timing: Timing, audience: audiences.Preview | None = None
    ) -> list[str]:
        audience = audience or self._audience(session, row, timing)
        warnings = []
        fallback = _fallback(audience, row.texts)
        if fallback:
            shown = ", ".join(f"{language} {n}" for language, n in fallback.items())
            warnings.append(
                f"{sum(fallback.values())} people get the French text: no text in their language ({shown})"
            )
        if audience.template_missing_people:
            shown = ", ".join(f"{lang}: {name}" for lang, name in audience.template_missing.items())
            warnings.append(
                f"{audience.template_missing_people} people on WhatsApp are outside the 24-hour window with "
                f"no approved template ({shown}): they will be undeliverable"
            )
        if timing.quiet_note(self.delivery.quiet_hours):
            warnings.append(timing.quiet_note(self.delivery.quiet_hours))
        return warnings


def _fallback(audience: audiences.Preview, texts: Mapping[str, str]) -> dict[str, int]:
    return {language: n for language, n in audience.by_language.items() if language not in texts}


def _require(by: Staff, role: str) -> None:
    if not by.has(role):
        raise StaffError(f"{by.email} is not {'an' if role[0] in 'aeiou' else 'a'} {role}")
