"""What each ``mentor`` subcommand does, kept apart from argument parsing.

Rasa and TensorFlow take seconds to import, so commands that need them import them when they run.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import signal
import sys
import uuid
from collections.abc import Coroutine
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from bot import training
from bot.core.messages import InboundMessage
from bot.settings import Settings
from knowledge import loader
from knowledge.references import check_references
from scheduler import plans

if TYPE_CHECKING:
    from bot.app import App

IN_MEMORY = "sqlite://"


def _serving(settings: Settings) -> App:
    """The bot built to serve people: history past its retention period is purged first."""
    from bot import app
    from scheduler.retention import purge_expired

    built = app.build(settings)
    purge_expired(app.utc_now(), built.database, settings.retention_days)
    return built


async def run(settings: Settings) -> int:
    """The bot on every configured channel, with the web server and the outbox, until SIGTERM or Ctrl-C; the
    terminal chat when no channel is configured (proactive messages then wait in the outbox)."""
    if settings.telegram is None and settings.whatsapp is None:
        return await chat(settings)
    from bot import app
    from bot.web.server import WebServer, bind

    listening = bind(settings.web_host, settings.web_port)  # a busy port is refused before the model loads
    built = _serving(settings)
    taken_in = app.intake(built)
    registry = app.channels(built, taken_in)
    delivery = app.delivery_service(built, registry)
    delivery.acquire()
    with built.database.session() as session:
        built.planner.plan_everyone(session, app.utc_now())
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signal_number in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signal_number, stop.set)
    server = WebServer(app.web(built, registry), listening)
    try:
        await delivery.start()
        await _until_stopped(
            stop, [server.serve(stop), taken_in.run(stop), *(a.run(stop) for a in registry.adapters)]
        )
    finally:
        await delivery.stop()
        built.database.engine.dispose()
    return 0


async def console(settings: Settings) -> int:
    """The staff console alone (and ``/healthz``) on ``MENTOR_WEB_LISTEN`` until SIGTERM or Ctrl-C; when no
    staff account exists, print a one-time link that creates the first admin."""
    from bot import app
    from bot.staff.accounts import StaffAccounts
    from bot.web.app import web_app
    from bot.web.server import WebServer, bind

    listening = bind(settings.web_host, settings.web_port)
    database = app.open_database(settings)
    try:
        server = WebServer(web_app([app.console(settings, database)], database.answers), listening)
        host = settings.web_host if settings.web_host not in ("0.0.0.0", "::") else "127.0.0.1"
        base = f"http://{f'[{host}]' if ':' in host else host}:{server.port}/console"
        sys.stdout.write(f"staff console: {base}/\n")
        accounts = StaffAccounts(database, app.utc_now)
        if not accounts.any_exist():
            token = accounts.invite(["admin"], by=None)
            sys.stdout.write(
                "no staff account yet; this one-time link (valid 24 hours) creates the first admin:\n"
                f"{base}/invite/{token}\n"
            )
        sys.stdout.flush()
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signal_number in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(signal_number, stop.set)
        await server.serve(stop)
    finally:
        database.engine.dispose()
    return 0


async def _until_stopped(stop: asyncio.Event, parts: list[Coroutine[Any, Any, None]]) -> None:
    """Run every part until ``stop`` is set or one of them fails (then the others are stopped too)."""
    tasks = [asyncio.create_task(part) for part in parts]
    done, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_EXCEPTION)
    stop.set()
    await asyncio.gather(*tasks, return_exceptions=True)
    for task in done:
        if task.exception() is not None:
            raise task.exception()  # type: ignore[misc]


async def chat(settings: Settings) -> int:
    """A conversation in the terminal; interactive when standard input is a terminal."""
    from bot.channels.terminal import TerminalChannel

    built = _serving(settings)
    interactive = sys.stdin.isatty()
    intro = built.knowledge.string("chat_intro", settings.default_language) if interactive else None
    await TerminalChannel(built.conversation, sys.stdin, sys.stdout, intro).run()
    return 0


async def ask(settings: Settings, message: str | None, as_json: bool) -> int:
    """Answer one message, or each line of standard input, each without a conversation before it."""
    from bot import app

    built = app.build(dataclasses.replace(settings, database_url=IN_MEMORY))
    lines = [message] if message is not None else (line.rstrip("\n") for line in sys.stdin)
    for line in lines:
        result = await built.conversation.handle(InboundMessage("ask", uuid.uuid4().hex, line))
        if as_json:
            fields = {
                "text": result.text,
                "language": result.language,
                "intent": result.intent,
                "confidence": None if result.confidence is None else round(result.confidence, 4),
                "topic": result.topic,
                "reply_language": result.reply_language,
                "reply": result.reply,
                "suggestions": result.suggestions,
            }
            sys.stdout.write(json.dumps(fields, ensure_ascii=False) + "\n")
        else:
            sys.stdout.write(result.reply + "\n")
        sys.stdout.flush()
    return 0


def train(settings: Settings, force: bool) -> None:
    """Train the models when their inputs changed."""
    trained = training.train(settings, force=force)
    sys.stdout.write("models trained\n" if trained else "models are up to date\n")


def kb_validate() -> int:
    """Report every content problem (knowledge and reminder plans) with its file and entry id; non-zero
    when there are errors."""
    knowledge, problems = loader.load(today=datetime.now(timezone.utc).date())
    problems += check_references()
    problems += plans.load_checked(knowledge.strings.get("fr", {}))[1]
    for problem in problems:
        sys.stdout.write(f"{problem}\n")
    errors = sum(p.error for p in problems)
    sys.stdout.write(f"knowledge base: {errors} errors, {len(problems) - errors} warnings\n")
    return 1 if errors else 0


def validate_data() -> int:
    """Rasa's own consistency checks of domain, NLU data and stories."""
    from bot.data_validation import validate

    valid = validate()
    verdict = "valid" if valid else "problems, see the messages above"
    sys.stdout.write(f"training data: {verdict}\n")
    return 0 if valid else 1


