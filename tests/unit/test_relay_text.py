"""Splitting long relayed messages, and exposing what Telegram formatting hides."""

from __future__ import annotations

import pytest

from bot.domain.masking import MASK, ContactKind
from bot.domain.relay_text import Entity, expose_hidden, split_text, utf16_len


def test_a_short_text_is_one_piece() -> None:
    assert split_text("Hello, is it in stock?", 4096) == ["Hello, is it in stock?"]


def test_an_empty_text_is_no_piece() -> None:
    assert split_text("  \n ", 100) == []


def test_long_text_is_split_on_paragraph_breaks_first() -> None:
    first, second = "a" * 60, "b " * 20
    text = f"{first}\n\n{second.strip()}"
    assert split_text(text, 80, measure=len) == [first, second.strip()]


def test_without_paragraphs_it_splits_on_lines_then_spaces() -> None:
    lines = "line one is here\nline two is here\nline three"
    assert split_text(lines, 20, measure=len) == [
        "line one is here",
        "line two is here",
        "line three",
    ]
    words = "alpha beta gamma delta epsilon"
    assert split_text(words, 12, measure=len) == ["alpha beta", "gamma delta", "epsilon"]


def test_no_word_is_cut_and_nothing_is_lost() -> None:
    words = [f"word{n}" for n in range(2000)]
    text = " ".join(words)
    pieces = split_text(text, 4000)
    assert all(utf16_len(piece) <= 4000 for piece in pieces)
    assert " ".join(pieces).split() == words


def test_a_paragraph_break_too_early_does_not_waste_a_message() -> None:
    text = "Hi\n\n" + "x " * 60
    pieces = split_text(text, 100, measure=len)
    assert len(pieces[0]) > 50


def test_a_single_word_longer_than_a_message_is_the_only_thing_cut() -> None:
    pieces = split_text("z" * 250, 100, measure=len)
    assert pieces == ["z" * 100, "z" * 100, "z" * 50]


def test_length_is_counted_as_telegram_counts_it() -> None:
    assert utf16_len("📦") == 2
    text = "📦" * 3000
    pieces = split_text(text, 4096)
    assert all(utf16_len(piece) <= 4096 for piece in pieces)
    assert "".join(pieces) == text


def test_a_non_positive_limit_is_a_mistake() -> None:
    with pytest.raises(ValueError, match="positive"):
        split_text("x", 0)


def test_a_link_hidden_behind_words_is_written_out() -> None:
    text = "See my shop here, thanks"
    exposed = expose_hidden(text, [Entity("text_link", 12, 4, "https://evil.example/ivan")])
    assert exposed.text == "See my shop here (https://evil.example/ivan), thanks"
    assert exposed.hidden == frozenset()


def test_a_mention_of_a_user_without_username_is_hidden_as_a_handle() -> None:
    exposed = expose_hidden("Ask Ivan about it", [Entity("text_mention", 4, 4)])
    assert exposed.text == f"Ask {MASK} about it"
    assert exposed.hidden == {ContactKind.HANDLE}


def test_telegrams_own_contact_entities_are_hidden_whatever_masking_thinks() -> None:
    text = "📞 +359888123456 or a@b.bg or @ivan_shop"
    entities = [
        Entity("phone_number", 3, 13),
        Entity("email", 20, 6),
        Entity("mention", 30, 10),
        Entity("bold", 0, 2),
    ]
    exposed = expose_hidden(text, entities)
    assert exposed.text == f"📞 {MASK} or {MASK} or {MASK}"
    assert exposed.hidden == {ContactKind.PHONE, ContactKind.EMAIL, ContactKind.HANDLE}


def test_malformed_or_nested_entities_are_ignored() -> None:
    exposed = expose_hidden(
        "abc", [Entity("text_link", 0, 3, "https://x.example"), Entity("mention", 1, 1)]
    )
    assert exposed.text == "abc (https://x.example)"
    assert expose_hidden("abc", [Entity("mention", 2, 10)]).text == "abc"
