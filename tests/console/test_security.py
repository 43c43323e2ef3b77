"""The console's defences over a real socket: no page without a session (every route, read from the app
itself), roles on every page, CSRF on every form, the lockout, escaping, cookies that expire and cannot be
altered, the security headers, and an audit row for every action."""

from __future__ import annotations

import base64
import time
from datetime import timedelta
from pathlib import Path

import pytest
from itsdangerous import TimestampSigner, URLSafeTimedSerializer
from starlette.routing import Mount, Route

from bot import app
from bot.console import session as console_session
from bot.console.app import pages
from bot.console.headers import HEADERS
from bot.settings import Secret, Settings
from bot.staff.accounts import LOCKOUT_AFTER, LOCKOUT_FOR
from bot.storage.db import Database, make_engine
from tests.console.conftest import PASSWORD, SECRET, Console, csrf_of

PUBLIC = {"/static/{name}", "/login", "/invite/{token}"}  # open without a session, on purpose
FILLED = {
    "{token}": "t" * 43, "{rest:path}": "no/such/page", "{name}": "console.css", "{id:int}": "1",
    "{code}": "spring",
}  # fmt: skip


def console_routes() -> list[Route]:
    """The routes the mounted console serves, from the app itself."""
    engine = make_engine("sqlite://")
    settings = Settings(database_url="sqlite://", model_dir=Path("."), console_secret=Secret(SECRET))
    mount = app.console(settings, Database(engine))
    engine.dispose()
    assert isinstance(mount, Mount) and mount.path == "/console"
    routes = [route for route in mount.routes if isinstance(route, Route)]
    assert len(routes) == len(mount.routes)
    return routes


def concrete(path: str) -> str:
    for template, value in FILLED.items():
        path = path.replace(template, value)
    assert "{" not in path, f"fill the parameter of {path} in FILLED"
    return "/console" + path


def test_every_route_without_a_session_goes_to_the_login_page(console: Console) -> None:
    routes = console_routes()
    assert {r.path for r in routes} >= PUBLIC | {
        "/", "/staff", "/audit", "/broadcasts", "/logout", "/tickets", "/tickets/{id:int}/reply", "/review",
        "/review/{id:int}/assign", "/knowledge", "/knowledge/checked",
    }  # fmt: skip
    with console.client() as client:
        for route in routes:
            if route.path in PUBLIC:
                continue
            for method in sorted(route.methods or ()):
                if method == "HEAD":
                    continue
                answer = client.request(method, concrete(route.path), data={"csrf": "x"})
                assert answer.status_code == 303, (method, route.path, answer.status_code)
                assert answer.headers["location"].startswith("/console/login?next=")
        assert client.get("/console").headers["location"].endswith("/console/")  # then to the login page


def test_only_the_login_invitation_and_static_pages_are_public() -> None:
    assert {p.path for p in pages() if p.public} | {"/static/{name}"} == PUBLIC


def test_a_member_without_the_role_gets_403_on_every_page_that_needs_one(console: Console) -> None:
    console.accounts.add("cora@example.org", ["curator"], PASSWORD, by="cli")
    restricted = [p for p in pages() if p.roles and "curator" not in p.roles]
    assert {p.path for p in restricted} >= {
        "/staff", "/audit", "/broadcasts", "/staff/invite", "/broadcasts/{id:int}/approve", "/campaigns/new",
        "/tickets", "/tickets/{id:int}", "/tickets/{id:int}/reply", "/tickets/{id:int}/close",
    }  # fmt: skip
    with console.client() as client:
        home = console.log_in(client, "cora@example.org")
        assert home.status_code == 303
        token = csrf_of(client.get("/console/").text)
        for page in restricted:
            for method in page.methods:
                answer = client.request(method, concrete(page.path), data={"csrf": token})
                assert answer.status_code == 403, (method, page.path)
                assert "Your roles do not open this page." in answer.text
        assert 'href="/console/staff"' not in client.get("/console/").text  # nor offered on the home page


def test_a_form_without_or_with_a_wrong_csrf_token_is_refused(console: Console) -> None:
    console.accounts.add("ada@example.org", ["admin"], PASSWORD, by="cli")
    with console.client() as client:
        client.get("/console/login")
        for data in ({}, {"csrf": "forged"}):
            refused = client.post(
                "/console/login", data={**data, "email": "ada@example.org", "password": PASSWORD}
            )
            assert refused.status_code == 403 and "Form refused" in refused.text
        assert ("ada@example.org", "staff.login") not in console.actions()
        assert console.log_in(client, "ada@example.org").status_code == 303
        refused = client.post("/console/staff/invite", data={"role": "admin"})
        assert refused.status_code == 403 and "did not come from the console" in refused.text
    assert [a for _, a in console.actions()].count("staff.invite") == 0


