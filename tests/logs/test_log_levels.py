"""``MENTOR_LOG_LEVEL`` holds in a real ``mentor`` process, after the model has loaded (loading it used to
reset the root logger to WARNING), and no level shows the message or its phone number."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.settings import ROOT

pytestmark = pytest.mark.model
MENTOR = str(Path(sys.executable).with_name("mentor"))
MESSAGE = "kangaroo-words-71 quels documents pour le visa, mon numéro est +212 661 734 905"


def _ask(level: str, tmp_path: Path) -> str:
    env = dict(os.environ, MENTOR_LOG_LEVEL=level, MENTOR_DATABASE_URL=f"sqlite:///{tmp_path / 'l.db'}")
    done = subprocess.run(
        [MENTOR, "ask", "--json", MESSAGE],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stderr


@pytest.mark.parametrize("level", ["INFO", "DEBUG"])
def test_the_level_holds_after_the_model_loads_and_shows_no_text(level: str, tmp_path: Path) -> None:
    log = _ask(level, tmp_path)
    assert " INFO bot.core.conversation: turn user=" in log  # written after the model loaded
    assert (" DEBUG " in log) is (level == "DEBUG")
    for private in ("kangaroo-words-71", "documents pour le visa", "661 734 905", "212661734905"):
        assert private not in log


def test_warning_shows_no_info_line(tmp_path: Path) -> None:
    assert " INFO " not in _ask("WARNING", tmp_path)
