"""The review loop's service: groups across languages with masked text, and each curator decision written,
audited and refused with the field named; examples not yet reviewed are deleted with the person."""

from __future__ import annotations

import shutil
from collections.abc import Iterator, Mapping, Sequence
from datetime import datetime, timezone
from pathlib import Path

import pytest
import yaml
from sqlalchemy import inspect, select
from sqlalchemy import text as sql

from bot.staff import review_files
from bot.staff.accounts import Staff
from bot.staff.errors import StaffError
from bot.staff.review import ReviewService, rewrite_pending
from bot.storage import personal_data, unanswered, users
from bot.storage.db import Database, make_engine, upgrade_schema
from bot.storage.review_models import ReviewOutcome
from bot.storage.staff_models import AuditEntry
from bot.training import rasa_inputs

NOW = datetime(2027, 1, 10, 9, 0, tzinfo=timezone.utc)
CURATOR = Staff(1, "curator@example.org", frozenset({"curator"}), "en")
MENTOR = Staff(2, "mentor@example.org", frozenset({"mentor"}), "en")
FINGERPRINTS = [
    ("c'est quand la prise des empreintes digitales", "fr"),
    ("imta ykhdo lia lbasamat, 0661734905", "ary_latn"),
    ("quando prendono le impronte digitali", "it"),
]
UNRELATED = [("la météo à rome", "fr"), ("wach n9der nji m3a mrati", "ary_latn")]


def fake_understanding(texts: Sequence[str]) -> list[Mapping[str, float]]:
    """What a model trained on all varieties would say: the fingerprint questions lean the same way."""
    rankings: list[Mapping[str, float]] = []
    for text in texts:
        if any(w in text for w in ("empreintes", "lbasamat", "impronte")):
            rankings.append({"apply_deadlines": 0.5, "art27_permit": 0.3, "nlu_fallback": 0.45})
        elif "météo" in text:
            rankings.append({"out_of_scope": 0.95})
        else:
            rankings.append({"programme_eligibility": 0.4, "contact_human": 0.4})
    return rankings


@pytest.fixture
def database(tmp_path: Path) -> Iterator[Database]:
    engine = make_engine(f"sqlite:///{tmp_path / 'review.db'}")
    upgrade_schema(engine)
    yield Database(engine)
    engine.dispose()


@pytest.fixture
def root(tmp_path: Path) -> Path:
    """A repository with one French training file, so that a known example is recognised."""
    folder = tmp_path / "repo" / "nlu" / "fr"
    folder.mkdir(parents=True)
    (folder / "greet.yml").write_text(
        'version: "3.1"\nnlu:\n- intent: greet\n  examples: |\n    - la météo à rome\n', encoding="utf-8"
    )
    return tmp_path / "repo"


@pytest.fixture
def service(database: Database, root: Path) -> ReviewService:
    return ReviewService(database, lambda: NOW, lambda: fake_understanding, root)


def ask(database: Database, questions: list[tuple[str, str]], person: str = "1") -> str:
    with database.session() as session:
        user = users.get_or_create(session, "telegram", person, NOW)
        for text, variety in questions:
            unanswered.record(session, user.id, text, variety, "apply_deadlines", 0.3, NOW)
        return user.id


def test_questions_about_one_phrasing_group_across_languages_masked(
    database: Database, service: ReviewService
) -> None:
    ask(database, FINGERPRINTS + UNRELATED)
    groups = service.groups()
    first = groups[0]
    assert first.count == 3 and first.varieties == {"fr": 1, "ary_latn": 1, "it": 1}
    assert [g.count for g in groups] == [3, 1, 1]
    shown = " ".join(q.text for q in first.questions)
    assert "0661734905" not in shown and "[phone]" in shown
    assert first.reasons == {"fallback": 3}


def test_assign_writes_masked_examples_per_variety_where_rasa_reads_them(
    database: Database, service: ReviewService, root: Path
) -> None:
    ask(database, FINGERPRINTS + UNRELATED)
    group = service.groups()[0]
    decision = service.assign(CURATOR, group.id, "art27.permit")
    assert decision.written == {"fr": 1, "ary_latn": 1, "it": 1} and decision.skipped == 0
    pending = review_files.read_examples(review_files.pending_path(root, "ary_latn"))
    assert pending == {"art27_permit": ["imta ykhdo lia lbasamat,"]}
    assert review_files.pending_path(root, "it") in rasa_inputs(root)
    assert all(g.id != group.id for g in service.groups()), "a decided group leaves the list"
    with database.session() as session:
        [entry] = session.execute(select(AuditEntry)).scalars()
        assert (entry.actor, entry.action, entry.object_id) == (CURATOR.email, "review.assign", str(group.id))
        assert entry.detail == {"topic": "art27.permit", "questions": 3, "examples": 3}


def test_rasa_loads_the_written_examples_with_their_intent(
    database: Database, service: ReviewService, root: Path
) -> None:
    from rasa.shared.nlu.training_data.loading import load_data

    ask(database, FINGERPRINTS)
    service.assign(CURATOR, service.groups()[0].id, "art27_permit")
    data = load_data(str(review_files.pending_path(root, "it")))
    assert [(m.get("intent"), m.get("text")) for m in data.intent_examples] == [
        ("art27_permit", "quando prendono le impronte digitali")
    ]


