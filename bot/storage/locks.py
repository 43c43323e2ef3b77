"""Named leases in the database, so that only one process does a job (sending) against it at a time.

A holder is ``host:pid:nonce``. A lease ends when its holder releases it, when it expires without renewal,
or when its holder is a process on this host that no longer exists (killed, say), so a restart after a
crash does not have to wait for the lease to run out.
"""

from __future__ import annotations

import os
import socket
import uuid
from datetime import datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.storage.models import Lock


def holder_id() -> str:
    """This process's holder id."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def acquire(session: Session, name: str, holder: str, now: datetime, ttl: timedelta) -> str | None:
    """Take the lease; return None on success, or the holder that has it."""
    lock = session.execute(select(Lock).where(Lock.name == name).with_for_update()).scalar_one_or_none()
    if lock is None:
        try:
            with session.begin_nested():
                session.add(Lock(name=name, holder=holder, expires_at=now + ttl))
        except IntegrityError:
            return "another process"
        return None
    if lock.holder != holder and lock.expires_at > now and not _dead_here(lock.holder):
        return lock.holder
    lock.holder = holder
    lock.expires_at = now + ttl
    return None


def renew(session: Session, name: str, holder: str, now: datetime, ttl: timedelta) -> bool:
    """Extend the lease; False when this holder no longer has it."""
    result = session.execute(
        update(Lock).where(Lock.name == name, Lock.holder == holder).values(expires_at=now + ttl)
    )
    return bool(result.rowcount)


def release(session: Session, name: str, holder: str) -> None:
    """Give the lease up."""
    session.execute(delete(Lock).where(Lock.name == name, Lock.holder == holder))


def _dead_here(holder: str) -> bool:
    """Whether ``holder`` was a process on this host that has gone."""
    host, _, rest = holder.partition(":")
    pid = rest.partition(":")[0]
    if host != socket.gethostname() or not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False
