"""The review loop: what the bot could not answer, grouped across languages, and what curators decide.

The console and ``mentor review`` call these functions with the acting ``Staff``; each decision is audited
(counts and ids only, never a question's text). Groups are computed when asked (``bot.staff.similarity``);
a group is named by the id of its oldest question, and a decision recomputes the groups and acts on the one
with that id, so a group that grew since it was listed is decided whole.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy.orm import Session

from bot.settings import ROOT
from bot.staff import review_files
from bot.staff.accounts import Staff
from bot.staff.errors import StaffError
from bot.staff.masking import mask
from bot.staff.similarity import Understanding, clusters, similarity
from bot.storage import audit, review
from bot.storage.db import Database
from bot.storage.review import OpenQuestion
from bot.storage.review_models import ReviewOutcome
from knowledge.topics import TOPIC_BY_INTENT, intent_for_topic
from nlu.language.varieties import VARIETIES

FALLBACK_THRESHOLD = 0.45  # config.yml's FallbackClassifier: below it the bot said it was unsure
EXAMPLES_SHOWN = 5


@dataclass(frozen=True)
class Question:
    """One question as a curator sees it: masked, with what the bot thought and why it is listed."""

    id: int
    text: str
    variety: str | None
    intent: str | None
    confidence: float | None
    reason: str  # fallback, low confidence, wrong
    at: datetime


@dataclass(frozen=True)
class Group:
    """Questions alike across languages. ``id`` is the id of its oldest question."""

    id: int
    count: int
    varieties: dict[str, int]
    closest_intent: str | None
    reasons: dict[str, int]
    questions: tuple[Question, ...]

    @property
    def examples(self) -> tuple[Question, ...]:
        """A few questions to show, one per variety first."""
        first = {q.variety: q for q in reversed(self.questions)}
        shown = list(first.values()) + [q for q in self.questions if q not in first.values()]
        return tuple(shown[:EXAMPLES_SHOWN])


@dataclass(frozen=True)
class Decision:
    """What a decision did: the group, the outcome, and the examples written per variety (assign), the
    examples left out because they already exist (``skipped``), or the draft's path."""

    group: int
    outcome: str
    questions: int
    topic: str | None = None
    written: dict[str, int] | None = None
    skipped: int = 0
    draft: Path | None = None


@dataclass(frozen=True)
class Export:
    """The reviewed files ``export`` wrote and how many examples they gained."""

    files: tuple[Path, ...]
    added: int


def _reason(question: OpenQuestion) -> str:
    """Why the question is listed: flagged wrong, taken for out of scope, or the fallback (unsure)."""
    if question.flag:
        return question.flag
    if question.intent == "out_of_scope":
        return "out of scope"
    if question.confidence is not None and question.confidence >= FALLBACK_THRESHOLD:
        return "low confidence"
    return "fallback"


def _require_curator(by: Staff) -> None:
    if not by.has("curator"):
        raise StaffError(f"by: {by.email} is not a curator")


def topic_intent(topic: str) -> str:
    """The intent that answers ``topic`` (an id such as ``art27.permit``, or its intent name)."""
    intent = topic if topic in TOPIC_BY_INTENT else intent_for_topic(topic)
    if intent not in TOPIC_BY_INTENT:
        raise StaffError(f"topic: {topic[:60]!r} is not a topic id (such as art27.permit, apply.how)")
    return intent


