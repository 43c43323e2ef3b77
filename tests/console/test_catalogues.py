"""The console's four catalogues: the same keys in each, every key the templates and pages use present,
placeholders alike, and Arabic right to left."""

from __future__ import annotations

import re
import string
from pathlib import Path

from bot.console import app
from bot.console.i18n import MESSAGES, Words, from_header, load_catalogues
from bot.staff.accounts import CONSOLE_LANGUAGES, ROLES

CONSOLE = Path(app.__file__).parent
USED = re.compile(r"""\b(?:t|words|problem)\(\s*["']([a-z_]+\.[a-z_.]+)["']""")


def used_keys() -> set[str]:
    """Every literal key passed to ``t(...)`` in templates, or to ``words``/``problem`` in the pages."""
    sources = [*CONSOLE.glob("templates/*.html"), *CONSOLE.glob("*.py")]
    keys = {key for source in sources for key in USED.findall(source.read_text(encoding="utf-8"))}
    keys |= {f"role.{r}" for r in ROLES} | {f"lang.{code}" for code in CONSOLE_LANGUAGES}
    keys |= {f"state.{s}" for s in ("active", "disabled", "locked")}
    for page in app.pages():
        if page.menu:
            keys |= {page.menu, f"{page.menu}_text"}
    return keys


def test_every_key_exists_in_all_four_languages() -> None:
    catalogues = load_catalogues()
    assert set(catalogues) == {"fr", "it", "en", "ar"} == {p.stem for p in MESSAGES.glob("*.yml")}
    english = set(catalogues["en"])
    for language, catalogue in catalogues.items():
        assert set(catalogue) == english, (language, set(catalogue) ^ english)
        assert all(text.strip() for text in catalogue.values()), language


def test_every_key_the_console_uses_is_in_the_catalogue() -> None:
    used = used_keys()
    assert len(used) > 40
    assert used <= set(load_catalogues()["en"]), used - set(load_catalogues()["en"])


def test_placeholders_are_the_same_in_every_language() -> None:
    catalogues = load_catalogues()

    def names(text: str) -> set[str]:
        return {name for _, name, _, _ in string.Formatter().parse(text) if name}

    for key, text in catalogues["en"].items():
        for language in ("fr", "it", "ar"):
            assert names(catalogues[language][key]) == names(text), (language, key)


def test_arabic_is_right_to_left_and_written_in_arabic() -> None:
    arabic = Words("ar", load_catalogues()["ar"])
    assert arabic.direction == "rtl" and Words("fr", {}).direction == "ltr"
    assert re.search("[\u0600-\u06ff]", arabic("login.title"))


def test_the_browsers_first_console_language_is_chosen() -> None:
    assert from_header("de-DE,de;q=0.9,it;q=0.8,fr;q=0.5") == "it"
    assert from_header("ar-MA") == "ar"
    assert from_header("de, nl") is None
