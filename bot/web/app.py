"""The Starlette app: the routes each part offers (listed once, in the composition root), ``/healthz``,
and answers that never leak a traceback."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import BaseRoute, Route

logger = logging.getLogger(__name__)


def web_app(routes: Sequence[BaseRoute], ready: Callable[[], bool]) -> Starlette:
    """The app serving ``routes`` and ``GET /healthz`` (200 once ``ready()``, else 503)."""

    async def healthz(request: Request) -> Response:
        if ready():
            return JSONResponse({"status": "ok"})
        return JSONResponse({"status": "starting"}, status_code=503)

    async def http_error(request: Request, error: Exception) -> Response:
        assert isinstance(error, HTTPException)
        return PlainTextResponse(error.detail, status_code=error.status_code)

    async def unexpected(request: Request, error: Exception) -> Response:
        # A bug, not bad input (handlers answer bad input themselves): one line, no request data.
        logger.error("web: %s on %s failed: %s", request.method, request.url.path, type(error).__name__)
        return PlainTextResponse("temporarily unavailable", status_code=503)

    return Starlette(
        routes=[Route("/healthz", healthz, methods=["GET"]), *routes],
        exception_handlers={HTTPException: http_error, Exception: unexpected},
    )


async def read_limited(request: Request, limit: int) -> bytes | None:
    """The body, or None once it passes ``limit`` bytes (read no further)."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        return None
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            return None
    return bytes(body)
