"""Staff accounts as the console and the commands use them: argon2 hashes, one refusal for a wrong email or
password, a lockout that holds across the refusal, roles checked, invitations usable once, every change
audited."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.staff.accounts import LOCKOUT_AFTER, LOCKOUT_FOR, StaffAccounts
from bot.staff.errors import StaffError
from bot.storage.db import Database, make_engine, upgrade_schema
from bot.storage.staff_models import AuditEntry, StaffAccount
from tests.clock import Clock

PASSWORD = "correct horse battery"


@pytest.fixture
def clock() -> Clock:
    return Clock(datetime(2027, 1, 10, 9, 0, tzinfo=timezone.utc))


@pytest.fixture
def accounts(tmp_path: Path, clock: Clock) -> Iterator[StaffAccounts]:
    engine = make_engine(f"sqlite:///{tmp_path / 'staff.db'}")
    upgrade_schema(engine)
    yield StaffAccounts(Database(engine), clock)
    engine.dispose()


def actions(accounts: StaffAccounts) -> list[tuple[str, str, str]]:
    with accounts.database.session() as session:
        rows = session.execute(select(AuditEntry).order_by(AuditEntry.id)).scalars()
        return [(row.actor, row.action, row.object_id) for row in rows]


def test_the_password_is_stored_as_an_argon2_hash_only(accounts: StaffAccounts) -> None:
    accounts.add("Ama@Example.org", ["broadcaster"], PASSWORD, by="cli")
    with accounts.database.session() as session:
        stored = session.execute(select(StaffAccount.email, StaffAccount.password_hash)).one()
    assert stored.email == "ama@example.org"
    assert stored.password_hash.startswith("$argon2id$") and PASSWORD not in stored.password_hash


def test_log_in_with_the_right_password_and_not_with_a_wrong_one(accounts: StaffAccounts) -> None:
    accounts.add("ama@example.org", ["broadcaster"], PASSWORD, by="cli")
    assert accounts.log_in("AMA@example.org", PASSWORD).roles == {"broadcaster"}
    with pytest.raises(StaffError, match="wrong email or password"):
        accounts.log_in("ama@example.org", PASSWORD + "!")
    with pytest.raises(StaffError, match="wrong email or password"):  # the same words: no email oracle
        accounts.log_in("nobody@example.org", PASSWORD)


def test_repeated_failures_lock_the_account_even_against_the_right_password(
    accounts: StaffAccounts, clock: Clock
) -> None:
    accounts.add("ama@example.org", ["approver"], PASSWORD, by="cli")
    for _ in range(LOCKOUT_AFTER):
        with pytest.raises(StaffError, match="wrong"):
            accounts.log_in("ama@example.org", "guess-guess-guess")
    with pytest.raises(StaffError, match="locked"):
        accounts.log_in("ama@example.org", PASSWORD)
    assert ("ama@example.org", "staff.locked", "1") in actions(accounts)
    clock.now += LOCKOUT_FOR + timedelta(seconds=1)
    assert accounts.log_in("ama@example.org", PASSWORD).email == "ama@example.org"


def test_a_disabled_account_cannot_log_in_nor_act(accounts: StaffAccounts) -> None:
    made = accounts.add("ama@example.org", ["approver"], PASSWORD, by="cli")
    accounts.disable("ama@example.org", by="cli")
    with pytest.raises(StaffError):
        accounts.log_in("ama@example.org", PASSWORD)
    with pytest.raises(StaffError, match="no active staff account"):
        accounts.require("ama@example.org", "approver")
    assert accounts.get(made.id) is None


def test_require_names_the_missing_role(accounts: StaffAccounts) -> None:
    accounts.add("ama@example.org", ["broadcaster"], PASSWORD, by="cli")
    assert accounts.require("ama@example.org", "broadcaster").email == "ama@example.org"
    with pytest.raises(StaffError, match="is not an approver"):
        accounts.require("ama@example.org", "approver")


@pytest.mark.parametrize(
    ("email", "roles", "password", "problem"),
    [
        ("not-an-email", ["admin"], PASSWORD, "email"),
        ("a@example.org", ["wizard"], PASSWORD, "role: 'wizard'"),
        ("a@example.org", [], PASSWORD, "role"),
        ("a@example.org", ["admin"], "short", "at least 12"),
        ("a@example.org", ["admin"], "x" * 5000, "at most"),
        ("a" * 300 + "@example.org", ["admin"], PASSWORD, "email"),
    ],
)
def test_bad_accounts_are_refused_naming_the_field(
    accounts: StaffAccounts, email: str, roles: list[str], password: str, problem: str
) -> None:
    with pytest.raises(StaffError, match=problem):
        accounts.add(email, roles, password, by="cli")
    assert not accounts.any_exist()


def test_an_invitation_creates_one_account_once(accounts: StaffAccounts, clock: Clock) -> None:
    token = accounts.invite(["admin"], by=None)
    with pytest.raises(StaffError, match="at least 12"):  # a refused form leaves the link usable
        accounts.accept_invite(token, "first@example.org", "short")
    first = accounts.accept_invite(token, "first@example.org", PASSWORD)
    assert first.roles == {"admin"}
    with pytest.raises(StaffError, match="used, expired or unknown"):
        accounts.accept_invite(token, "second@example.org", PASSWORD)
    late = accounts.invite(["mentor"], by=first)
    clock.now += timedelta(days=2)
    with pytest.raises(StaffError, match="used, expired or unknown"):
        accounts.accept_invite(late, "late@example.org", PASSWORD)
    assert [a for _, a, _ in actions(accounts)] == ["staff.invite", "staff.add", "staff.invite"]
