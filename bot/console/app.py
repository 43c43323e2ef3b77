"""The staff console: every page module's pages behind one gate, mounted at ``/console`` with the security
headers, its stylesheet and script, and a catch-all that sends visitors to the login page.

To add pages, write a module with ``PAGES`` (see ``bot.console.pages``) and add it to ``MODULES``.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from types import ModuleType

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Mount, Route

from bot.console import audit_page, auth, broadcasts, campaigns, home, review_pages, staff_pages, tickets
from bot.console.headers import SecurityHeaders
from bot.console.i18n import load_catalogues
from bot.console.pages import PREFIX, Gate, Page, Services
from bot.console.session import SessionCodec

MODULES: Sequence[ModuleType] = (
    auth, home, staff_pages, audit_page, broadcasts, campaigns, tickets, review_pages,
)  # fmt: skip
HERE = Path(__file__).parent
STATIC_TYPES = {".css": "text/css; charset=utf-8", ".js": "text/javascript; charset=utf-8"}


def pages(modules: Sequence[ModuleType] = MODULES) -> list[Page]:
    """Every module's pages in order, the catch-all last."""
    return [page for module in modules for page in module.PAGES] + [home.CATCH_ALL]


def templates() -> Environment:
    """Jinja2 over ``templates/``, escaping every value."""
    return Environment(
        loader=FileSystemLoader(HERE / "templates"), autoescape=True, undefined=StrictUndefined
    )


def static_route(folder: Path = HERE / "static") -> Route:
    """The stylesheet and script, read once (no session: the login page needs them)."""
    files = {
        f.name: (f.read_bytes(), STATIC_TYPES[f.suffix]) for f in folder.iterdir() if f.suffix in STATIC_TYPES
    }

    async def static(request: Request) -> Response:
        found = files.get(request.path_params["name"])
        if found is None:
            return Response("not found", 404, media_type="text/plain")
        return Response(found[0], media_type=found[1])

    return Route("/static/{name}", static, methods=["GET"])


def console(services: Services, key: bytes) -> Mount:
    """The console under ``/console``, signing its cookies with ``key``."""
    gate = Gate(services, SessionCodec(key), templates(), load_catalogues(), pages())
    return Mount(PREFIX, routes=[static_route(), *gate.routes()], middleware=[Middleware(SecurityHeaders)])
