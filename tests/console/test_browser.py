"""The console in real Chromium (Debian's ``chromium``, driven by Playwright; never a downloaded browser),
against the real ``mentor console`` process: the first-admin link it prints, invitations for a broadcaster
and an approver, their logins, a role refused, the audit log of it all, Arabic right to left, and no
horizontal scroll on a 360-pixel phone. Screenshots go to ``test-artifacts/console/``."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections.abc import Iterator

import pytest

from bot.evaluation.telegram_harness import MENTOR, free_port
from bot.settings import ROOT
from tests.console.conftest import PASSWORD

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = ROOT / "test-artifacts" / "console"
LINK = re.compile(r"(http://\S+/console/invite/\S+)")

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not os.access(CHROMIUM, os.X_OK),
        reason="no Chromium at /usr/bin/chromium (apt-get install chromium chromium-driver)",
    ),
]
playwright_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """``mentor console`` on a fresh database: its base URL and the first-admin link it printed."""
    folder = tmp_path_factory.mktemp("console")
    port = free_port()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("MENTOR_")},
        "MENTOR_DATABASE_URL": f"sqlite:///{folder / 'console.db'}",
        "MENTOR_WEB_LISTEN": f"127.0.0.1:{port}",
    }
    process = subprocess.Popen(
        [MENTOR, "console"], env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    assert process.stdout is not None
    printed = [process.stdout.readline() for _ in range(3)]
    found = LINK.search("".join(printed))
    assert found, f"mentor console printed no first-admin link: {printed}"
    try:
        yield f"http://127.0.0.1:{port}", found.group(1)
    finally:
        process.terminate()
        assert process.wait(10) == 0
        process.stdout.close()
    assert (folder / "console.key").stat().st_mode & 0o077 == 0


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with playwright_api.sync_playwright() as driver:
        args = ["--no-sandbox"] if os.geteuid() == 0 else []
        launched = driver.chromium.launch(executable_path=CHROMIUM, args=args)
        yield launched
        launched.close()


class Person:
    """One member of staff in their own browser context (their own cookies)."""

    def __init__(self, browser: object, base: str, email: str, width: int = 1100) -> None:
        self.context = browser.new_context(viewport={"width": width, "height": 800})  # type: ignore[attr-defined]
        self.page = self.context.new_page()
        self.base, self.email = base, email
        self.blocked: list[str] = []
        self.page.on(
            "console", lambda m: self.blocked.append(m.text) if "Content Security" in m.text else None
        )

    def accept(self, link: str, language: str = "en") -> None:
        self.page.goto(link)
        self.page.fill("input[name=email]", self.email)
        self.page.fill("input[name=password]", PASSWORD)
        self.page.fill("input[name=again]", PASSWORD)
        self.page.select_option("select[name=language]", language)
        self.page.click("button[type=submit]")
        self.page.wait_for_url("**/console/login?created=1")

    def log_in(self) -> None:
        self.page.goto(f"{self.base}/console/login")
        self.page.fill("input[name=email]", self.email)
        self.page.fill("input[name=password]", PASSWORD)
        self.page.click("main button[type=submit]")
        self.page.wait_for_url(f"{self.base}/console/")

    def invite(self, role: str) -> str:
        self.page.goto(f"{self.base}/console/staff")
        self.page.check(f"input[name=role][value={role}]")
        self.page.click("form[action$='/staff/invite'] button[type=submit]")
        return self.page.inner_text("#invite-link").strip()

    def shot(self, name: str, full_page: bool = True) -> None:
        self.page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=full_page)

    def no_horizontal_scroll(self) -> bool:
        return bool(self.page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"))


def test_walkthrough_from_the_first_admin_link(served: tuple[str, str], browser: object) -> None:
    base, first_link = served
    admin = Person(browser, base, "admin@example.org")
    admin.page.goto(f"{base}/console/staff")  # no session: the login page
    assert "/console/login?next=" in admin.page.url
    admin.shot("login")
    admin.accept(first_link)
    assert "Your account is ready" in admin.page.inner_text("main")
    admin.log_in()
    assert (
        admin.page.evaluate("getComputedStyle(document.querySelector('.bar')).backgroundColor")
        == "rgb(18, 53, 91)"
    )
    admin.shot("home")

    links = {role: admin.invite(role) for role in ("broadcaster", "approver")}
    assert all(link.startswith(f"{base}/console/invite/") for link in links.values())
    admin.shot("staff-invited")
    for role, link in links.items():
        member = Person(browser, base, f"{role}@example.org")
        member.accept(link)
        member.log_in()
        assert member.page.goto(f"{base}/console/staff").status == 403  # type: ignore[union-attr]
        assert "Your roles do not open this page." in member.page.inner_text("main")
        assert member.page.goto(f"{base}/console/broadcasts").status == 200  # type: ignore[union-attr]
        if role == "broadcaster":
            member.shot("broadcasts")
        member.page.goto(link)  # the link was used
        member.page.fill("input[name=email]", "again@example.org")
        member.page.fill("input[name=password]", PASSWORD)
        member.page.fill("input[name=again]", PASSWORD)
        member.page.click("main button[type=submit]")
        assert "used, expired or unknown" in member.page.inner_text("main")
        member.context.close()

    admin.page.goto(f"{base}/console/staff")
    admin.page.once("dialog", lambda dialog: dialog.accept())  # the script asks before disabling
    admin.page.click("form[data-confirm*='approver@example.org'] button")
    admin.page.wait_for_url("**/console/staff?disabled=*")
    assert "approver@example.org is disabled." in admin.page.inner_text("main")
    admin.page.goto(f"{base}/console/audit")
    rows = [" ".join(r.split()) for r in admin.page.locator("tbody tr").all_inner_texts()]
    admin.shot("audit")
    expected = [
        ("admin@example.org", "staff.disable"),
        ("approver@example.org", "staff.login"),
        ("approver@example.org", "staff.add"),
        ("broadcaster@example.org", "staff.login"),
        ("broadcaster@example.org", "staff.add"),
        ("admin@example.org", "staff.invite"),
        ("admin@example.org", "staff.invite"),
        ("admin@example.org", "staff.login"),
        ("admin@example.org", "staff.add"),
        ("cli", "staff.invite"),
    ]
    assert [tuple(row.split()[2:4]) for row in rows] == expected, rows
    assert admin.blocked == []  # the stylesheet and script load under the content security policy

    admin.page.goto(f"{base}/console/")
    admin.page.select_option("select[name=language]", "ar")
    admin.page.click("form[action$='/language'] button")
    admin.page.wait_for_url(f"{base}/console/")
    assert (
        admin.page.get_attribute("html", "dir") == "rtl" and admin.page.get_attribute("html", "lang") == "ar"
    )
    assert admin.page.evaluate("getComputedStyle(document.body).direction") == "rtl"
    brand = admin.page.locator(".brand").bounding_box()
    assert brand is not None and brand["x"] > 1100 / 2  # mirrored: the name sits on the right
    assert "سجل التدقيق" in admin.page.inner_text("nav")
    admin.shot("home-ar")

    phone = Person(browser, base, "admin@example.org", width=360)
    phone.page.goto(f"{base}/console/login?lang=ar")
    assert phone.no_horizontal_scroll()
    phone.shot("login-phone-ar")
    phone.log_in()
    for path in ("/console/", "/console/staff", "/console/audit", "/console/broadcasts"):
        phone.page.goto(f"{base}{path}")
        assert phone.page.get_attribute("html", "dir") == "rtl"
        assert phone.no_horizontal_scroll(), path
        if path == "/console/audit":
            phone.shot("audit-phone-ar", full_page=False)
    phone.page.goto(f"{base}/console/")
    phone.page.select_option("select[name=language]", "en")
    phone.page.click("form[action$='/language'] button")
    for path in ("/console/audit", "/console/staff"):
        phone.page.goto(f"{base}{path}")
        assert phone.no_horizontal_scroll(), path
    phone.shot("staff-phone")
    phone.page.click(".logout button")
    phone.page.wait_for_url("**/console/login?out=1")
    assert phone.page.goto(f"{base}/console/").url.startswith(f"{base}/console/login")  # type: ignore[union-attr]
    admin.context.close()
    phone.context.close()