def test_logging_in_replaces_the_csrf_token(console: Console) -> None:
    console.accounts.add("ada@example.org", ["admin"], PASSWORD, by="cli")
    with console.client() as client:
        anonymous = csrf_of(client.get("/console/login").text)
        console.log_in(client, "ada@example.org")
        assert csrf_of(client.get("/console/").text) != anonymous
        assert (
            client.post("/console/staff/invite", data={"role": "admin", "csrf": anonymous}).status_code == 403
        )


def test_the_lockout_engages_and_the_login_page_says_so(console: Console) -> None:
    console.accounts.add("ada@example.org", ["admin"], PASSWORD, by="cli")
    with console.client() as client:
        for _ in range(LOCKOUT_AFTER):
            wrong = console.log_in(client, "ada@example.org", "not the password!")
            assert wrong.status_code == 401 and "Wrong email or password." in wrong.text
        locked = console.log_in(client, "ada@example.org")
        assert locked.status_code == 401
        assert f"locked for {int(LOCKOUT_FOR.total_seconds() // 60)} minutes" in locked.text
        console.clock.now += LOCKOUT_FOR + timedelta(seconds=1)
        assert console.log_in(client, "ada@example.org").status_code == 303
    assert ("ada@example.org", "staff.locked") in console.actions()


def test_html_in_an_email_is_shown_escaped_on_every_page(console: Console) -> None:
    console.accounts.add("ada@example.org", ["admin"], PASSWORD, by="cli")
    evil = "<script>alert(1)</script>@evil.example.org"
    token = console.accounts.invite(["admin", "broadcaster"], by=None)
    with console.client() as client:
        form = client.get(f"/console/invite/{token}")
        fields = {"csrf": csrf_of(form.text), "email": evil, "password": PASSWORD, "again": PASSWORD}
        assert client.post(f"/console/invite/{token}", data=fields).status_code == 303
        failed = console.log_in(client, evil, "wrong password!!")  # the form shows the email again
        assert evil not in failed.text and "&lt;script&gt;alert(1)&lt;/script&gt;@evil" in failed.text
        refused = client.post(f"/console/invite/{token}", data={**fields, "csrf": csrf_of(failed.text)})
        assert "<script>" not in refused.text and "used, expired or unknown" in refused.text
        assert console.log_in(client, evil).status_code == 303
        shown = [
            client.get(path).text
            for path in ("/console/", "/console/staff", "/console/audit", "/console/broadcasts")
        ]
    for html in shown:
        assert "<script>alert" not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;@evil.example.org" in html


def test_an_expired_or_altered_cookie_is_refused(console: Console) -> None:
    admin = console.accounts.add("ada@example.org", ["admin"], PASSWORD, by="cli")

    def cookie(key: str, age: timedelta) -> str:
        class Signer(TimestampSigner):
            def get_timestamp(self) -> int:
                return int(time.time() - age.total_seconds())

        serializer = URLSafeTimedSerializer(key, salt=console_session._SALT, signer=Signer)
        return serializer.dumps({"c": "token", "s": admin.id, "l": None})

    def home_with(value: str) -> int:
        with console.client() as client:
            client.cookies.set(console_session.COOKIE, value, path="/console")
            return client.get("/console/").status_code

    assert home_with(cookie(SECRET, timedelta(minutes=1))) == 200  # the cookies below are otherwise right
    assert home_with(cookie(SECRET, console_session.SESSION_FOR + timedelta(minutes=1))) == 303
    assert home_with(cookie("another-key-another-key-another-key!", timedelta(minutes=1))) == 303
    payload, signature = cookie(SECRET, timedelta(0)).split(".", 1)
    altered = base64.urlsafe_b64encode(b'{"c":"token","s":999,"l":null}').decode().rstrip("=")
    assert home_with(f"{altered}.{signature}") == 303
    assert home_with("garbage") == 303


def test_a_disabled_members_session_ends(console: Console) -> None:
    console.accounts.add("ada@example.org", ["admin"], PASSWORD, by="cli")
    console.accounts.add("bo@example.org", ["broadcaster"], PASSWORD, by="cli")
    with console.client() as client:
        console.log_in(client, "bo@example.org")
        assert client.get("/console/broadcasts").status_code == 200
        console.accounts.disable("bo@example.org", by="ada@example.org")
        assert client.get("/console/broadcasts").status_code == 303


def test_the_session_cookie_is_httponly_samesite_and_expiring(console: Console) -> None:
    console.accounts.add("ada@example.org", ["admin"], PASSWORD, by="cli")
    with console.client() as client:
        header = console.log_in(client, "ada@example.org").headers["set-cookie"]
    parts = {p.strip().split("=")[0].lower() for p in header.split(";")}
    assert {"httponly", "samesite", "max-age", "path"} <= parts
    assert "samesite=lax" in header.lower() and "secure" not in parts  # plain HTTP here
    assert f"Max-Age={int(console_session.SESSION_FOR.total_seconds())}" in header