def test_an_example_already_in_the_training_data_is_not_written_twice(
    database: Database, service: ReviewService, root: Path
) -> None:
    ask(database, [("la météo à rome", "fr")])
    decision = service.assign(CURATOR, service.groups()[0].id, "other.visit")
    assert decision.written == {} and decision.skipped == 1
    assert not review_files.pending_path(root, "fr").exists()


def test_refusals_name_the_field(database: Database, service: ReviewService) -> None:
    ask(database, FINGERPRINTS)
    group = service.groups()[0].id
    with pytest.raises(StaffError, match="^by: mentor@example.org is not a curator"):
        service.assign(MENTOR, group, "art27.permit")
    with pytest.raises(StaffError, match="^topic: 'art27.nothing' is not a topic id"):
        service.assign(CURATOR, group, "art27.nothing")
    with pytest.raises(StaffError, match="^group: no open group 999"):
        service.out_of_scope(CURATOR, 999)
    with database.session() as session:
        assert session.execute(select(AuditEntry)).first() is None


def test_out_of_scope_and_draft_are_audited_and_the_draft_is_not_live(
    database: Database, service: ReviewService, root: Path
) -> None:
    ask(database, FINGERPRINTS + UNRELATED)
    groups = service.groups()
    service.out_of_scope(CURATOR, groups[1].id)
    decision = service.draft(CURATOR, groups[0].id)
    assert decision.draft == root / "knowledge" / "drafts" / f"group-{groups[0].id}.yml"
    draft = yaml.safe_load(decision.draft.read_text(encoding="utf-8"))
    assert draft["id"].startswith("draft.") and len(draft["questions"]) == 3
    assert "0661734905" not in decision.draft.read_text(encoding="utf-8")
    assert [g.id for g in service.groups()] == [groups[2].id]
    with database.session() as session:
        actions = [e.action for e in session.execute(select(AuditEntry).order_by(AuditEntry.id)).scalars()]
    assert actions == ["review.out_of_scope", "review.draft"]


def test_a_draft_is_not_loaded_as_live_content(database: Database, tmp_path: Path) -> None:
    from knowledge import loader

    root = tmp_path / "copy"
    shutil.copytree(loader.KNOWLEDGE_DIR, root / "knowledge")
    service = ReviewService(database, lambda: NOW, lambda: fake_understanding, root)
    ask(database, FINGERPRINTS)
    service.draft(CURATOR, service.groups()[0].id)
    with_draft, problems = loader.load(root / "knowledge")
    live, live_problems = loader.load(loader.KNOWLEDGE_DIR)
    assert sorted(with_draft.entries) == sorted(live.entries)
    assert [p.message for p in problems] == [p.message for p in live_problems]


def test_export_merges_pending_into_the_reviewed_files(
    database: Database, service: ReviewService, root: Path, tmp_path: Path
) -> None:
    ask(database, FINGERPRINTS)
    service.assign(CURATOR, service.groups()[0].id, "art27.permit")
    elsewhere = service.export(tmp_path / "change")
    assert elsewhere.added == 3 and len(elsewhere.files) == 3
    assert review_files.read_examples(tmp_path / "change" / "nlu" / "reviewed" / "it.yml") == {
        "art27_permit": ["quando prendono le impronte digitali"]
    }
    assert review_files.pending_path(root, "it").exists(), "the repository stays as it was"
    in_place = service.export()
    assert in_place.added == 3
    assert review_files.read_examples(review_files.reviewed_path(root, "fr")) == {
        "art27_permit": ["c'est quand la prise des empreintes digitales"]
    }
    assert not review_files.pending_path(root, "fr").exists(), "reviewed examples leave the pending file"
    assert service.export().added == 0


def test_delete_my_data_removes_the_examples_not_yet_reviewed(
    database: Database, service: ReviewService, root: Path
) -> None:
    gone = ask(database, FINGERPRINTS[:2], person="1")
    ask(database, FINGERPRINTS[2:], person="2")
    service.assign(CURATOR, service.groups()[0].id, "art27.permit")
    with database.session() as session:
        assert len(personal_data.export(session, gone)["examples_not_yet_reviewed"]) == 2
        personal_data.forget(session, gone)
    with database.session() as session:
        left = session.execute(select(ReviewOutcome.user_id)).scalars().all()
    assert gone not in left and len(left) == 1
    rewrite_pending(service.database, service.root)
    assert not review_files.pending_path(root, "fr").exists()
    assert review_files.pending_path(root, "it").exists()


def test_a_question_flagged_wrong_is_listed_and_forgotten_in_every_table(
    database: Database, service: ReviewService
) -> None:
    with database.session() as session:
        person = users.get_or_create(session, "telegram", "9", NOW)
        question = unanswered.record_wrong(
            session, person.id, "quando prendono le impronte digitali", "it", "apply_deadlines", NOW
        )
        gone, question_id = person.id, question.id
    [group] = service.groups()
    assert group.reasons == {"wrong": 1} and group.questions[0].intent == "apply_deadlines"
    service.assign(CURATOR, group.id, "art27.permit")
    with database.session() as session:
        personal_data.forget(session, gone)
    with database.engine.connect() as connection:
        for table in inspect(connection).get_table_names():
            columns = {c["name"] for c in inspect(connection).get_columns(table)}
            for column, value in (("user_id", gone), ("question_id", question_id)):
                if column in columns:
                    found = connection.execute(
                        sql(f'SELECT count(*) FROM "{table}" WHERE "{column}" = :v'), {"v": value}
                    ).scalar()
                    assert found == 0, f"{table}.{column} still holds the person"
