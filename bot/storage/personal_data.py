"""Everything the bot holds about one person: show it, and delete it for real."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from bot.storage import checklists
from bot.storage.models import (
    RASA_EVENTS,
    Cohort,
    Consent,
    Enrollment,
    HelpRequest,
    OfferedButton,
    OutboxMessage,
    UnansweredQuestion,
    User,
)


def summary(session: Session, user_id: str) -> dict[str, Any]:
    """What is stored about the person, as counts and settings (no message text): read from ``export``."""
    data = export(session, user_id)
    if not data:
        return {}
    profile = data["profile"]
    return {
        "channel": profile["channel"],
        "language": profile["chosen_language"] or profile["reply_language"],
        "country": profile["country"],
        "city": profile["city"],
        "since": profile["first_contact"][:10],
        "consents": {c["purpose"]: c["granted"] for c in data["consents"]},  # the newest decision wins
        "history_events": data["conversation_history_events"],
        "unanswered_questions": len(data["unanswered_questions"]),
    }


def _count(session: Session, where: Any, table: Any) -> int:
    if not session.get_bind().dialect.has_table(session.connection(), table.name):
        return 0
    return int(session.scalar(select(func.count()).select_from(table).where(where)) or 0)


def export(session: Session, user_id: str) -> dict[str, Any]:
    """Everything stored about the person, as plain data they can read and keep."""
    user = session.get(User, user_id)
    if user is None:
        return {}
    consents = session.execute(
        select(Consent).where(Consent.user_id == user_id).order_by(Consent.id)
    ).scalars()
    questions = session.execute(
        select(UnansweredQuestion)
        .where(UnansweredQuestion.user_id == user_id)
        .order_by(UnansweredQuestion.id)
    ).scalars()
    return {
        "profile": {
            "channel": user.channel,
            "chosen_language": user.chosen_language,
            "reply_language": user.reply_language,
            "detected_variety": user.variety,
            "country": user.country,
            "city": user.city,
            "came_from": user.source,
            "timezone": user.timezone,
            "first_contact": user.created_at.isoformat(),
            "last_contact": user.last_seen_at.isoformat(),
        },
        "consents": [{"purpose": c.purpose, "granted": c.granted, "at": c.at.isoformat()} for c in consents],
        "unanswered_questions": [{"text": q.text, "at": q.at.isoformat()} for q in questions],
        "cohorts": list(
            session.execute(
                select(Cohort.code)
                .join(Enrollment, Enrollment.cohort_id == Cohort.id)
                .where(Enrollment.user_id == user_id)
            ).scalars()
        ),
        "planned_messages": [
            {"message": m.message_key, "due": m.not_before.isoformat(), "status": m.status}
            for m in session.execute(
                select(OutboxMessage)
                .where(OutboxMessage.user_id == user_id)
                .order_by(OutboxMessage.not_before)
            ).scalars()
        ],
        "help_requests": [
            {"step": h.step, "at": h.at.isoformat()}
            for h in session.execute(select(HelpRequest).where(HelpRequest.user_id == user_id)).scalars()
        ],
        "conversation_history_events": _count(session, RASA_EVENTS.c.sender_id == user_id, RASA_EVENTS),
        "eligibility_checklist": checklists.export(session, user_id),
    }


def forget(session: Session, user_id: str) -> None:
    """Delete the profile, consents, cohorts joined, messages planned, buttons offered, help requests,
    unanswered questions, the saved eligibility checklist and the conversation history."""
    checklists.forget(session, user_id)
    for table in (UnansweredQuestion, OutboxMessage, Enrollment, HelpRequest, OfferedButton):
        session.execute(delete(table).where(table.user_id == user_id))
    session.execute(delete(Consent).where(Consent.user_id == user_id))
    session.execute(delete(User).where(User.id == user_id))
    if session.get_bind().dialect.has_table(session.connection(), RASA_EVENTS.name):
        session.execute(delete(RASA_EVENTS).where(RASA_EVENTS.c.sender_id == user_id))
