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
    commands.add_parser("chat", help="talk to the bot in the terminal (reads a pipe line by line too)")
    ask = commands.add_parser("ask", help="answer one message, or one per line of standard input")
    ask.add_argument("message", nargs="?", help="the message; read standard input when absent")
    ask.add_argument("--json", action="store_true", help="print one JSON object per message")
    train = commands.add_parser("train", help="train the models (skipped when their inputs did not change)")
    train.add_argument("--force", action="store_true", help="train even if nothing changed")
    kb = commands.add_parser("kb", help="knowledge base tools")
    kb.add_subparsers(dest="kb_command", required=True).add_parser("validate", help="check the content")
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
    _staff_commands(commands)
    _ticket_commands(commands)
    return parser


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
    from bot import commands, staff_commands

    if args.command == "run":
        return asyncio.run(commands.run(settings))
    if args.command == "chat":
        return asyncio.run(commands.chat(settings))
    if args.command == "ask":
        return asyncio.run(commands.ask(settings, args.message, args.json))
    if args.command == "train":
        commands.train(settings, args.force)
        return 0
    if args.command == "kb":
        return commands.kb_validate()
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
    if args.command == "tickets":
        from bot import ticket_commands

        return ticket_commands.tickets(settings, args.action, vars(args))
    if args.command == "whatsapp":
        return asyncio.run(commands.whatsapp_templates(settings, args.action))
    if args.command == "bench":
        return commands.bench(
            settings, args.output, args.messages, not args.no_telegram, not args.no_delivery
        )
    raise AssertionError(args.command)
