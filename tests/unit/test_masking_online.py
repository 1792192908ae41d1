"""E-mail addresses, links and messenger handles are hidden, however they are spelled; the
marketplace's own addresses and links are left alone."""

from __future__ import annotations

import pytest

from bot.domain.masking import MASK, ContactKind, mask_contacts
from tests.unit.masking_checks import hides, passes

# --- e-mail addresses ------------------------------------------------------------------------


def test_plain_email_is_hidden() -> None:
    hides("Пишете ми на ivan.petrov@gmail.com", "ivan.petrov@gmail.com")


@pytest.mark.parametrize(
    "address",
    [
        "name at gmail dot com",
        "name(at)abv.bg",
        "name [at] abv [dot] bg",
        "name{at}gmail{dot}com",
        "name @ abv . bg",
        "name#at#abv.bg",
        "name.surname at gmail",
        "name(a)abv.bg",
        "name@@gmail.com",
        "ivan маймунка abv точка bg",
        "ivan кльомба abv.bg",
        "ivan ат абв точка бг",
    ],
)
def test_email_with_spelled_at_and_dot_is_hidden(address: str) -> None:
    hides(f"пишете на {address}", address)


def test_word_before_a_detached_at_sign_is_kept() -> None:
    assert mask_contacts("Пиши ми в инста @ivan.shop").text == f"Пиши ми в инста {MASK}"


def test_marketplace_support_address_is_left_alone() -> None:
    passes("Пишете на support@chopni.bg")


# --- links -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "link",
    [
        "https://ivan-shop.bg/obuvki",
        "www.ivanshop.bg",
        "ivanshop.com",
        "olx.bg/ad/obuvki-12345",
        "bit.ly/3abcDEF",
        "ivanshop точка бг",
        "ivanshop(.)com",
    ],
)
def test_link_or_bare_domain_is_hidden(link: str) -> None:
    result = mask_contacts(f"Вижте: {link} - там е по-евтино")
    assert result.text == f"Вижте: {MASK} - там е по-евтино"
    assert result.kinds == frozenset({ContactKind.LINK})


def test_marketplace_links_are_left_alone() -> None:
    passes("https://chopni.bg/pravila, www.chopni.com/help, seller.chopni.bg/orders/100234")


def test_allowed_domains_can_be_chosen_by_the_caller() -> None:
    text = "виж https://shop.example.org/x"
    assert mask_contacts(text, allowed_domains=["example.org"]).text == text
    assert mask_contacts(text).text == f"виж {MASK}"


def test_marketplace_name_inside_another_domain_is_hidden() -> None:
    hides("https://chopni.bg.evil.com/login и evilchopni.bg", "chopni.bg.evil.com", "evilchopni")


# --- handles ---------------------------------------------------------------------------------


def test_at_handle_is_hidden() -> None:
    result = mask_contacts("Пиши ми в телеграм @ivan_shop")
    assert result.text == f"Пиши ми в телеграм {MASK}"
    assert result.kinds == frozenset({ContactKind.HANDLE})


@pytest.mark.parametrize(
    "link", ["t.me/ivanshop", "wa.me/359888123456", "instagram.com/ivan.shop", "m.me/ivanshop"]
)
def test_messenger_links_are_reported_as_handles(link: str) -> None:
    result = mask_contacts(f"пиши ми: {link}")
    assert result.text == f"пиши ми: {MASK}"
    assert ContactKind.HANDLE in result.kinds


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("инстаграм: ivan_shop", f"инстаграм: {MASK}"),
        ("skype: ivan.petrov", f"skype: {MASK}"),
        ("my insta is ivanshop", f"my insta is {MASK}"),
        ("ivan_shop в инстаграм", f"{MASK} в инстаграм"),
    ],
)
def test_handle_beside_a_messenger_name_is_hidden_and_the_name_stays(
    text: str, masked: str
) -> None:
    assert mask_contacts(text).text == masked
