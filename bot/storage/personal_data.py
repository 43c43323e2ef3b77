"""Everything the bot holds about one person: show it, and delete it for real."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from bot.storage import checklists, tickets
from bot.storage.broadcast_models import BroadcastRecipient, Campaign, CampaignContact
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
from bot.storage.review_models import QuestionFlag, ReviewOutcome


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
        "examples_not_yet_reviewed": [
            {"text": r.example, "topic_intent": r.intent, "at": r.at.isoformat()}
            for r in session.execute(
                select(ReviewOutcome)
                .where(ReviewOutcome.user_id == user_id, ReviewOutcome.example.is_not(None))
                .order_by(ReviewOutcome.id)
            ).scalars()
        ],
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
        "tickets": tickets.export(session, user_id),
        "conversation_history_events": _count(session, RASA_EVENTS.c.sender_id == user_id, RASA_EVENTS),
        "broadcasts_queued": list(
            session.execute(
                select(BroadcastRecipient.broadcast_id).where(BroadcastRecipient.user_id == user_id)
            ).scalars()
        ),
        "campaigns_arrived_through": [
            {"campaign": code, "at": at.isoformat()}
            for code, at in session.execute(
                select(Campaign.code, CampaignContact.at)
                .join(CampaignContact, CampaignContact.campaign_id == Campaign.id)
                .where(CampaignContact.user_id == user_id)
            )
        ],
        "eligibility_checklist": checklists.export(session, user_id),
    }


def forget(session: Session, user_id: str) -> None:
    """Delete the profile, consents, cohorts joined, messages planned (broadcasts included), campaigns
    arrived through, buttons offered, tickets and their messages, help requests, unanswered questions (with
    their flags and the examples made of them, not yet reviewed), the saved eligibility checklist and the
    conversation history."""
    tickets.forget(session, user_id)
    checklists.forget(session, user_id)
    theirs = select(UnansweredQuestion.id).where(UnansweredQuestion.user_id == user_id)
    session.execute(
        delete(QuestionFlag).where(QuestionFlag.question_id.in_(theirs)),
        execution_options={"synchronize_session": False},
    )
    for table in (
        ReviewOutcome, UnansweredQuestion, BroadcastRecipient, CampaignContact, OutboxMessage, Enrollment,
        HelpRequest, OfferedButton,
    ):  # fmt: skip
        session.execute(delete(table).where(table.user_id == user_id))
    session.execute(delete(Consent).where(Consent.user_id == user_id))
    session.execute(delete(User).where(User.id == user_id))
    if session.get_bind().dialect.has_table(session.connection(), RASA_EVENTS.name):
        session.execute(delete(RASA_EVENTS).where(RASA_EVENTS.c.sender_id == user_id))
