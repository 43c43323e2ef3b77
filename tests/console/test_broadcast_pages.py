"""The broadcasts and campaigns pages over a real socket, with plain form posts (no JavaScript): a draft
from the form's fields, its preview and its message shown escaped, the two-person rule refused on the page,
approval, the figures fragment and CSV, editing that needs a new approval, cancelling; a campaign's links,
QR codes, posters and report."""

from __future__ import annotations

from contextlib import closing
from datetime import timedelta

import httpx

from bot.storage import consents, users
from tests.console.conftest import PASSWORD, Console, csrf_of

EVIL = "Salam <script>alert('x')</script> <b>stage</b>"


def _seed(console: Console) -> None:
    """Three Moroccan Darija speakers with news consent (two on Telegram, one on WhatsApp), one without
    consent, one French speaker."""
    now = console.clock()
    with console.database.session() as session:
        for channel, external, language, consent in (
            ("telegram", "81001", "ary", True),
            ("telegram", "81002", "ary", True),
            ("whatsapp", "MA.82001", "ary", True),
            ("telegram", "81003", "ary", None),
            ("telegram", "81004", "fr", True),
        ):
            user = users.get_or_create(session, channel, external, now)
            user.country, user.reply_language = "MA", language
            user.last_inbound_at = now - timedelta(hours=1)
            if consent is not None:
                consents.record(session, user.id, "news", consent, now)


def _logged_in(console: Console, email: str) -> tuple[httpx.Client, str]:
    client = console.client()
    assert console.log_in(client, email).status_code == 303
    return client, csrf_of(client.get("/console/").text)


FORM = {
    "name": "Stage <news>", "country": "ma", "language": "ary", "consent": "news",
    "text_ary": EVIL, "text_fr": "Bonjour", "button_0": "art27.visa", "when": "at",
    "at": "2027-01-11T10:00", "zone": "Africa/Casablanca",
}  # fmt: skip


def test_a_broadcast_from_draft_to_cancel_through_plain_forms(console: Console) -> None:
    _seed(console)
    for email, roles in (("bea@example.org", ["broadcaster"]), ("amal@example.org", ["approver"])):
        console.accounts.add(email, roles, PASSWORD, by="cli")
    console.accounts.add("ada@example.org", ["admin"], PASSWORD, by="cli")
    bea, token = _logged_in(console, "bea@example.org")
    with closing(bea):
        refused = bea.post("/console/broadcasts/new", data={**FORM, "csrf": token, "country": "Morocco"})
        assert refused.status_code == 400 and "segment country" in refused.text
        assert 'value="Stage &lt;news&gt;"' in refused.text  # the form comes back filled, escaped
        made = bea.post("/console/broadcasts/new", data={**FORM, "csrf": token})
        assert made.status_code == 303
        page_path = made.headers["location"].split("?")[0]
        page = bea.get(page_path).text
        assert "<script>alert" not in page and "Salam &lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in page
        assert "3 people of 4 matched" in page
        assert "Telegram 2" in page and "WhatsApp 1" in page
        assert "never consented 1" in page
        assert "at 2027-01-11 09:00 UTC" in page  # 10:00 in Casablanca (UTC+1) is 09:00 UTC
        listing = bea.get("/console/broadcasts").text
        assert "Stage &lt;news&gt;" in listing and "bea@example.org" in listing
        own = bea.post(f"{page_path}/approve", data={"csrf": token})
        assert own.status_code == 409 and "Approval refused: bea@example.org is not an approver" in own.text
        assert bea.post(f"{page_path}/cancel", data={"csrf": token}).status_code == 403
    amal, token = _logged_in(console, "amal@example.org")
    with closing(amal):
        approved = amal.post(f"{page_path}/approve", data={"csrf": token})
        assert approved.status_code == 303 and "queued=3" in approved.headers["location"]
        fragment = amal.get(f"{page_path}/figures")
        assert fragment.status_code == 200 and 'id="figure-queued">3<' in fragment.text
        assert "<html" not in fragment.text
        csv = amal.get(f"{page_path}/figures.csv")
        assert csv.headers["content-type"].startswith("text/csv")
        assert "attachment" in csv.headers["content-disposition"]
        assert "recipients,,3\nqueued,,3\n" in csv.text and "MA." not in csv.text and "8100" not in csv.text
    bea, token = _logged_in(console, "bea@example.org")
    with closing(bea):
        form = bea.get(f"{page_path}/edit").text
        assert 'value="ma"' not in form and 'value="MA"' in form and "checked> Moroccan Darija" in form
        edited = bea.post(f"{page_path}/edit", data={**FORM, "csrf": csrf_of(form), "text_fr": "Salut"})
        assert edited.status_code == 303
        page = bea.get(page_path).text
        assert "version 2" in page and "waiting for approval" in page
    ada, _ = _logged_in(console, "ada@example.org")
    with closing(ada):
        assert ada.get(page_path).status_code == 200  # admins read
        assert 'action="/console/broadcasts/new"' not in ada.get("/console/broadcasts").text
    amal, token = _logged_in(console, "amal@example.org")
    with closing(amal):
        assert amal.post(f"{page_path}/cancel", data={"csrf": token}).status_code == 303
        assert "cancelled" in amal.get(page_path).text
    actions = [a for _, a in console.actions() if a.startswith("broadcast.")]
    assert actions == [
        "broadcast.create", "broadcast.approve_refused", "broadcast.approve", "broadcast.edit",
        "broadcast.cancel",
    ]  # fmt: skip


def test_a_campaign_page_has_links_qr_codes_posters_and_its_report(console: Console) -> None:
    console.accounts.add("bea@example.org", ["broadcaster"], PASSWORD, by="cli")
    bea, token = _logged_in(console, "bea@example.org")
    with closing(bea):
        made = bea.post(
            "/console/campaigns/new", data={"csrf": token, "code": "rabat-fair", "name": "<i>Fair</i>"}
        )
        assert made.status_code == 303 and made.headers["location"] == "/console/campaigns/rabat-fair"
        assert (
            bea.post(
                "/console/campaigns/new", data={"csrf": token, "code": "rabat-fair", "name": "x"}
            ).status_code
            == 400
        )
        page = bea.get("/console/campaigns/rabat-fair").text
        assert "&lt;i&gt;Fair&lt;/i&gt;" in page and "0 people reached" in page
        query = "?bot=MentorStageBot&number=%2B212%20600000000"
        page = bea.get(f"/console/campaigns/rabat-fair{query}").text
        assert "https://t.me/MentorStageBot?start=rabat-fair" in page
        assert "https://wa.me/212600000000?text=START%20rabat-fair" in page
        svg = bea.get(f"/console/campaigns/rabat-fair/files/telegram.svg{query}")
        assert svg.headers["content-type"] == "image/svg+xml" and svg.content.lstrip().startswith(b"<?xml")
        png = bea.get(f"/console/campaigns/rabat-fair/files/whatsapp.png{query}")
        assert png.content.startswith(b"\x89PNG") and "attachment" in png.headers["content-disposition"]
        poster = bea.get(f"/console/campaigns/rabat-fair/files/poster-ar.svg{query}")
        assert "امسح الرمز" in poster.text and "&lt;i&gt;Fair" in poster.text
        assert bea.get("/console/campaigns/rabat-fair/files/poster-ar.svg").status_code == 404  # no links
        bad = bea.get("/console/campaigns/rabat-fair?bot=x&number=1")
        assert bad.status_code == 400 and "not a Telegram bot username" in bad.text
        assert bea.get("/console/campaigns/nothing").status_code == 404
    assert ("bea@example.org", "campaign.posters") in console.actions()
