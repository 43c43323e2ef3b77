"""``mentor run``'s one web app mounts the console beside the channels' routes and ``/healthz``."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

from starlette.routing import Mount, Route

from bot import app
from bot.channels.registry import Registry
from bot.settings import Secret, Settings
from bot.storage.db import Database, make_engine
from tests.console.conftest import SECRET


def test_the_web_app_of_mentor_run_serves_the_console(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'run.db'}"
    engine = make_engine(url)
    built: Any = SimpleNamespace(
        settings=Settings(database_url=url, model_dir=tmp_path, console_secret=Secret(SECRET)),
        database=Database(engine),
        knowledge=app.load_knowledge(),
    )
    routes = app.web(built, Registry()).routes
    engine.dispose()
    assert [r.path for r in routes if isinstance(r, Route)] == ["/healthz"]
    assert [r.path for r in routes if isinstance(r, Mount)] == ["/console"]
