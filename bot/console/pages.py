"""What a console page is, and the one gate every page passes through.

A page module (``auth``, ``home``, ``broadcasts``, ``tickets``, ``review_pages``, …) declares ``PAGES``, a
list of ``Page``: its path under ``/console``, its handler, the roles that may open it and the methods it
answers. ``bot.console.app.MODULES`` lists the modules; the console mounts every page of each through
``Gate``, which before the handler runs:

1. reads the signed session cookie (an expired or altered one counts as none);
2. sends a visitor without a session to the login page (303), unless the page is ``public``;
3. answers 403 to a member holding none of the page's ``roles``;
4. on POST, refuses (403) a form whose ``csrf`` field is not the session's token.

A handler receives a ``View`` (the member, the services, the words of their language, the checked form) and
returns a response; ``View.render`` fills the page's template, escaped.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import quote

from jinja2 import Environment
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from bot.console.i18n import DEFAULT, Words, from_header
from bot.console.session import Session, SessionCodec
from bot.staff.accounts import CONSOLE_LANGUAGES, Staff, StaffAccounts
from bot.staff.audit_log import AuditLog
from bot.staff.broadcasts import Broadcasts
from bot.staff.campaigns import Campaigns
from bot.staff.preferences import Preferences
from bot.staff.review import ReviewService
from bot.staff.tickets import TicketDesk
from bot.staff.upkeep import Upkeep

PREFIX = "/console"
LOGIN = f"{PREFIX}/login"
MAX_FORM_BYTES = 64 * 1024
T = TypeVar("T")


@dataclass(frozen=True)
class Services:
    """The staff services the pages call (never storage): add yours here and build it in ``bot.app``."""

    accounts: StaffAccounts
    audit: AuditLog
    preferences: Preferences
    broadcasts: Broadcasts
    campaigns: Campaigns
    topics: Mapping[str, Mapping[str, str]]  # knowledge topic → its title per reply language (buttons)
    per_minute_limits: Mapping[str, int]  # channel → sends a minute it allows (the broadcast chart)
    tickets: TicketDesk
    review: ReviewService  # loads the model at the first grouping
    review_model: Path  # the trained model grouping needs: the review page says when it is missing
    upkeep: Upkeep


@dataclass(frozen=True)
class Page:
    """One route of the console. ``roles``: any one of them opens it (empty: every member); ``public``: no
    session needed; ``menu``: the catalogue key of its link on the home page, shown to those allowed."""

    path: str
    handler: Callable[[View], Awaitable[Response]]
    roles: tuple[str, ...] = ()
    methods: tuple[str, ...] = ("GET",)
    public: bool = False
    menu: str | None = None

    def allows(self, member: Staff | None) -> bool:
        """Whether ``member`` may open it."""
        if self.public:
            return True
        return member is not None and (not self.roles or any(member.has(role) for role in self.roles))


@dataclass
class View:
    """One request as a handler sees it."""

    request: Request
    services: Services
    session: Session
    member: Staff | None
    words: Words
    menu: list[Page]
    templates: Environment
    form: FormData | None = None
    cleared: bool = field(default=False)

    async def call(self, function: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run a blocking service call (argon2, the database) off the event loop."""
        return await run_in_threadpool(function, *args, **kwargs)

    def field(self, name: str, limit: int = 1000) -> str:
        """A text field of the posted form ('' when absent), cut at ``limit`` characters."""
        value = self.form.get(name) if self.form is not None else None
        return value[:limit] if isinstance(value, str) else ""

    def render(self, template: str, status: int = 200, **context: Any) -> HTMLResponse:
        """The page from ``templates/<template>``, autoescaped, with the layout's own values."""
        html = self.templates.get_template(template).render(
            t=self.words,
            lang=self.words.language,
            dir=self.words.direction,
            member=self.member,
            csrf=self.session.csrf,
            menu=self.menu,
            prefix=PREFIX,
            languages=CONSOLE_LANGUAGES,
            **context,
        )
        return HTMLResponse(html, status_code=status)

    def problem(self, status: int, title_key: str, text_key: str) -> HTMLResponse:
        """An error page (403, 404) in the member's language."""
        return self.render("problem.html", status, title=self.words(title_key), text=self.words(text_key))

    @staticmethod
    def redirect(path: str) -> RedirectResponse:
        """See ``path`` next (303: the browser follows with GET after a form post)."""
        return RedirectResponse(path, status_code=303)

    def log_in(self, member: Staff) -> None:
        """Start a new session for ``member`` (new CSRF token)."""
        self.session, self.member = self.session.logged_in(member.id), member

    def log_out(self) -> None:
        """End the session: the cookie is removed."""
        self.cleared = True


class Gate:
    """Turns pages into routes that check the session, the role and the CSRF token first."""

    def __init__(
        self,
        services: Services,
        codec: SessionCodec,
        templates: Environment,
        words: dict[str, dict[str, str]],
        pages: Sequence[Page],
    ) -> None:
        self.services = services
        self.codec = codec
        self.templates = templates
        self.words = words
        self.pages = list(pages)

    def routes(self) -> list[Route]:
        """One route per page, in the order given."""
        return [Route(p.path, self._endpoint(p), methods=list(p.methods)) for p in self.pages]

    def _endpoint(self, page: Page) -> Callable[[Request], Awaitable[Response]]:
        async def endpoint(request: Request) -> Response:
            return await self.serve(page, request)

        endpoint.__name__ = page.handler.__name__
        return endpoint

    async def serve(self, page: Page, request: Request) -> Response:
        """Check, then run the page's handler; set or clear the cookie as the handler left the session."""
        session = self.codec.read(request)
        member = None
        if session is not None and session.staff_id is not None:
            member = await run_in_threadpool(self.services.accounts.get, session.staff_id)
            if member is None:  # disabled or gone since: the session ends
                session = None
        session = session or Session.fresh()
        menu = [p for p in self.pages if p.menu and p.allows(member)]
        words = self._words(request, session, member)
        view = View(request, self.services, session, member, words, menu, self.templates)
        response = await self._checked(page, view)
        secure = request.url.scheme == "https"
        if view.cleared:
            self.codec.clear(response, secure)
        elif view.session.changed:
            self.codec.write(response, view.session, secure)
        return response

    async def _checked(self, page: Page, view: View) -> Response:
        request = view.request
        if not page.public and view.member is None:
            target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
            return view.redirect(f"{LOGIN}?next={quote(target, safe='')}")
        if not page.allows(view.member):
            return view.problem(403, "problem.forbidden", "problem.forbidden_text")
        if request.method == "POST":
            declared = request.headers.get("content-length", "")
            if not declared.isdigit() or int(declared) > MAX_FORM_BYTES:
                return view.problem(413, "problem.too_large", "problem.too_large_text")
            view.form = await request.form(max_files=0, max_fields=100, max_part_size=MAX_FORM_BYTES)
            token = view.form.get("csrf")
            if not view.session.csrf_matches(token if isinstance(token, str) else None):
                return view.problem(403, "problem.csrf", "problem.csrf_text")
        return await page.handler(view)

    def _words(self, request: Request, session: Session, member: Staff | None) -> Words:
        language = member.language if member is not None else session.language
        if language not in self.words:
            language = from_header(request.headers.get("accept-language", "")) or DEFAULT
        return Words(language, self.words[language])