def evaluate(settings: Settings, what: str, file: str | None, picture: str | None = None) -> int:
    """Print the NLU or language-identification evaluation (and draw the NLU confusion matrix)."""
    from bot.evaluation import runner

    return runner.run(settings, what, file, picture)


def bench(
    settings: Settings,
    output: str,
    messages: int,
    channels: dict[str, bool],
    delivery: bool,
    only: str | None = None,
) -> int:
    """Write the benchmark figures as JSON (``channels``: which platforms' figures to measure; ``only``:
    ``whatsapp`` or ``console``, those figures alone)."""
    from bot.evaluation import bench as benchmarks

    return benchmarks.run(
        settings, output, messages, channels["telegram"], delivery, channels["whatsapp"], only
    )


async def whatsapp_templates(settings: Settings, action: str) -> int:
    """``sync``: store the templates' status as the Graph API lists it; ``check``: list the proactive messages
    that have no approved template in a reply language (exit 1 when any)."""
    from bot import app
    from bot.channels.whatsapp_templates import TemplatesFile
    from bot.errors import ConfigError
    from bot.settings import REPLY_LANGUAGES
    from bot.storage import templates

    if settings.whatsapp is None:
        raise ConfigError("MENTOR_WHATSAPP_TOKEN", "WhatsApp is not configured (token and phone number id)")
    database = app.open_database(settings)
    try:
        if action == "sync":
            from bot.channels.whatsapp_sender import list_templates
            from bot.core.send_errors import SendError

            if settings.whatsapp.business_account_id is None:
                raise ConfigError("MENTOR_WHATSAPP_BUSINESS_ACCOUNT_ID", "is needed to read the templates")
            try:
                listed = await list_templates(settings.whatsapp)
            except SendError as error:
                sys.stderr.write(f"mentor: the Graph API refused: {error.reason}\n")
                return 1
            with database.session() as session:
                stored = templates.replace_all(session, listed, app.utc_now())
            approved = sum(status == "APPROVED" for _, _, status, _ in listed)
            sys.stdout.write(f"templates: {stored} stored, {approved} approved\n")
            return 0
        with database.session() as session:
            approved_now = templates.approved(session)
        gaps = TemplatesFile.load().missing(approved_now, REPLY_LANGUAGES)
        for key, language, template in gaps:
            sys.stdout.write(f"{key}\t{language}\tno approved template {template}\n")
        sys.stdout.write(f"templates: {len(gaps)} messages x languages without an approved template\n")
        return 1 if gaps else 0
    finally:
        database.engine.dispose()
