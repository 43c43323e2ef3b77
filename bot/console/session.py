"""The console's session cookie: signed and timestamped with itsdangerous, refused once expired or altered.

The cookie holds only the staff member's id (none before logging in), the session's CSRF token and, before
logging in, the language picked on the login page. Nothing else about the member travels in it: each request
reads the account again, so a disabled account loses its sessions at once. Logging in starts a new session
(new CSRF token), so a token planted before the login is worthless after it.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass, replace
from datetime import timedelta

from itsdangerous import BadSignature, URLSafeTimedSerializer
from starlette.requests import Request
from starlette.responses import Response

COOKIE = "mentor_console"
PATH = "/console"
SESSION_FOR = timedelta(hours=8)
_SALT = "mentor.console.session"


@dataclass(frozen=True)
class Session:
    """One browser's session: ``staff_id`` None until logged in; ``changed`` when the cookie must be sent."""

    csrf: str
    staff_id: int | None = None
    language: str | None = None
    changed: bool = False

    @classmethod
    def fresh(cls, language: str | None = None) -> Session:
        """A new anonymous session with its own CSRF token."""
        return cls(secrets.token_urlsafe(32), None, language, changed=True)

    def logged_in(self, staff_id: int) -> Session:
        """A new session for ``staff_id``: the CSRF token is replaced too."""
        return Session(secrets.token_urlsafe(32), staff_id, None, changed=True)

    def with_language(self, language: str) -> Session:
        """The anonymous visitor's chosen language."""
        return replace(self, language=language, changed=True)

    def csrf_matches(self, token: str | None) -> bool:
        """Whether a form's token is this session's, compared in constant time."""
        return token is not None and hmac.compare_digest(token.encode(), self.csrf.encode())


class SessionCodec:
    """Reads and writes the cookie with one signing key."""

    def __init__(self, key: bytes, max_age: timedelta = SESSION_FOR) -> None:
        self.serializer = URLSafeTimedSerializer(key, salt=_SALT)
        self.max_age = max_age

    def read(self, request: Request) -> Session | None:
        """The request's session; None when absent, expired, altered or malformed."""
        raw = request.cookies.get(COOKIE)
        if not raw or len(raw) > 4096:
            return None
        try:
            data = self.serializer.loads(raw, max_age=int(self.max_age.total_seconds()))
        except BadSignature:  # also SignatureExpired
            return None
        if not isinstance(data, dict) or not isinstance(data.get("c"), str):
            return None
        staff_id, language = data.get("s"), data.get("l")
        return Session(
            data["c"],
            staff_id if isinstance(staff_id, int) else None,
            language if isinstance(language, str) else None,
        )

    def write(self, response: Response, session: Session, secure: bool) -> None:
        """Set the cookie: HttpOnly, SameSite=Lax, Secure when the request came over HTTPS."""
        value = self.serializer.dumps({"c": session.csrf, "s": session.staff_id, "l": session.language})
        response.set_cookie(
            COOKIE,
            value,
            max_age=int(self.max_age.total_seconds()),
            path=PATH,
            secure=secure,
            httponly=True,
            samesite="lax",
        )

    @staticmethod
    def clear(response: Response, secure: bool) -> None:
        """Remove the cookie (logging out, or a session whose account is gone)."""
        response.delete_cookie(COOKIE, path=PATH, secure=secure, httponly=True, samesite="lax")
