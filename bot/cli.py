"""The ``mentor`` command: thin subcommands that parse, build, call, print, and exit non-zero on failure."""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import os
import sys
from collections.abc import Sequence

from bot import logs
from bot.errors import ConfigError, MentorError
from bot.settings import FIELDS, Secret, Settings


def _quiet_third_parties() -> None:
    """Rasa telemetry off; TensorFlow's and Rasa's import-time chatter off. Set before Rasa is imported."""
    os.environ["RASA_TELEMETRY_ENABLED"] = "false"
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    os.environ.setdefault("SQLALCHEMY_SILENCE_UBER_WARNING", "1")
    os.environ.setdefault("PTB_TIMEDELTA", "1")  # python-telegram-bot 22: time periods as timedelta


def secret_values(settings: object) -> list[str]:
    """Every ``Secret`` in the settings, however deep: the log filter hides their values."""
    if isinstance(settings, Secret):
        return [settings.reveal()]
    if not dataclasses.is_dataclass(settings):
        return []
    found = (secret_values(getattr(settings, f.name)) for f in dataclasses.fields(settings))
    return [value for values in found for value in values]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="mentor",
        description="Mentor bot: art. 27 traineeships between Italy, Morocco and Tunisia.",
        epilog="Settings (environment): " + "; ".join(f"{k}: {v}" for k, v in FIELDS.items()),
    )
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("run", help="run the bot on Telegram and WhatsApp as configured, else a chat")
    commands.add_parser("console", help="serve the staff console alone on MENTOR_WEB_LISTEN")
    commands.add_parser("chat", help="talk to the bot in the terminal (reads a pipe line by line too)")
    ask = commands.add_parser("ask", help="answer one message, or one per line of standard input")
    ask.add_argument("message", nargs="?", help="the message; read standard input when absent")
    ask.add_argument("--json", action="store_true", help="print one JSON object per message")
    train = commands.add_parser("train", help="train the models (skipped when their inputs did not change)")
    train.add_argument("--force", action="store_true", help="train even if nothing changed")
    _knowledge_commands(commands)
    commands.add_parser("validate", help="check the Rasa domain, NLU data and stories for consistency")
    evaluate = commands.add_parser("eval", help="NLU accuracy on the held-out set, or `eval langid`")
    evaluate.add_argument("what", nargs="?", choices=["nlu", "langid"], default="nlu")
    evaluate.add_argument("--file", help="evaluation file for langid (default: ../shared/eval/langid)")
    evaluate.add_argument("--png", help="confusion-matrix picture (default: docs/confusion.png)")
    bench = commands.add_parser("bench", help="speed and memory figures, as JSON")
    bench.add_argument("--output", default="bench-results.json", help="where to write the JSON")
    bench.add_argument("--messages", type=int, default=1000, help="messages for the full-turn figures")
    bench.add_argument("--no-telegram", action="store_true", help="skip the round trips through the Bot API")
    bench.add_argument(
        "--no-delivery", action="store_true", help="skip reminders and dispatch figures (2.5 minutes)"
    )
    bench.add_argument("--no-whatsapp", action="store_true", help="skip the WhatsApp figures (3 minutes)")
    bench.add_argument("--only-whatsapp", action="store_true", help="the WhatsApp figures alone")
    bench.add_argument("--only-console", action="store_true", help="the staff console's page times alone")
    _staff_commands(commands)
    _broadcast_commands(commands)
    _review_commands(commands)
    _ticket_commands(commands)
    return parser


