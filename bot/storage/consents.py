"""Consent per purpose, with the time it was given or withdrawn (append-only history).

The newest decision per purpose is in force. Withdrawing one cancels what is pending for it at once (with the
reason, for ``mentor outbox status``); giving it again puts back what that cancelled and is still to come.
The dispatcher checks the decision again when it sends (``in_force``): a row planned before a withdrawal, or
for someone who never said yes where a yes is needed, is cancelled then.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.storage import outbox
from bot.storage.models import Consent

PURPOSES = ("reminders", "news")


def withdrawn(purpose: str) -> str:
    """The reason on a row cancelled because the person withdrew consent to its purpose."""
    return f"the person withdrew consent to {purpose}"


def not_given(purpose: str) -> str:
    """The reason on a row cancelled because the person never said yes where a yes is needed."""
    return f"the person has not opted in to {purpose}"


def in_force(purpose: str, decision: bool | None, opt_in_required: bool) -> bool:
    """Whether proactive messages of ``purpose`` may go to someone whose decision in force is ``decision``
    (None: undecided). A decision is kept; undecided is a yes only to reminders on a channel that does not
    require opt-in (joining a cohort is asking for its reminders). News always needs a yes, and so does
    everything on WhatsApp, where Meta requires the person's opt-in."""
    if decision is not None:
        return decision
    return purpose == "reminders" and not opt_in_required


def record(
    session: Session, user_id: str, purpose: str, granted: bool, now: datetime, cancel: bool = True
) -> Consent:
    """Record a decision; the newest decision per purpose is the one in force. A withdrawal cancels what is
    pending for the purpose (unless ``cancel`` is False: ``/stop`` cancels everything itself); a yes puts
    back what an earlier withdrawal, or the missing opt-in, had cancelled and is still to come."""
    if purpose not in PURPOSES:
        raise ValueError(f"unknown consent purpose {purpose!r}")
    consent = Consent(user_id=user_id, purpose=purpose, granted=granted, at=now)
    session.add(consent)
    session.flush()
    if granted:
        for reason in (withdrawn(purpose), not_given(purpose)):
            outbox.resume(session, user_id, now, reason)
    elif cancel:
        kinds = [kind for kind, needs in outbox.PURPOSE_OF_KIND.items() if needs == purpose]
        outbox.cancel_pending(session, user_id, withdrawn(purpose), kinds)
    return consent


def current(session: Session, user_id: str) -> dict[str, Consent]:
    """The decision in force for each purpose the person has decided on."""
    rows = session.execute(
        select(Consent).where(Consent.user_id == user_id).order_by(Consent.at, Consent.id)
    ).scalars()
    return {row.purpose: row for row in rows}


def latest_decisions(
    session: Session, purpose: str, user_ids: Sequence[str] | None = None
) -> dict[str, bool]:
    """Each person's decision in force for ``purpose`` (of ``user_ids`` when given); no entry: undecided."""
    query = select(Consent.user_id, Consent.granted).where(Consent.purpose == purpose)
    if user_ids is not None:
        query = query.where(Consent.user_id.in_(user_ids))
    return dict(session.execute(query.order_by(Consent.at, Consent.id)).all())  # the newest wins


def withdraw_all(session: Session, user_id: str, now: datetime) -> None:
    """Withdraw every purpose at once (``/stop``, which cancels what is pending with its own reason)."""
    for purpose in PURPOSES:
        record(session, user_id, purpose, False, now, cancel=False)
