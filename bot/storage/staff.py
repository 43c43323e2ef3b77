"""Staff accounts and one-time invitations."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from bot.storage.staff_models import StaffAccount, StaffInvite


def add(
    session: Session, email: str, password_hash: str, roles: Sequence[str], language: str, now: datetime
) -> StaffAccount:
    """A new account; the caller has checked that the email is free."""
    account = StaffAccount(
        email=email,
        password_hash=password_hash,
        roles=",".join(sorted(set(roles))),
        language=language,
        created_at=now,
        failed_logins=0,
    )
    session.add(account)
    session.flush()
    return account


def by_email(session: Session, email: str) -> StaffAccount | None:
    """The account with this email (emails are stored lower-case)."""
    return session.execute(select(StaffAccount).where(StaffAccount.email == email)).scalar_one_or_none()


def by_id(session: Session, account_id: int) -> StaffAccount | None:
    """The account with this id."""
    return session.get(StaffAccount, account_id)


def everyone(session: Session) -> list[StaffAccount]:
    """Every account, oldest first."""
    return list(session.execute(select(StaffAccount).order_by(StaffAccount.id)).scalars())


def count(session: Session) -> int:
    """How many accounts exist (disabled ones included)."""
    return int(session.execute(select(func.count()).select_from(StaffAccount)).scalar_one())


def add_invite(
    session: Session,
    token_hash: str,
    roles: Sequence[str],
    created_by: int | None,
    now: datetime,
    expires_at: datetime,
) -> StaffInvite:
    """Keep an invitation by the hash of its token."""
    invite = StaffInvite(
        token_hash=token_hash,
        roles=",".join(sorted(set(roles))),
        created_by=created_by,
        created_at=now,
        expires_at=expires_at,
    )
    session.add(invite)
    session.flush()
    return invite


def take_invite(session: Session, token_hash: str, now: datetime) -> StaffInvite | None:
    """The unused, unexpired invitation with this token hash, marked used in the same statement so that two
    requests racing with one link cannot both take it."""
    taken = session.execute(
        update(StaffInvite)
        .where(
            StaffInvite.token_hash == token_hash,
            StaffInvite.used_at.is_(None),
            StaffInvite.expires_at > now,
        )
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    if taken.rowcount != 1:
        return None
    return session.execute(select(StaffInvite).where(StaffInvite.token_hash == token_hash)).scalar_one()
