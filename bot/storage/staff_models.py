"""Tables of the staff side: accounts, one-time invitations and the audit log.

They live apart from ``models`` (the people the bot serves) so that neither module grows past a screenful
of tables; both share one ``Base`` and one Alembic history.
"""

from __future__ import annotations

from sqlalchemy import JSON, Column, ForeignKey, Index, Integer, String

from bot.storage.models import Base, UTCDateTime

ROLES = ("admin", "broadcaster", "approver", "mentor", "curator")


class StaffAccount(Base):
    """A member of staff. ``roles`` is a comma-separated subset of ``ROLES``; ``language`` the console's
    language for them (fr, it, en, ar). Failed logins in a row lock the account until ``locked_until``."""

    __tablename__ = "staff_accounts"

    id = Column(Integer, primary_key=True, autoincrement=True)
    email = Column(String(254), nullable=False, unique=True)
    password_hash = Column(String(255), nullable=False)
    roles = Column(String(128), nullable=False)
    language = Column(String(2), nullable=False, default="en")
    created_at = Column(UTCDateTime, nullable=False)
    disabled_at = Column(UTCDateTime)
    failed_logins = Column(Integer, nullable=False, default=0)
    locked_until = Column(UTCDateTime)

    @property
    def role_set(self) -> frozenset[str]:
        """The roles as a set."""
        return frozenset(filter(None, self.roles.split(",")))


class StaffInvite(Base):
    """A one-time link that creates an account with the given roles; only a hash of its token is kept."""

    __tablename__ = "staff_invites"

    id = Column(Integer, primary_key=True, autoincrement=True)
    token_hash = Column(String(64), nullable=False, unique=True)
    roles = Column(String(128), nullable=False)
    created_by = Column(Integer, ForeignKey("staff_accounts.id", ondelete="SET NULL"))
    created_at = Column(UTCDateTime, nullable=False)
    expires_at = Column(UTCDateTime, nullable=False)
    used_at = Column(UTCDateTime)


class AuditEntry(Base):
    """One staff action: who (an email, or ``system``), what, on which object, and when. ``detail`` holds
    names and counts, never a person's message text or phone number."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_at", "at"),)

    id = Column(Integer, primary_key=True, autoincrement=True)
    at = Column(UTCDateTime, nullable=False)
    actor = Column(String(254), nullable=False)
    action = Column(String(64), nullable=False)
    object_type = Column(String(32), nullable=False)
    object_id = Column(String(64), nullable=False)
    detail = Column(JSON, nullable=False, default=dict)
