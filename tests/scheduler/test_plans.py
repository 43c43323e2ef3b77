"""The shipped plans are valid and written in every language; a broken plan is reported precisely."""

from __future__ import annotations

from pathlib import Path

from knowledge.model import KnowledgeBase
from scheduler import plans

LANGUAGES = ("fr", "ar", "en", "it", "ary", "aeb")


def test_the_shipped_plans_load_and_every_message_exists_in_every_reply_language(
    knowledge: KnowledgeBase,
) -> None:
    loaded, problems = plans.load()
    assert problems == []
    assert {p.name for p in loaded} == {"pre_departure", "arrival", "traineeship", "return_mentoring"}
    steps = {f"{p.name}.{s.id}": s for p in loaded for s in p.steps}
    assert {"arrival.residence_permit", "return_mentoring.checkin_180", "return_mentoring.projects"} <= set(
        steps
    )
    for language in LANGUAGES:
        assert plans.check_strings(loaded, knowledge.strings[language]) == []
    checkin = steps["return_mentoring.checkin_30"]
    assert [r.command for r in checkin.quick_replies] == ["checkin ok", "checkin help"]
    assert all(s.whatsapp_template for s in steps.values())


def test_a_broken_plan_is_reported_with_its_file_and_step(tmp_path: Path) -> None:
    (tmp_path / "broken.yml").write_text(
        "steps:\n"
        "  - {id: ok, date: departure, offset: -3d, at: '18:00', message: reminder_first_day}\n"
        "  - {id: when, date: holidays, offset: 3 weeks, at: '25:00', message: reminder_first_day}\n"
        "  - {id: ok, date: departure, offset: +1d, at: '10:00', message: reminder_first_day}\n"
        "  - {id: missing, date: departure, offset: +1d, at: '10:00', message: nowhere}\n"
        "  - {id: buttons, date: return, offset: +1d, at: '10:00', message: reminder_first_day,"
        " quick_replies: [{label: button_checkin_ok, command: dance}]}\n",
        encoding="utf-8",
    )
    (tmp_path / "not_yaml.yml").write_text("steps: [unclosed\n", encoding="utf-8")
    loaded, problems = plans.load(tmp_path)
    found = {(p.path.name, p.entry_id, p.message.split(" ")[0]) for p in problems}
    assert ("broken.yml", "broken.when", "`date`") in found
    assert ("broken.yml", "broken.when", "`offset`") in found
    assert ("broken.yml", "broken.when", "`at`:") in found
    assert ("broken.yml", "broken.ok", "the") in found  # the same step id twice
    assert ("broken.yml", "broken.buttons", "each") in found
    assert ("not_yaml.yml", "not_yaml", "not") in found
    [broken] = loaded
    missing = plans.check_strings(loaded, {"reminder_first_day"}, tmp_path)
    assert [p.entry_id for p in missing] == ["broken.missing"] and "nowhere" in missing[0].message
    assert [s.id for s in broken.steps] == ["ok", "missing"]
