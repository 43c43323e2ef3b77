"""The curators' pages over a real socket: without a trained model the review page says so (and the rest of
the console works); with it, questions about one phrasing in three languages show as one group, masked and
escaped, and the group's forms decide it; the knowledge page lists entries due with their sources, and its
"checked" button moves the entry's dates in a copy of the knowledge files."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import closing
from datetime import datetime, time, timedelta, timezone
from pathlib import Path

import httpx
import pytest

from bot.settings import Settings
from bot.staff import upkeep
from bot.storage import unanswered, users
from knowledge import loader
from tests.console.conftest import PASSWORD, Console, csrf_of, serving

FINGERPRINTS = [
    ("c'est quand la prise des empreintes digitales <script>x</script>", "fr"),
    ("imta ykhdo lia lbasamat, 0661734905", "ary_latn"),
    ("quando prendono le impronte digitali", "it"),
]


def _ask(console: Console, questions: list[tuple[str, str]]) -> None:
    now = console.clock()
    with console.database.session() as session:
        user = users.get_or_create(session, "telegram", "72001", now)
        for text, variety in questions:
            unanswered.record(session, user.id, text, variety, "nlu_fallback", 0.3, now)


def _curator(console: Console) -> tuple[httpx.Client, str]:
    console.accounts.add("cora@example.org", ["curator"], PASSWORD, by="cli")
    client = console.client()
    assert console.log_in(client, "cora@example.org").status_code == 303
    return client, csrf_of(client.get("/console/").text)


@pytest.fixture
def repository(tmp_path: Path) -> Path:
    """A copy of the knowledge files (the upkeep rewrites them) in an otherwise empty repository."""
    root = tmp_path / "repo"
    shutil.copytree(loader.KNOWLEDGE_DIR, root / "knowledge", ignore=shutil.ignore_patterns("__pycache__"))
    return root


def test_without_a_model_the_review_page_says_so(console: Console) -> None:
    _ask(console, FINGERPRINTS)
    cora, token = _curator(console)
    with closing(cora):
        home = cora.get("/console/").text
        assert 'href="/console/review"' in home and 'href="/console/knowledge"' in home
        page = cora.get("/console/review")
        assert page.status_code == 200 and 'id="model-missing"' in page.text
        assert "empreintes" not in page.text
        refused = cora.post("/console/review/1/out-of-scope", data={"csrf": token})
        assert refused.status_code == 409 and 'id="model-missing"' in refused.text
    assert not [a for _, a in console.actions() if a.startswith("review.")]


def test_knowledge_upkeep_lists_due_entries_and_records_a_check(tmp_path: Path, repository: Path) -> None:
    with serving(tmp_path, root=repository) as console:
        soonest = min(e.recheck_by for e in loader.load(repository / "knowledge")[0].entries.values())
        today = soonest + timedelta(days=3)  # the clock just past the first entry's recheck_by
        console.clock.now = datetime.combine(today, time(9), timezone.utc)
        due = upkeep.due(today, upkeep.DUE_WITHIN_DAYS, repository / "knowledge")
        assert due and due[0].days_left == -3
        first = due[0]
        cora, token = _curator(console)
        with closing(cora):
            page = cora.get("/console/knowledge").text
            assert f"<code>{first.id}</code>" in page and first.sources[0].url in page
            assert cora.post("/console/knowledge/checked", data={"entry": first.id}).status_code == 403
            wrong = cora.post("/console/knowledge/checked", data={"csrf": token, "entry": "no.such"})
            assert wrong.status_code == 400 and "is not an entry id" in wrong.text
            done = cora.post("/console/knowledge/checked", data={"csrf": token, "entry": first.id})
            assert done.status_code == 303
            after = cora.get(done.headers["location"]).text
            assert "checked today" in after and f"<code>{first.id}</code>" not in after.split('id="due"')[-1]
        knowledge, _ = loader.load(repository / "knowledge")
        assert knowledge.entries[first.id].checked == today
        assert ("cora@example.org", "kb.checked") in console.actions()
    assert loader.load()[0].entries[first.id].checked == first.checked  # the repository's own file untouched


@pytest.fixture(scope="module")
def model_dir() -> Iterator[Path]:
    model = Settings.from_env({}, dotenv=None).rasa_model
    if not model.exists():
        pytest.skip("no trained model: run `mentor train`")
    yield model.parent


@pytest.mark.model
def test_one_phrasing_in_three_languages_is_one_group_decided_on_the_page(
    tmp_path: Path, repository: Path, model_dir: Path
) -> None:
    with serving(tmp_path, model_dir=model_dir, root=repository) as console:
        _ask(console, [*FINGERPRINTS, ("chkoun rb7 lmatch lbare7", "ary_latn")])
        cora, token = _curator(console)
        with closing(cora):
            page = cora.get("/console/review").text
            assert "Group 1: 3 questions" in page
            assert "0661734905" not in page and "<script>x" not in page and "&lt;script&gt;x" in page
            drafted = cora.post("/console/review/1/draft", data={"csrf": token})
            assert drafted.status_code == 303 and "done=draft&group=1&count=3" in drafted.headers["location"]
            assert "Group 1:" not in cora.get("/console/review").text
            assert list((repository / "knowledge" / "drafts").glob("group-1*"))
            gone = cora.post("/console/review/1/assign", data={"csrf": token, "topic": "art27.permit"})
            assert gone.status_code == 400 and "no open group 1" in gone.text
            ignored = cora.post("/console/review/4/out-of-scope", data={"csrf": token})
            assert ignored.status_code == 303
            assert "No unanswered question" in cora.get("/console/review").text
        assert [a for _, a in console.actions() if a.startswith("review.")] == [
            "review.draft", "review.out_of_scope",
        ]  # fmt: skip