def _knowledge_commands(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    kb = commands.add_parser("kb", help="knowledge base tools")
    kb = kb.add_subparsers(dest="kb_command", required=True)
    kb.add_parser("validate", help="check the content")
    due = kb.add_parser("due", help="entries to re-check, with their sources; calls opening or closing")
    due.add_argument("--days", type=int, default=30, help="how far ahead to look (default 30)")
    checked = kb.add_parser("checked", help="record that you checked an entry's sources today")
    checked.add_argument("entry", help="the entry id, e.g. art27.permit")
    checked.add_argument("--by", required=True, help="your staff email (a curator)")


def _review_commands(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    review = commands.add_parser("review", help="unanswered questions, grouped, and what curators decide")
    review = review.add_subparsers(dest="action", required=True)
    review.add_parser("list", help="open questions grouped across languages").add_argument(
        "--json", action="store_true", help="one JSON object per group"
    )
    for name, help_text in (
        ("assign", "turn a group into training examples of a topic"),
        ("out-of-scope", "mark a group as not the bot's to answer"),
        ("draft", "start a draft knowledge entry from a group"),
    ):
        action = review.add_parser(name, help=help_text)
        action.add_argument("group", help="the group number `mentor review list` shows")
        if name == "assign":
            action.add_argument("topic", help="a topic id, e.g. art27.permit")
        action.add_argument("--by", required=True, help="your staff email (a curator)")
    export = review.add_parser("export", help="write the examples into nlu/reviewed/ (or DIR) to commit")
    export.add_argument("dir", nargs="?", help="a folder to write into instead of the repository")


def _date_pair(text: str) -> tuple[str, str]:
    name, sep, day = text.partition("=")
    if not sep:
        raise argparse.ArgumentTypeError(f"{text!r}: write NAME=YYYY-MM-DD, like departure=2027-03-01")
    return name, day


def _staff_commands(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    cohort = commands.add_parser("cohort", help="cohorts of trainees and their dates").add_subparsers(
        dest="action", required=True
    )
    create = cohort.add_parser("create", help="a new cohort")
    create.add_argument("code", help="short code; the join link payload is cohort_<code>")
    create.add_argument("--programme", required=True)
    create.add_argument("--city", required=True)
    create.add_argument("--timezone", required=True, help="e.g. Africa/Casablanca, Africa/Tunis")
    create.add_argument("--date", action="append", type=_date_pair, help="NAME=YYYY-MM-DD, repeatable")
    cohort.add_parser("show", help="dates, people, reminders by state").add_argument("code")
    set_date = cohort.add_parser("set-date", help="set or move a date; re-plans everyone's reminders")
    set_date.add_argument("code")
    set_date.add_argument("name", help="selection_result, training_start, departure, arrival, ...")
    set_date.add_argument("day", help="YYYY-MM-DD")
    enroll = cohort.add_parser("enroll", help="add a person (channel:id); again to change zone or language")
    enroll.add_argument("code")
    enroll.add_argument("person", help="e.g. telegram:123456789")
    enroll.add_argument("--timezone", help="the person's time zone, when not the cohort's")
    enroll.add_argument("--language", help="reply language: fr, ar, en, it, ary or aeb")
    remove = cohort.add_parser("remove", help="take a person out; drops their pending reminders")
    remove.add_argument("code")
    remove.add_argument("person")
    cohort.add_parser(
        "import",
        help="enroll people from a CSV (cohort,channel,external_id[,timezone,language]): all or none",
    ).add_argument("file")
    plan = commands.add_parser("plan", help="reminder plans").add_subparsers(dest="action", required=True)
    plan.add_parser("preview", help="each person's timeline in their local time").add_argument("code")
    outbox = commands.add_parser("outbox", help="proactive messages waiting or sent")
    outbox.add_subparsers(dest="action", required=True).add_parser("status", help="counts and oldest due")
    whatsapp = commands.add_parser("whatsapp", help="WhatsApp tools")
    whatsapp = whatsapp.add_subparsers(dest="what", required=True)
    templates = whatsapp.add_parser("templates", help="the message templates for outside the 24-hour window")
    templates_actions = templates.add_subparsers(dest="action", required=True)
    templates_actions.add_parser("sync", help="read the templates' status from the Graph API and store it")
    templates_actions.add_parser("check", help="list the messages without an approved template, by language")
    accounts = commands.add_parser("staff", help="staff accounts for the console and the staff commands")
    accounts = accounts.add_subparsers(dest="action", required=True)
    add = accounts.add_parser("add", help="a new account; the password is read from standard input or asked")
    add.add_argument("email")
    add.add_argument("--role", required=True, help="any of admin,broadcaster,approver,mentor,curator")
    add.add_argument("--language", default="en", help="the console's language for them: fr, it, en or ar")
    accounts.add_parser("list", help="every account with its roles and state")
    accounts.add_parser("disable", help="stop an account from logging in").add_argument("email")


def _broadcast_commands(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    broadcast = commands.add_parser("broadcast", help="messages to a segment, after a second person approves")
    actions = broadcast.add_subparsers(dest="action", required=True)
    create = actions.add_parser("create", help="draft a broadcast; prints its id")
    create.add_argument("--name", required=True)
    create.add_argument(
        "--segment", required=True, help="KEY=VALUE,… with country, city, language, channel, cohort, source, "
        "consent (news or reminders), active_within=30d, inactive_for=90d; A|B for either",
    )  # fmt: skip
    edit = actions.add_parser("edit", help="change a broadcast; once approved it needs a new approval")
    edit.add_argument("id", type=int)
    edit.add_argument("--name")
    edit.add_argument("--segment")
    for parser in (create, edit):
        parser.add_argument("--text", action="append", help="LANG=TEXT (fr ar en it ary aeb), repeatable")
        parser.add_argument("--button", action="append", help="a knowledge topic id to open, up to 3")
        parser.add_argument("--template", help="WhatsApp template outside the 24-hour window (broadcast_*)")
        parser.add_argument("--by", required=True, help="the broadcaster's email")
    create.add_argument("--at", help="'YYYY-MM-DD HH:MM' (UTC, or --zone); default: when approved")
    create.add_argument("--local", action="store_true", help="--at is that hour in each person's own zone")
    create.add_argument("--zone", default="UTC", help="the zone of --at without --local")
    actions.add_parser("preview", help="who it reaches, by language and channel").add_argument("id", type=int)
    for name in ("approve", "cancel"):
        parser = actions.add_parser(name, help=f"{name} it (approve: an approver who did not draft it)")
        parser.add_argument("id", type=int)
        parser.add_argument("--by", required=True, help="the approver's email")
    status = actions.add_parser("status", help="queued, sent, delivered, read, failed and why")
    status.add_argument("id", type=int)
    status.add_argument("--json", action="store_true")
    status.add_argument("--csv", action="store_true", help="the figures as CSV (no personal data)")
    actions.add_parser("list", help="the newest broadcasts")
    campaign = commands.add_parser("campaign", help="campaign links, QR posters and who came through them")
    campaign = campaign.add_subparsers(dest="action", required=True)
    made = campaign.add_parser("create", help="a new campaign code")
    made.add_argument("code", help="1 to 32 letters, digits, _ or -")
    made.add_argument("--name", required=True)
    made.add_argument("--by", required=True, help="the broadcaster's email")
    links = campaign.add_parser("links", help="its Telegram and WhatsApp links")
    poster = campaign.add_parser("poster", help="QR codes (SVG, PNG) and A4 posters in each console language")
    for parser in (links, poster):
        parser.add_argument("code")
        parser.add_argument("--telegram-bot", required=True, help="the bot's Telegram username")
        parser.add_argument("--whatsapp-number", required=True, help="the bot's WhatsApp number, digits")
    poster.add_argument("--out", default=".", help="folder for the files")
    poster.add_argument("--by", required=True, help="who prints them (audited)")
    show = campaign.add_parser("show", help="people reached per day, language and channel")
    show.add_argument("code")
    show.add_argument("--json", action="store_true")
def _ticket_commands(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    tickets = commands.add_parser("tickets", help="handoff tickets: the mentors' queues, replies, closing")
    tickets = tickets.add_subparsers(dest="action", required=True)
    by = {"help": "the email of the mentor acting"}
    listing = tickets.add_parser("list", help="open tickets, oldest first, with the time waited")
    listing.add_argument("--json", action="store_true", help="one JSON array")
    listing.add_argument("--by", help="only the tickets of this mentor's teams")
    listing.add_argument("--all", action="store_true", help="closed tickets too")
    show = tickets.add_parser("show", help="a ticket and its conversation")
    show.add_argument("id", type=int)
    show.add_argument("--by", required=True, **by)
    show.add_argument("--json", action="store_true")
    reply = tickets.add_parser("reply", help="answer the person on their channel, through the outbox")
    reply.add_argument("id", type=int)
    reply.add_argument("text", nargs="?", help="the answer (or --saved KEY)")
    reply.add_argument(
        "--saved", help="a saved reply's key (`mentor tickets saved`), in the person's language"
    )
    reply.add_argument("--by", required=True, **by)
    note = tickets.add_parser("note", help="an internal note only mentors see")
    note.add_argument("id", type=int)
    note.add_argument("text")
    note.add_argument("--by", required=True, **by)
    passing = tickets.add_parser("pass", help="hand the ticket to another team")
    passing.add_argument("id", type=int)
    passing.add_argument("team", help="a team id of knowledge/teams.yml")
    passing.add_argument("--by", required=True, **by)
    close = tickets.add_parser("close", help="close it: the bot answers the person again")
    close.add_argument("id", type=int)
    close.add_argument("--by", required=True, **by)
    tickets.add_parser("saved", help="the saved replies")
    team = tickets.add_parser("team", help="which mentors belong to which team")
    team = team.add_subparsers(dest="team_action", required=True)
    for name, text in (("add", "put a mentor in a team"), ("remove", "take a mentor out of a team")):
        change = team.add_parser(name, help=text)
        change.add_argument("email")
        change.add_argument("team")
    team.add_parser("list", help="every team's mentors")


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``mentor`` console script."""
    args = _parser().parse_args(argv)
    _quiet_third_parties()
    try:
        settings = Settings.from_env()
    except MentorError as error:
        sys.stderr.write(f"mentor: bad setting {error}\n")
        return 2
    logs.configure(settings.log_level, secret_values(settings))
    try:
        return _dispatch(args, settings)
    except ConfigError as error:
        if error.key not in FIELDS:  # knowledge or plans content
            sys.stderr.write(f"mentor: {error}\n")
            return 1
        sys.stderr.write(f"mentor: bad setting {error}\n")  # found on connecting: the database cannot be used
        return 2
    except MentorError as error:
        sys.stderr.write(f"mentor: {error}\n")
        return 1
    except KeyboardInterrupt:
        return 130


def _dispatch(args: argparse.Namespace, settings: Settings) -> int:
    from bot import commands, review_commands, staff_commands

    if args.command == "run":
        return asyncio.run(commands.run(settings))
    if args.command == "chat":
        return asyncio.run(commands.chat(settings))
    if args.command == "console":
        return asyncio.run(commands.console(settings))
    if args.command == "ask":
        return asyncio.run(commands.ask(settings, args.message, args.json))
    if args.command == "train":
        commands.train(settings, args.force)
        return 0
    if args.command == "kb":
        return _knowledge(args, settings)
    if args.command == "validate":
        return commands.validate_data()
    if args.command == "eval":
        return commands.evaluate(settings, args.what, args.file, args.png)
    if args.command in ("cohort", "plan"):
        return staff_commands.cohort(settings, args.action, vars(args))
    if args.command == "outbox":
        return staff_commands.outbox_status(settings)
    if args.command == "staff":
        return staff_commands.staff(settings, args.action, vars(args))
    if args.command in ("broadcast", "campaign"):
        from bot import broadcast_commands

        return getattr(broadcast_commands, args.command)(settings, args.action, vars(args))
    if args.command == "review":
        return review_commands.review(settings, args.action, vars(args))
    if args.command == "tickets":
        from bot import ticket_commands

        return ticket_commands.tickets(settings, args.action, vars(args))
    if args.command == "whatsapp":
        return asyncio.run(commands.whatsapp_templates(settings, args.action))
    if args.command == "bench":
        channels = {"telegram": not args.no_telegram, "whatsapp": not args.no_whatsapp}
        only = "whatsapp" if args.only_whatsapp else "console" if args.only_console else None
        return commands.bench(settings, args.output, args.messages, channels, not args.no_delivery, only)
    raise AssertionError(args.command)


def _knowledge(args: argparse.Namespace, settings: Settings) -> int:
    from bot import commands, review_commands

    if args.kb_command == "due":
        return review_commands.kb_due(args.days)
    if args.kb_command == "checked":
        return review_commands.kb_checked(settings, args.entry, args.by)
    return commands.kb_validate()
