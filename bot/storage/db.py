"""Engine, sessions and schema upgrades for the one database."""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import DBAPIError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import QueuePool

from bot.errors import ConfigError
from bot.settings import DATA_DIR, DATABASE_KEY, check_database_url, sqlite_folder

logger = logging.getLogger(__name__)
MIGRATIONS = Path(__file__).resolve().parent / "migrations"
CHUNK = 1000
CONNECT_TIMEOUT_SECONDS = 10  # an unreachable server is reported after this long, not after minutes
T = TypeVar("T")


def make_engine(database_url: str) -> Engine:
    """Create the engine and connect once, so that a database that cannot be used stops the start with
    ``ConfigError`` naming the setting. An SQLite file gets foreign keys and WAL; its folder is created only
    when it is the default one (var/), since a missing folder elsewhere is more likely a typing mistake."""
    check_database_url(database_url)
    folder = sqlite_folder(database_url)
    if folder is not None and folder.resolve() == DATA_DIR:
        DATA_DIR.mkdir(parents=True, exist_ok=True)
    backend = make_url(database_url).get_backend_name()
    try:
        engine = create_engine(make_url(database_url), future=True, **engine_options(database_url))
    except ImportError as error:
        raise ConfigError(DATABASE_KEY, f"the {backend} driver is not installed ({error.name})") from None
    tune_sqlite(engine)
    try:
        with engine.connect():
            pass
    except DBAPIError as error:
        engine.dispose()
        raise ConfigError(DATABASE_KEY, f"cannot open the {backend} database: {_reason(error)}") from None
    return engine


def _reason(error: DBAPIError) -> str:
    """The driver's first line (libpq and sqlite3 name the host or file, never the password)."""
    lines = str(error.orig).strip().splitlines() or [type(error.orig).__name__]
    return lines[0][:200]


def _sqlite_file(database_url: str) -> bool:
    url = make_url(database_url)
    return url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:")


def engine_options(database_url: str) -> dict[str, Any]:
    """How to pool connections: an SQLite file keeps its connections open, as SQLAlchemy 2.0 does.

    SQLAlchemy 1.4 opens and closes an SQLite file connection for every session, and closing the last one
    checkpoints the write-ahead log: about 0.7 ms each time, several times a turn.
    """
    if _sqlite_file(database_url):
        return {"poolclass": QueuePool, "connect_args": {"check_same_thread": False}}
    if make_url(database_url).get_driver_name() == "psycopg2":
        return {"connect_args": {"connect_timeout": CONNECT_TIMEOUT_SECONDS}}
    return {}


def tune_sqlite(engine: Engine) -> None:
    """On SQLite, every new connection gets foreign keys, WAL, fsync only at checkpoints, and secure
    deletion: deleted rows are overwritten with zeros, not left in free space for anyone to read."""
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)


def _sqlite_pragmas(dbapi_connection: object, _record: object) -> None:
    cursor = dbapi_connection.cursor()  # type: ignore[attr-defined]
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA secure_delete=ON")
    cursor.close()


def checkpoint(engine: Engine) -> bool:
    """Copy the write-ahead log into the database file and empty it (SQLite; elsewhere nothing to do).

    After a deletion the log still holds the pages from before it, with the deleted rows, until the next
    checkpoint; TRUNCATE also cuts the file to zero bytes. Returns False when a reader kept it from finishing.
    """
    if engine.dialect.name != "sqlite":
        return True
    with engine.connect() as connection:
        busy = connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)").scalar()
    if busy:
        logger.warning("the write-ahead log could not be emptied: a reader is busy; the next checkpoint will")
    return not busy


def chunked(items: Sequence[T], size: int = CHUNK) -> Iterator[Sequence[T]]:
    """``items`` in slices of at most ``size``: bulk statements and ``IN (...)`` lists stay within the
    limits of every database."""
    for start in range(0, len(items), size):
        yield items[start : start + size]


def upgrade_schema(engine: Engine) -> None:
    """Bring the schema to the newest Alembic revision."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


class Database:
    """The engine and its session factory; ``session()`` is one unit of work."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._sessions = sessionmaker(bind=engine, future=True, expire_on_commit=False)

    def answers(self) -> bool:
        """Whether the database answers a trivial query now (for ``/healthz``)."""
        try:
            with self.engine.connect() as connection:
                connection.execute(text("SELECT 1"))
        except SQLAlchemyError:
            return False
        return True

    def checkpoint(self) -> bool:
        """Empty the write-ahead log into the file (after a deletion): see ``checkpoint``."""
        return checkpoint(self.engine)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """Yield a session that commits on success and rolls back on error."""
        session = self._sessions()
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()
