"""Staff accounts: add, list, disable, log in with a lockout, check a role, and one-time invitations.

The console and the ``mentor staff`` commands both call these functions; every change writes an audit row.
Passwords are hashed with argon2 (argon2-cffi's defaults, RFC 9106's low-memory profile); an unknown email
costs the same hash as a known one, so the login form does not tell which emails exist.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy.orm import Session

from bot.staff.errors import StaffError
from bot.storage import audit, staff
from bot.storage.db import Database
from bot.storage.staff_models import ROLES, StaffAccount

CONSOLE_LANGUAGES = ("fr", "it", "en", "ar")
MIN_PASSWORD = 12
MAX_PASSWORD = 1024
LOCKOUT_AFTER = 5  # failed logins in a row
LOCKOUT_FOR = timedelta(minutes=15)
INVITE_VALID_FOR = timedelta(hours=24)
EMAIL = re.compile(r"[^@\s]{1,64}@[A-Za-z0-9.-]{1,189}\.[A-Za-z]{2,24}")
CLI_ACTOR = "cli"  # the operator at the server's terminal

_hasher = PasswordHasher()
_UNKNOWN = _hasher.hash(secrets.token_urlsafe(16))  # verified against when the email is unknown


@dataclass(frozen=True)
class Staff:
    """A member of staff as the console and the commands see them (no hash, no session state)."""

    id: int
    email: str
    roles: frozenset[str]
    language: str

    @classmethod
    def of(cls, account: StaffAccount) -> Staff:
        return cls(account.id, account.email, account.role_set, account.language)

    def has(self, role: str) -> bool:
        """Whether they hold ``role``."""
        return role in self.roles


def parse_roles(text: str | Iterable[str]) -> list[str]:
    """``broadcaster,approver`` → the roles; ``StaffError`` naming an unknown one."""
    roles = [r.strip() for r in (text.split(",") if isinstance(text, str) else text) if r.strip()]
    unknown = [r for r in roles if r not in ROLES]
    if not roles or unknown:
        shown = ", ".join(repr(r[:20]) for r in unknown) or "none"
        raise StaffError(f"role: {shown} is not one of {', '.join(ROLES)}")
    return roles


def check_email(text: str) -> str:
    """The email, lower-case; ``StaffError`` when it cannot be one."""
    email = text.strip().lower()
    if len(email) > 254 or not EMAIL.fullmatch(email):
        raise StaffError(f"email: {text[:60]!r} is not an email address")
    return email


def check_password(password: str) -> str:
    """The password when long enough and not absurd."""
    if len(password) < MIN_PASSWORD:
        raise StaffError(f"password: at least {MIN_PASSWORD} characters")
    if len(password) > MAX_PASSWORD or "\x00" in password:
        raise StaffError(f"password: at most {MAX_PASSWORD} characters, no NUL")
    return password


def token_hash(token: str) -> str:
    """What is stored of an invitation token."""
    return hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()


class StaffAccounts:
    """The accounts in one database."""

    def __init__(self, database: Database, clock: Callable[[], datetime]) -> None:
        self.database = database
        self.clock = clock

    def add(self, email: str, roles: Iterable[str], password: str, by: str, language: str = "en") -> Staff:
        """A new account; refused when the email is taken."""
        with self.database.session() as session:
            return self._add(session, email, roles, password, by, language)

    def _add(
        self, session: Session, email: str, roles: Iterable[str], password: str, by: str, language: str
    ) -> Staff:
        email, roles = check_email(email), parse_roles(roles)
        if language not in CONSOLE_LANGUAGES:
            raise StaffError(f"language: one of {', '.join(CONSOLE_LANGUAGES)}")
        hashed = _hasher.hash(check_password(password))
        if staff.by_email(session, email) is not None:
            raise StaffError(f"{email}: an account with this email exists")
        now = self.clock()
        account = staff.add(session, email, hashed, roles, language, now)
        audit.record(session, by, "staff.add", "staff", account.id, now, roles=sorted(roles))
        return Staff.of(account)

    def everyone(self) -> list[tuple[Staff, str]]:
        """Every account with its state: active, disabled or locked."""
        now = self.clock()
        with self.database.session() as session:
            return [(Staff.of(a), _state(a, now)) for a in staff.everyone(session)]

    def disable(self, email: str, by: str) -> Staff:
        """The account can no longer log in; its audit rows stay."""
        now = self.clock()
        with self.database.session() as session:
            account = self._account(session, email)
            if account.disabled_at is None:
                account.disabled_at = now
                audit.record(session, by, "staff.disable", "staff", account.id, now)
            return Staff.of(account)

    def log_in(self, email: str, password: str) -> Staff:
        """The member of staff when the password is right; ``StaffError`` (one message for a wrong email or
        password) otherwise. ``LOCKOUT_AFTER`` failures in a row lock the account for ``LOCKOUT_FOR``; the
        count is committed before the refusal is raised."""
        now = self.clock()
        with self.database.session() as session:
            account = staff.by_email(session, email.strip().lower()[:254])
            if account is None:
                _verify(_UNKNOWN, password)
                problem = "wrong email or password"
            elif account.locked_until is not None and account.locked_until > now:
                problem = f"locked after {LOCKOUT_AFTER} failed logins; try again in {LOCKOUT_FOR}"
            elif not _verify(account.password_hash, password) or account.disabled_at is not None:
                account.failed_logins += 1
                if account.failed_logins >= LOCKOUT_AFTER:
                    account.locked_until, account.failed_logins = now + LOCKOUT_FOR, 0
                    audit.record(session, account.email, "staff.locked", "staff", account.id, now)
                problem = "wrong email or password"
            else:
                account.failed_logins, account.locked_until = 0, None
                if _hasher.check_needs_rehash(account.password_hash):
                    account.password_hash = _hasher.hash(password)
                audit.record(session, account.email, "staff.login", "staff", account.id, now)
                return Staff.of(account)
        raise StaffError(problem)

    def get(self, account_id: int) -> Staff | None:
        """The active member of staff with this id (a session cookie names it); None if gone or disabled."""
        with self.database.session() as session:
            account = staff.by_id(session, account_id)
            return None if account is None or account.disabled_at is not None else Staff.of(account)

    def require(self, email: str, role: str) -> Staff:
        """The active member of staff with ``email`` holding ``role``: what ``--by EMAIL`` must name."""
        with self.database.session() as session:
            account = staff.by_email(session, email.strip().lower()[:254])
            if account is None or account.disabled_at is not None:
                raise StaffError(f"{email[:60]}: no active staff account")
            if role not in account.role_set:
                raise StaffError(f"{account.email} is not {'an' if role[0] in 'aeiou' else 'a'} {role}")
            return Staff.of(account)

    def any_exist(self) -> bool:
        """Whether any account exists (when none, ``make console`` prints a first-admin link)."""
        with self.database.session() as session:
            return staff.count(session) > 0

    def invite(self, roles: Iterable[str], by: Staff | None) -> str:
        """A one-time token creating an account with ``roles``; only its hash is stored."""
        roles, token, now = parse_roles(roles), secrets.token_urlsafe(32), self.clock()
        with self.database.session() as session:
            invite = staff.add_invite(
                session, token_hash(token), roles, by and by.id, now, now + INVITE_VALID_FOR
            )
            actor = by.email if by else CLI_ACTOR
            audit.record(session, actor, "staff.invite", "invite", invite.id, now, roles=sorted(roles))
        return token

    def accept_invite(self, token: str, email: str, password: str, language: str = "en") -> Staff:
        """Create the account an invitation allows, in one transaction with taking the invitation (a refused
        email or password leaves the link usable); refused when used, expired or unknown."""
        with self.database.session() as session:
            invite = staff.take_invite(session, token_hash(token), self.clock())
            if invite is None:
                raise StaffError("this link is used, expired or unknown")
            roles = filter(None, invite.roles.split(","))
            return self._add(session, email, roles, password, check_email(email), language)

    @staticmethod
    def _account(session: Session, email: str) -> StaffAccount:
        account = staff.by_email(session, check_email(email))
        if account is None:
            raise StaffError(f"{email[:60]}: no such staff account")
        return account


def _verify(hashed: str, password: str) -> bool:
    try:
        return _hasher.verify(hashed, password[:MAX_PASSWORD])
    except (VerificationError, InvalidHashError):
        return False


def _state(account: StaffAccount, now: datetime) -> str:
    if account.disabled_at is not None:
        return "disabled"
    if account.locked_until is not None and account.locked_until > now:
        return "locked"
    return "active"
