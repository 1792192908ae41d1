"""The language a buyer writes in decides the language the bot writes to them in."""

from __future__ import annotations

from bot.domain.language import written_language


def test_cyrillic_is_bulgarian() -> None:
    assert written_language(["Здравейте, кога ще пратите поръчката?"]) == "bg"


def test_latin_letters_are_english() -> None:
    assert written_language(["Hello, when will it ship?"]) == "en"


def test_the_newest_text_with_letters_decides() -> None:
    assert written_language(["", "12 345 ✅", "Благодаря!", "Thanks!"]) == "bg"


def test_a_few_latin_words_in_a_bulgarian_sentence_keep_it_bulgarian() -> None:
    assert written_language(["Изпратих снимка на iPhone-а, order 100234"]) == "bg"


def test_texts_without_letters_say_nothing() -> None:
    assert written_language(["", "0888 123 456", "👍"]) is None
    assert written_language([]) is None
