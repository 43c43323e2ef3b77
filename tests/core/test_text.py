"""Cleaning input: control and invisible characters go, very long text is cut, nothing crashes."""

from __future__ import annotations

from bot.core.text import MAX_CHARS, clean


def test_control_and_zero_width_characters_are_dropped() -> None:
    cleaned = clean("vi\u200bsa\x00\x07 \u202edocuments\u2060\r\n")
    assert cleaned.text == "visa documents" and not cleaned.truncated


def test_whitespace_only_is_empty() -> None:
    assert clean(" \t\n\u00a0 ").text == ""
    assert not clean("   ").has_letters


def test_long_text_is_cut_at_a_word_boundary() -> None:
    cleaned = clean("visa " * 4000)
    assert cleaned.truncated and len(cleaned.text) <= MAX_CHARS and cleaned.text.endswith("visa")


def test_emoji_and_digits_have_no_letters() -> None:
    assert not clean("😀🇮🇹 2026 !!").has_letters
    assert clean("شنو 😀").has_letters
