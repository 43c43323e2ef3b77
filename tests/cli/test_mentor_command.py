"""The ``mentor`` command as people and scripts run it, in a child process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.settings import ROOT

pytestmark = pytest.mark.model
MENTOR = str(Path(sys.executable).with_name("mentor"))
FIELDS = {"text", "language", "intent", "confidence", "topic", "reply_language", "reply", "suggestions"}


def _run(args: list[str], stdin: str = "", tmp_path: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = dict(
        os.environ, MENTOR_DATABASE_URL=f"sqlite:///{tmp_path / 'cli.db'}" if tmp_path else "sqlite://"
    )
    options = {"capture_output": True, "text": True, "env": env, "cwd": ROOT, "timeout": 300, "check": False}
    return subprocess.run([MENTOR, *args], input=stdin, **options)


def test_ask_json_answers_one_message() -> None:
    done = _run(["ask", "--json", "chnowa el wra9 elli lazmin lel visa?"])
    assert done.returncode == 0, done.stderr[-2000:]
    answer = json.loads(done.stdout)
    assert set(answer) == FIELDS
    assert answer["language"] == "aeb_latn" and answer["reply_language"] == "aeb"
    assert answer["topic"].startswith("art27.") and answer["reply"]
    assert answer["suggestions"] == []


def test_ask_json_lists_the_topics_offered_when_unsure() -> None:
    done = _run(["ask", "--json", "je sais pas trop par ou commencer"])
    answer = json.loads(done.stdout)
    assert answer["topic"] == "out_of_scope"
    assert len(answer["suggestions"]) >= 2 and answer["suggestions"][-1] == "contact.human"


def test_ask_reads_one_message_per_line_and_prints_json_lines() -> None:
    lines = ["bonjour", "what is the allowance?", "", "حتى لامتى نقدر نسجل؟", "😀"]
    done = _run(["ask", "--json"], stdin="\n".join(lines) + "\n")
    assert done.returncode == 0, done.stderr[-2000:]
    answers = [json.loads(line) for line in done.stdout.splitlines()]
    assert [a["text"] for a in answers] == lines
    assert answers[1]["topic"] == "art27.allowance" and answers[3]["topic"] == "apply.deadlines"
    assert all(a["reply"] for a in answers)


def test_chat_from_a_pipe_answers_each_line_and_ends(tmp_path: Path) -> None:
    done = _run(["chat"], stdin="bonjour, quels documents faut-il pour le visa ?\n3\n", tmp_path=tmp_path)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "passeport" in done.stdout
    assert done.stdout.count("Mentor:") >= 2
    assert "  1. " in done.stdout


def test_a_bad_setting_names_the_key() -> None:
    env = dict(os.environ, MENTOR_RETENTION_DAYS="soon")
    done = subprocess.run([MENTOR, "kb", "validate"], capture_output=True, text=True, env=env, check=False)
    assert done.returncode == 2 and "MENTOR_RETENTION_DAYS" in done.stderr


def test_kb_validate_reports_a_clean_knowledge_base() -> None:
    done = _run(["kb", "validate"])
    assert done.returncode == 0 and "0 errors" in done.stdout
