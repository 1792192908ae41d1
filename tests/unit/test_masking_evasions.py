"""Contacts typed to slip past the masker: letters spaced out, digits broken up, no leading 0."""

from __future__ import annotations

import pytest

from bot.domain.masking import MASK, ContactKind, mask_contacts


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("i v a n @ g m a i l . c o m", MASK),
        ("пиши на i v a n @ a b v . b g утре", f"пиши на {MASK} утре"),
        ("ivan @ g m a i l . c o m", MASK),
        ("i v a n  a t  g m a i l  d o t  c o m", MASK),
        ("ivan at gmail dot com", MASK),
    ],
)
def test_an_email_typed_a_letter_at_a_time_is_hidden(text: str, masked: str) -> None:
    result = mask_contacts(text)
    assert result.text == masked
    assert result.kinds == {ContactKind.EMAIL}


def test_a_link_typed_a_letter_at_a_time_is_hidden() -> None:
    assert mask_contacts("виж w w w . i v a n s h o p . b g").text == f"виж {MASK}"


def test_a_finding_in_spaced_out_letters_points_at_the_original_characters() -> None:
    text = "пиши: i v a n @ a b v . b g!"
    (finding,) = mask_contacts(text).findings
    assert finding.original == "i v a n @ a b v . b g"
    assert text[finding.start : finding.end] == finding.original


@pytest.mark.parametrize("text", ["и в с е п а к", "a b c d e f", "т . е . д о б р е"])
def test_spaced_out_letters_that_spell_no_address_pass(text: str) -> None:
    assert mask_contacts(text).text == text


@pytest.mark.parametrize(
    "number",
    ["0 8 8 8 x 1 2 3 x 4 5 6", "0888x123x456", "0888 x 123 x 456", "o888123456", "o888 123 456"],
)
def test_digits_broken_up_by_letters_are_hidden(number: str) -> None:
    assert mask_contacts(f"номерът: {number}").text == f"номерът: {MASK}"


@pytest.mark.parametrize("number", ["888123456", "899 765 432", "887 11 22 33", "988123456"])
def test_a_bare_nine_digit_mobile_without_its_zero_is_hidden(number: str) -> None:
    assert mask_contacts(f"{number} е номерът").text == f"{MASK} е номерът"


@pytest.mark.parametrize(
    "text",
    [
        "Поръчка 888123456 е потвърдена",
        "Товарителница 888123456 от Спиди",
        "ЕИК 888123456",
        "Каталожен номер 899765432",
        "Кутия 30x40x15 см, 2 x 49,90 лв.",
        "Размер 120x60x75 см",
    ],
)
def test_nine_digit_numbers_and_dimensions_of_order_talk_pass(text: str) -> None:
    assert mask_contacts(text).text == text