@pytest.mark.parametrize(
    "path", ["/console/login", "/console/staff", "/console/nothing", "/console/static/console.css"]
)
def test_every_console_response_has_the_security_headers(console: Console, path: str) -> None:
    with console.client() as client:
        answer = client.get(path)
    for name, value in HEADERS:
        assert answer.headers[name.decode()] == value.decode()
    assert "'unsafe-inline'" not in answer.headers["content-security-policy"]


def test_each_action_writes_an_audit_row(console: Console) -> None:
    console.accounts.add("ada@example.org", ["admin"], PASSWORD, by="cli")
    with console.client() as client:
        console.log_in(client, "ada@example.org")
        token = csrf_of(client.get("/console/staff").text)
        invited = client.post(
            "/console/staff/invite", data={"csrf": token, "role": ["broadcaster", "approver"]}
        )
        assert invited.status_code == 200 and "/console/invite/" in invited.text
        client.post("/console/language", data={"csrf": token, "language": "it"})
        assert 'lang="it"' in client.get("/console/").text
        client.post("/console/staff/disable", data={"csrf": token, "email": "ada@example.org"})  # not oneself
        console.accounts.add("bo@example.org", ["broadcaster"], PASSWORD, by="cli")
        assert (
            client.post("/console/staff/disable", data={"csrf": token, "email": "bo@example.org"}).status_code
            == 303
        )
        client.post("/console/logout", data={"csrf": token})
        assert client.get("/console/").status_code == 303
    assert console.actions() == [
        ("cli", "staff.add"),
        ("ada@example.org", "staff.login"),
        ("ada@example.org", "staff.invite"),
        ("ada@example.org", "staff.language"),
        ("cli", "staff.add"),
        ("ada@example.org", "staff.disable"),
        ("ada@example.org", "staff.logout"),
    ]


def test_the_audit_log_pages_newest_first(console: Console) -> None:
    console.accounts.add("ada@example.org", ["admin"], PASSWORD, by="cli")
    for _ in range(60):
        console.accounts.invite(["curator"], by=None)
    with console.client() as client:
        console.log_in(client, "ada@example.org")
        first = client.get("/console/audit").text
        assert first.index("staff.login") < first.index("staff.invite") and "staff.add" not in first
        older = first.split('href="/console/audit?before=')[1].split('"')[0]
        second = client.get(f"/console/audit?before={older}").text
        assert "staff.add" in second and 'rel="next"' not in second


ROLE_CHECKS = [  # (roles, method, path, status): DESIGN's roles on the broadcast and campaign pages
    ("approver", "POST", "/console/broadcasts/new", 403),
    ("approver", "POST", "/console/campaigns/new", 403),
    ("approver", "GET", "/console/broadcasts/1/edit", 403),
    ("broadcaster", "POST", "/console/broadcasts/1/cancel", 403),
    ("admin", "POST", "/console/broadcasts/1/approve", 403),
    ("admin", "POST", "/console/broadcasts/1/cancel", 403),
    ("admin", "POST", "/console/broadcasts/new", 403),
    ("admin", "POST", "/console/campaigns/new", 403),
    ("admin", "GET", "/console/broadcasts", 200),  # admins read
    ("admin", "GET", "/console/campaigns", 200),
    ("approver", "GET", "/console/broadcasts/1", 404),  # allowed in, no such broadcast
    ("broadcaster", "GET", "/console/campaigns/spring", 404),
]


@pytest.mark.parametrize("role", ["approver", "broadcaster", "admin"])
def test_broadcast_and_campaign_pages_keep_to_the_roles(console: Console, role: str) -> None:
    console.accounts.add("someone@example.org", [role], PASSWORD, by="cli")
    with console.client() as client:
        console.log_in(client, "someone@example.org")
        token = csrf_of(client.get("/console/").text)
        for needed, method, path, status in ROLE_CHECKS:
            if needed == role:
                answer = client.request(method, path, data={"csrf": token, "name": "x", "code": "x"})
                assert answer.status_code == status, (role, method, path, answer.status_code)
    assert not [a for _, a in console.actions() if a.startswith(("broadcast.", "campaign."))]


def test_html_in_a_broadcast_is_shown_escaped_on_every_page(console: Console) -> None:
    console.accounts.add("bea@example.org", ["broadcaster", "approver"], PASSWORD, by="cli")
    evil = "<script>alert(1)</script>"
    with console.client() as client:
        console.log_in(client, "bea@example.org")
        token = csrf_of(client.get("/console/").text)
        made = client.post(
            "/console/broadcasts/new",
            data={"csrf": token, "name": evil, "text_fr": evil, "text_ary": f"<img src=x>{evil}"},
        )
        assert made.status_code == 303
        path = made.headers["location"].split("?")[0]
        own = client.post(f"{path}/approve", data={"csrf": token})  # the drafter, though an approver
        assert own.status_code == 409 and "a different approver must approve it" in own.text
        shown = [client.get(p).text for p in ("/console/broadcasts", path, f"{path}/edit")]
        shown.append(own.text)
        assert "<script>" not in client.get(f"{path}/figures").text
    for html in shown:
        assert "<script>alert" not in html and "<img src=x>" not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
