"""Broadcast services: who a segment reaches and who is left out, the French fallback and its warning,
two-person approval, edits after approval, cancelling, timing, and one outbox row per broadcast and person."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select, update

from bot.core.render import Renderer
from bot.staff.broadcast_figures import figures_csv
from bot.staff.errors import StaffError
from bot.storage import broadcasts, consents
from bot.storage.models import OutboxMessage
from bot.storage.staff_models import AuditEntry
from knowledge.model import KnowledgeBase, pick
from knowledge.topics import intent_for_topic
from tests.staff.conftest import Desk

SEGMENT = "country=MA,language=ary,consent=news"
TEXTS = {"ary": "Salam! Kayn stage jdid f Italia.", "fr": "Bonjour ! Un nouveau stage en Italie."}


def rows(desk: Desk) -> list[OutboxMessage]:
    with desk.database.session() as session:
        found = list(session.execute(select(OutboxMessage).order_by(OutboxMessage.id)).scalars())
        session.expunge_all()
        return found


def audit_actions(desk: Desk) -> list[tuple[str, str]]:
    with desk.database.session() as session:
        return [
            (a.actor, a.action) for a in session.execute(select(AuditEntry).order_by(AuditEntry.id)).scalars()
        ]


def test_the_preview_counts_who_it_reaches_and_who_is_left_out_and_why(desk: Desk) -> None:
    for _ in range(3):
        desk.person("telegram")
    desk.person("whatsapp", wrote_hours_ago=2)
    desk.person("whatsapp", wrote_hours_ago=3)
    desk.person("whatsapp", wrote_hours_ago=72)  # outside the 24-hour window
    desk.person(language="fr")  # not Darija: not in the segment
    desk.person(country="TN")  # not Moroccan
    desk.person(unreachable=True)
    desk.person(consent=False)
    desk.person(consent=None)
    stopped = desk.person()
    with desk.database.session() as session:
        consents.withdraw_all(session, stopped, desk.clock())  # /stop
    made = desk.tools.create(desk.broadcaster, "Stage news", SEGMENT, TEXTS)
    audience = desk.tools.preview(made.id).audience
    assert (audience.matched, audience.recipients) == (10, 6)
    assert audience.by_language == {"ary": 6}
    assert audience.by_channel == {"telegram": 3, "whatsapp": 3}
    assert (audience.outside_window, audience.outside_by_language) == (1, {"ary": 1})
    assert audience.template_missing == {"ary": "mentor_news_ary (ar)"}  # none approved yet
    assert audience.left_out == {
        "blocked the bot": 1,
        "never consented to news": 1,
        "withdrew consent to news": 2,
    }
    assert any("1 people on WhatsApp are outside the 24-hour window" in w for w in made.warnings)
    _, queued = desk.tools.approve(desk.approver, made.id)
    assert queued == 6
    queued_rows = rows(desk)
    assert len(queued_rows) == 6
    assert {r.kind for r in queued_rows} == {"broadcast"}
    assert {r.message_key for r in queued_rows} == {"broadcast_news"}
    assert {r.dedupe_key for r in queued_rows} == {
        broadcasts.dedupe_key(made.id, r.user_id) for r in queued_rows
    }


def test_a_missing_language_falls_back_to_french_with_a_warning_naming_how_many(desk: Desk) -> None:
    desk.person(language="ary")
    desk.person(language="ar")
    desk.person(language="ar")
    desk.person(language="en")
    desk.person(language=None)  # no language known: the default, French
    made = desk.tools.create(desk.broadcaster, "Open call", "country=MA", TEXTS)
    assert "3 people get the French text: no text in their language (ar 2, en 1)" in made.warnings
    assert desk.tools.preview(made.id).fallback == {"ar": 2, "en": 1}
    with pytest.raises(StaffError, match="text fr: needed"):
        desk.tools.create(desk.broadcaster, "No French", "country=MA", {"ary": "salam"})
    darija_only = desk.tools.create(desk.broadcaster, "Darija", "language=ary", {"ary": "salam"})
    assert darija_only.warnings == ()


def test_nothing_is_sent_before_a_different_approver_approves(desk: Desk) -> None:
    desk.person()
    made = desk.tools.create(desk.both, "Mine", SEGMENT, TEXTS)
    with pytest.raises(StaffError, match="bo@example.org drafted broadcast"):
        desk.tools.approve(desk.both, made.id)
    with pytest.raises(StaffError, match="bea@example.org is not an approver"):
        desk.tools.approve(desk.broadcaster, made.id)
    assert rows(desk) == []
    assert desk.tools.get(made.id).status == "draft"
    desk.tools.approve(desk.approver, made.id)
    with pytest.raises(StaffError, match="already approved"):
        desk.tools.approve(desk.approver, made.id)
    assert len(rows(desk)) == 1
    assert audit_actions(desk)[-5:] == [
        ("bo@example.org", "broadcast.create"),
        ("bo@example.org", "broadcast.approve_refused"),
        ("bea@example.org", "broadcast.approve_refused"),
        ("amal@example.org", "broadcast.approve"),
        ("amal@example.org", "broadcast.approve_refused"),
    ]
    with desk.database.session() as session:
        details = [a.detail for a in session.execute(select(AuditEntry)).scalars()]
    assert not any(text in str(details) for text in TEXTS.values())  # never the message text


def test_an_edit_after_approval_holds_what_has_not_gone_until_a_new_approval(desk: Desk) -> None:
    first, second, third = desk.person(), desk.person(), desk.person()
    made = desk.tools.create(desk.broadcaster, "News", SEGMENT, TEXTS)
    desk.tools.approve(desk.approver, made.id)
    with desk.database.session() as session:  # the dispatcher sent it to the first person already
        session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.user_id == first)
            .values(status="sent", sent_at=desk.clock())
        )
    edited = desk.tools.edit(
        desk.broadcaster, made.id, texts={"ary": "Salam, jdid!", "fr": "Bonjour, nouveau !"}
    )
    assert (edited.status, edited.version, edited.approved_by) == ("draft", 2, None)
    states = {r.user_id: (r.status, r.last_error) for r in rows(desk)}
    assert states[first] == ("sent", None)
    assert states[second] == states[third] == ("cancelled", broadcasts.HELD)
    fourth = desk.person()  # subscribed since: the new approval reaches them too
    _, queued = desk.tools.approve(desk.approver, made.id)
    assert queued == 3
    after = {r.user_id: r for r in rows(desk)}
    assert len(after) == 4 and len(rows(desk)) == 4  # one row per person, the sent one not again
    assert after[first].status == "sent" and after[first].content[0]["staff_text"] == TEXTS
    for user in (second, third, fourth):
        assert after[user].status == "pending"
        assert after[user].content[0]["staff_text"]["ary"] == "Salam, jdid!"


def test_cancel_stops_what_has_not_gone(desk: Desk) -> None:
    sent_to, waiting = desk.person(), desk.person()
    made = desk.tools.create(desk.broadcaster, "News", SEGMENT, TEXTS)
    desk.tools.approve(desk.approver, made.id)
    with desk.database.session() as session:
        session.execute(update(OutboxMessage).where(OutboxMessage.user_id == sent_to).values(status="sent"))
    _, stopped = desk.tools.cancel(desk.approver, made.id)
    assert stopped == 1
    states = {r.user_id: r.status for r in rows(desk)}
    assert states == {sent_to: "sent", waiting: "cancelled"}
    figures = desk.tools.figures(made.id)
    assert (figures.status, figures.sent, figures.cancelled) == ("cancelled", 1, {broadcasts.CANCELLED: 1})
    with pytest.raises(StaffError, match="cancelled"):
        desk.tools.approve(desk.approver, made.id)
    other = desk.tools.create(desk.both, "Other", SEGMENT, TEXTS)
    with pytest.raises(StaffError, match="bea@example.org is not an approver, nor drafted"):
        desk.tools.cancel(desk.broadcaster, other.id)
    mine = desk.tools.create(desk.broadcaster, "Mine", SEGMENT, TEXTS)
    assert desk.tools.cancel(desk.broadcaster, mine.id)[0].status == "cancelled"  # its drafter withdraws it


def test_local_time_is_that_hour_in_each_persons_zone_out_of_quiet_hours(desk: Desk) -> None:
    london = desk.person(zone="Europe/London")
    tunis = desk.person(country="TN", zone=None, language="ary")
    made = desk.tools.create(
        desk.broadcaster, "Morning", "language=ary", {"ary": "sbah l5ir"}, at="2026-11-23 10:00", local=True
    )
    desk.tools.approve(desk.approver, made.id)
    due = {r.user_id: r.not_before for r in rows(desk)}
    assert due[london] == datetime(2026, 11, 23, 10, 0, tzinfo=timezone.utc)
    assert due[tunis] == datetime(2026, 11, 23, 9, 0, tzinfo=timezone.utc)  # Tunis is UTC+1
    desk.clock.now = datetime(2026, 11, 22, 22, 30, tzinfo=timezone.utc)  # 23:30 in Casablanca
    late = desk.person(zone="Africa/Casablanca")
    night = desk.tools.create(desk.broadcaster, "Now", "language=ary", {"ary": "daba"})
    desk.tools.approve(desk.approver, night.id)
    [row] = [r for r in rows(desk) if r.user_id == late and r.dedupe_key.startswith(f"broadcast:{night.id}:")]
    assert row.not_before == datetime(2026, 11, 23, 8, 0, tzinfo=timezone.utc)  # 09:00 there
    quiet = desk.tools.create(
        desk.broadcaster, "Late", "language=ary", {"ary": "lil"}, at="2026-11-24 23:00", local=True
    )
    assert any("inside quiet hours" in w for w in quiet.warnings)


def test_the_last_active_ranges(desk: Desk) -> None:
    recent = desk.person(wrote_hours_ago=24)
    old = desk.person(wrote_hours_ago=24 * 40)
    never = desk.person(wrote_hours_ago=None)

    def who(segment: str) -> set[str]:
        made = desk.tools.create(desk.broadcaster, segment, segment, {"fr": "x", "ary": "x"})
        desk.tools.approve(desk.approver, made.id)
        return {r.user_id for r in rows(desk) if r.dedupe_key.startswith(f"broadcast:{made.id}:")}

    assert who("active_within=7d") == {recent}
    assert who("inactive_for=30d") == {old, never}
    assert who("active_within=60d,inactive_for=30d") == {old}


@pytest.mark.parametrize(
    ("segment", "message"),
    [
        ("country=Morocco", "segment country"),
        ("language=darija", "segment language"),
        ("channel=sms", "segment channel"),
        ("consent=marketing", "segment consent"),
        ("colour=blue", "'colour' is not a key"),
        ("country=MA,country=TN", "country given twice"),
        ("active_within=a week", "segment active_within"),
        ("cohort=NOPE", "no cohort 'NOPE'"),
        ("country", "is not KEY=VALUE"),
    ],
)
def test_a_bad_segment_is_refused_naming_the_key(desk: Desk, segment: str, message: str) -> None:
    with pytest.raises(StaffError, match=message):
        desk.tools.create(desk.broadcaster, "Bad", segment, TEXTS)
    with desk.database.session() as session:
        assert (
            session.scalar(
                select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "broadcast.create")
            )
            == 0
        )


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"texts": {"xx": "hi", "fr": "x"}}, "text: 'xx' is not one of"),
        ({"texts": {"fr": "x" * 1001}}, "text fr: at most 1000"),
        ({"texts": {"fr": "  "}}, "text fr: empty"),
        ({"buttons": ["art27.visa", "nope"]}, "button: 'nope' is not a knowledge topic"),
        ({"buttons": ["art27.visa", "art27.permit", "apply.how", "privacy"]}, "button: at most 3"),
        ({"template": "reminder_first_day"}, "template: 'reminder_first_day' is not one of"),
        ({"at": "tomorrow"}, "at: 'tomorrow' is not a time"),
        ({"at": "2020-01-01 10:00"}, "is in the past"),
        ({"at": "2027-01-01 10:00", "zone": "Mars/Olympus"}, "zone:"),
        ({"local": True}, "local: needs --at"),
        ({"name": ""}, "name: 1 to 100"),
    ],
)
def test_bad_input_is_refused_naming_the_field(desk: Desk, change: dict, message: str) -> None:
    fields = {"name": "News", "segment": SEGMENT, "texts": TEXTS, **change}
    with pytest.raises(StaffError, match=message):
        desk.tools.create(desk.broadcaster, **fields)


def test_only_a_broadcaster_drafts(desk: Desk) -> None:
    with pytest.raises(StaffError, match="amal@example.org is not a broadcaster"):
        desk.tools.create(desk.approver, "News", SEGMENT, TEXTS)


def test_the_row_renders_in_each_persons_language_with_topic_buttons_and_markup_as_text(
    desk: Desk, knowledge: KnowledgeBase
) -> None:
    desk.person(language="ary")
    texts = {"ary": "<b>Salam</b> <script>alert(1)</script>", "fr": "Bonjour & <i>bienvenue</i>"}
    made = desk.tools.create(
        desk.broadcaster, "Markup", "country=MA", texts, buttons=["art27.visa", "apply.how"]
    )
    desk.tools.approve(desk.approver, made.id)
    [row] = rows(desk)
    renderer = Renderer(knowledge, desk.clock)
    [darija] = renderer.render(row.content, "ary")
    assert darija.text == texts["ary"]  # as written: the channels send plain text, never markup
    assert [b.payload for b in darija.buttons] == [
        f"/{intent_for_topic(t)}" for t in ("art27.visa", "apply.how")
    ]
    assert darija.buttons[0].title == pick(knowledge.entries["art27.visa"].title, "ary")
    [english] = renderer.render(row.content, "en")
    assert english.text == texts["fr"]  # DESIGN's fallback


def test_the_figures_count_states_and_reasons_and_the_csv_holds_no_person(desk: Desk) -> None:
    people = [desk.person("whatsapp") for _ in range(5)]
    made = desk.tools.create(desk.broadcaster, "News", SEGMENT, TEXTS)
    desk.tools.approve(desk.approver, made.id)
    at = desk.clock() + timedelta(minutes=1)
    with desk.database.session() as session:
        for user, values in zip(
            people,
            [
                {"status": "sent", "sent_at": at, "delivery_status": "read"},
                {"status": "sent", "sent_at": at, "delivery_status": "delivered"},
                {
                    "status": "sent",
                    "sent_at": at + timedelta(minutes=1),
                    "delivery_status": "failed",
                    "last_error": "131049 ecosystem",
                },
                {"status": "undeliverable", "last_error": "outside the 24-hour window, no approved template"},
                {},
            ],
            strict=True,
        ):
            if values:
                session.execute(update(OutboxMessage).where(OutboxMessage.user_id == user).values(**values))
    figures = desk.tools.figures(made.id)
    assert (figures.recipients, figures.queued, figures.sent, figures.delivered, figures.read) == (
        5,
        1,
        3,
        2,
        1,
    )
    assert figures.failed == {"131049 ecosystem": 1}
    assert figures.undeliverable == {"outside the 24-hour window, no approved template": 1}
    assert figures.per_minute == {"2026-11-22 10:01": 2, "2026-11-22 10:02": 1}
    exported = figures_csv(figures)
    assert "sent,,3" in exported and "sent_per_minute,2026-11-22 10:01 UTC,2" in exported
    assert not any(user in exported for user in people) and "ext" not in exported
