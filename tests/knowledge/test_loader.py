"""The knowledge loader: the real content is valid, and every kind of error names its file and entry."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest

from knowledge import loader
from knowledge.model import REQUIRED_LANGUAGES
from knowledge.topics import TOPICS


def test_the_shipped_knowledge_base_has_no_problems() -> None:
    kb, problems = loader.load(today=date(2026, 11, 22))
    assert [str(p) for p in problems] == []
    assert set(TOPICS) <= set(kb.entries)
    for entry in kb.entries.values():
        assert all(lang in entry.answer for lang in REQUIRED_LANGUAGES)
        assert entry.sources and 2 <= len(entry.related) <= 3


def test_no_shipped_call_is_open_and_mentor2_is_said_to_have_ended() -> None:
    kb, _ = loader.load()
    assert all(call.closes.year <= 2024 for call in kb.calls)
    assert "2024" in kb.entries["programme.about"].answer["en"]


@pytest.fixture
def kb_copy(tmp_path: Path) -> Path:
    root = tmp_path / "knowledge"
    shutil.copytree(loader.KNOWLEDGE_DIR, root, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    return root


def _messages(root: Path, today: date | None = None) -> list[str]:
    return [str(p) for p in loader.load(root, today=today)[1]]


def test_missing_language_and_sources_are_reported_with_file_and_id(kb_copy: Path) -> None:
    path = kb_copy / "entries" / "art27.visa.yml"
    text = path.read_text(encoding="utf-8")
    text = text.replace("\n  it: ", "\n  xx: ", 1)
    text = text[: text.index("sources:")] + "sources: []\n" + text[text.index("checked:") :]
    path.write_text(text, encoding="utf-8")
    problems = _messages(kb_copy)
    assert any(
        "art27.visa.yml" in p and "[art27.visa]" in p and "missing languages: it" in p for p in problems
    )
    assert any("[art27.visa]" in p and "has no sources" in p for p in problems)


def test_an_entry_past_its_recheck_date_is_an_error(kb_copy: Path) -> None:
    problems = _messages(kb_copy, today=date(2031, 1, 1))
    assert any("[art27.documents]" in p and "past its re-check date" in p for p in problems)


def test_bad_yaml_and_unknown_related_ids_are_reported(kb_copy: Path) -> None:
    (kb_copy / "entries" / "art27.permit.yml").write_text("id: art27.permit\ntitle: [unclosed\n")
    path = kb_copy / "entries" / "art27.visa.yml"
    path.write_text(path.read_text(encoding="utf-8").replace("related: [", "related: [no.such.topic, "))
    problems = _messages(kb_copy)
    assert any("art27.permit.yml" in p and "cannot be read as YAML" in p for p in problems)
    assert any("'no.such.topic' is not defined" in p for p in problems)
    assert any("[art27.permit]" in p and "topic has no valid entry" in p for p in problems)


def test_a_call_with_a_bad_date_is_reported(kb_copy: Path) -> None:
    path = kb_copy / "calls.yml"
    path.write_text(path.read_text(encoding="utf-8").replace("closes: 2022-09-09 23:59", "closes: next week"))
    assert any("mentor2-host-companies-2022" in p and "bad call" in p for p in _messages(kb_copy))
