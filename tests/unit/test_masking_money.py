"""Bank accounts and payment handles are hidden: a sale paid there leaves the marketplace."""

from __future__ import annotations

import pytest

from bot.domain.masking import MASK, ContactKind, mask_contacts


def masked_as(text: str, kind: ContactKind) -> str:
    result = mask_contacts(text)
    assert result.kinds == {kind}, result
    return result.text


@pytest.mark.parametrize(
    "iban",
    [
        "BG80BNBG96611020345678",
        "BG80 BNBG 9661 1020 3456 78",
        "bg80 bnbg 9661 1020 3456 78",
        "BG80-BNBG-9661-1020-3456-78",
        "DE89 3704 0044 0532 0130 00",
        "GB29NWBK60161331926819",
        "FR14 2004 1010 0505 0001 3M02 606",
    ],
)
def test_an_iban_with_a_valid_check_is_hidden_however_it_is_spaced(iban: str) -> None:
    assert masked_as(f"Сметка: {iban}, благодаря", ContactKind.BANK_ACCOUNT) == (
        f"Сметка: {MASK}, благодаря"
    )


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("IBAN BG80BNBG96611020345679", id="one digit wrong"),
        pytest.param("BG80BNBG9661102034567", id="one character short"),
        pytest.param("BG80BNBG966110203456781", id="one character too many"),
        pytest.param("XX80BNBG96611020345678", id="no such country"),
        pytest.param("ДДС BG201234567", id="vat number"),
        pytest.param("Артикул DE12ABCD56789012345678", id="product code"),
    ],
)
def test_a_code_that_only_looks_like_an_iban_passes(text: str) -> None:
    assert mask_contacts(text).text == text


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("Плати на revolut.me/ivanp", f"Плати на {MASK}"),
        ("https://paypal.me/ivanshop/49", MASK),
        ("wise.com/pay/me/ivanp", MASK),
        ("@ivanp on Revolut", f"{MASK} on Revolut"),
        ("Revolut: @maria.shop", f"Revolut: {MASK}"),
        ("Моят revtag е ivan_p", f"Моят revtag е {MASK}"),
        ("Пейпал: ivanshop", f"Пейпал: {MASK}"),
        ("wise: ivanpetrov", f"wise: {MASK}"),
    ],
)
def test_a_payment_handle_or_link_is_hidden_and_reported_as_payment(text: str, masked: str) -> None:
    assert masked_as(text, ContactKind.PAYMENT) == masked


def test_a_phone_offered_for_a_payment_is_hidden() -> None:
    assert mask_contacts("плати ми по Revolut на 0888 123 456").text == (
        f"плати ми по Revolut на {MASK}"
    )


@pytest.mark.parametrize(
    "text",
    [
        "Платих с карта Revolut през сайта.",
        "Може ли да платя с PayPal в сайта?",
        "That was a wise choice, thank you!",
    ],
)
def test_naming_a_payment_service_alone_passes(text: str) -> None:
    assert mask_contacts(text).text == text