class ReviewService:
    """Groups and decisions over one database, writing files under ``root`` (the repository)."""

    def __init__(
        self,
        database: Database,
        clock: Callable[[], datetime],
        understanding: Callable[[], Understanding],
        root: Path = ROOT,
    ) -> None:
        self.database = database
        self.clock = clock
        self._understanding_factory = understanding
        self._understanding: Understanding | None = None
        self.root = root

    def understanding(self) -> Understanding:
        """The model's understanding, loaded at first use."""
        if self._understanding is None:
            self._understanding = self._understanding_factory()
        return self._understanding

    def groups(self) -> list[Group]:
        """The open questions, grouped, largest group first."""
        with self.database.session() as session:
            found = review.open_questions(session)
        return self._group(found)

    def _group(self, found: list[OpenQuestion]) -> list[Group]:
        if not found:
            return []
        masked = [mask(q.text) for q in found]
        rankings = self.understanding()(masked)
        result = []
        for members in clusters(similarity(masked, rankings)):
            questions = tuple(
                Question(
                    found[i].id, masked[i], found[i].variety, found[i].intent, found[i].confidence,
                    _reason(found[i]), found[i].at,
                )
                for i in members
            )
            intents = Counter(q.intent for q in questions if q.intent)
            result.append(
                Group(
                    id=min(q.id for q in questions),
                    count=len(questions),
                    varieties=dict(Counter(q.variety or "unknown" for q in questions).most_common()),
                    closest_intent=intents.most_common(1)[0][0] if intents else None,
                    reasons=dict(Counter(q.reason for q in questions).most_common()),
                    questions=questions,
                )
            )
        return result

    def _open_group(self, group_id: int) -> tuple[Group, list[OpenQuestion]]:
        with self.database.session() as session:
            found = review.open_questions(session)
        for group in self._group(found):
            if group.id == group_id:
                ids = {q.id for q in group.questions}
                return group, [q for q in found if q.id in ids]
        raise StaffError(f"group: no open group {group_id} (see `mentor review list`)")

    def assign(self, by: Staff, group_id: int, topic: str) -> Decision:
        """Turn the group's questions into training examples of ``topic``, each in its variety."""
        _require_curator(by)
        intent = topic_intent(topic)
        group, members = self._open_group(group_id)
        now = self.clock()
        known = review_files.known_examples(self.root)
        written: Counter[str] = Counter()
        skipped = 0
        with self.database.session() as session:
            taken = {r.example.lower() for r in review.pending_examples(session) if r.example}
            for question in members:
                line = review_files.training_text(mask(question.text))
                usable = question.variety in VARIETIES and line and line.lower() not in known
                if usable and line.lower() not in taken:
                    review.decide(session, question, "assigned", by.email, now, intent, line)
                    taken.add(line.lower())
                    written[str(question.variety)] += 1
                else:
                    review.decide(session, question, "assigned", by.email, now, intent)
                    skipped += 1
            self._write_pending(session)
            audit.record(
                session, by.email, "review.assign", "review_group", group_id, now,
                topic=TOPIC_BY_INTENT[intent], questions=len(members), examples=sum(written.values()),
            )
        return Decision(group_id, "assigned", len(members), TOPIC_BY_INTENT[intent], dict(written), skipped)

    def out_of_scope(self, by: Staff, group_id: int) -> Decision:
        """Mark the group as something the bot is not meant to answer."""
        _require_curator(by)
        group, members = self._open_group(group_id)
        now = self.clock()
        with self.database.session() as session:
            for question in members:
                review.decide(session, question, "out_of_scope", by.email, now)
            audit.record(
                session, by.email, "review.out_of_scope", "review_group", group_id, now,
                questions=len(members),
            )
        return Decision(group_id, "out_of_scope", len(members))

    def draft(self, by: Staff, group_id: int) -> Decision:
        """Start a draft knowledge entry from the group (``knowledge/drafts/``, not live)."""
        _require_curator(by)
        group, members = self._open_group(group_id)
        now = self.clock()
        asked = [(q.variety or "unknown", q.text) for q in group.questions]
        path = review_files.write_draft(self.root, f"group-{group_id}", now.date(), asked)
        with self.database.session() as session:
            for question in members:
                review.decide(session, question, "draft", by.email, now)
            audit.record(
                session, by.email, "review.draft", "review_group", group_id, now,
                questions=len(members), draft=path.name,
            )
        return Decision(group_id, "draft", len(members), draft=path)

    def export(self, destination: Path | None = None) -> Export:
        """Write the reviewed files with every pending example merged in, under ``destination`` (default: the
        repository itself, where ``git diff nlu/reviewed`` shows the change to commit)."""
        target = destination or self.root
        now = self.clock()
        files, added = [], 0
        with self.database.session() as session:
            rows = review.pending_examples(session)
            pending = _by_variety(rows)
            for variety in VARIETIES:
                merged = review_files.read_examples(review_files.reviewed_path(self.root, variety))
                before = sum(len(set(v)) for v in merged.values())
                for intent, texts in pending.get(variety, {}).items():
                    merged.setdefault(intent, []).extend(texts)
                after = sum(len({t.lower() for t in v}) for v in merged.values())
                path = review_files.reviewed_path(target, variety)
                if after > before or (target != self.root and after):
                    review_files.write_or_remove(path, merged)
                    files.append(path)
                    added += after - before
            review.mark_exported(session, rows, now)
            if target == self.root:
                self._write_pending(session)
        return Export(tuple(files), added)

    def _write_pending(self, session: Session) -> list[Path]:
        return _write_pending(session, self.root)


def rewrite_pending(database: Database, root: Path = ROOT) -> list[Path]:
    """Rewrite the pending files from the database: after delete-my-data (the person's examples leave the
    file with their rows) and before training (the model learns only what the database still holds)."""
    with database.session() as session:
        return _write_pending(session, root)


def _write_pending(session: Session, root: Path) -> list[Path]:
    return review_files.write_pending(root, _by_variety(review.pending_examples(session)))


def _by_variety(rows: list[ReviewOutcome]) -> dict[str, dict[str, list[str]]]:
    pending: dict[str, dict[str, list[str]]] = {}
    for row in rows:
        if row.variety in VARIETIES and row.example:
            pending.setdefault(row.variety, {}).setdefault(row.intent, []).append(row.example)
    return pending
