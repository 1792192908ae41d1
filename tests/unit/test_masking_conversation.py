"""A contact split over consecutive messages of one side is hidden where it is completed."""

from __future__ import annotations

import pytest

from bot.domain.masking import MASK, ContactKind, Finding, mask_continuing
from testkit.masking_corpus import CLEAN_CASES, CONTACT_CASES, SPLIT_CASES, UNSPLIT_CASES, Case


@pytest.mark.parametrize(
    ("earlier", "text"),
    [
        (["0888"], "123 456"),
        (["Пиши ми", "0888"], "123 456"),
        (["088"], "8 123 456"),
        (["+359 888"], "123 456"),
        (["0899 12"], "34 56"),
        (["Поръчка 100234", "0888"], "123 456"),
    ],
)
def test_the_rest_of_a_phone_number_begun_in_an_earlier_message_is_hidden(
    earlier: list[str], text: str
) -> None:
    result = mask_continuing(text, earlier)
    assert result.text == MASK
    assert result.kinds == {ContactKind.PHONE}


def test_the_finding_points_at_the_new_messages_own_characters() -> None:
    text = "  123 456, благодаря"
    (finding,) = mask_continuing(text, ["0888"]).findings
    assert finding == Finding(ContactKind.PHONE, 2, 9, "123 456")


def test_a_number_given_three_digits_at_a_time_is_cut_at_the_second_piece() -> None:
    assert mask_continuing("123", ["0888"]).text == MASK
    # What the other side saw of the second piece was the mask; the third piece goes too.
    assert mask_continuing("456", ["0888", MASK]).text == MASK


def test_only_the_last_few_earlier_messages_count() -> None:
    assert mask_continuing("123 456", ["0888", "a", "b", "c"]).text == "123 456"


def test_a_message_with_its_own_contact_is_masked_as_alone() -> None:
    assert mask_continuing("0888 123 456", []).text == MASK
    assert mask_continuing("ivan@abv.bg", ["Здравейте"]).text == MASK


@pytest.mark.parametrize(
    ("earlier", "text"),
    [
        pytest.param(["Товарителница 0888"], "123 456", id="a waybill in pieces"),
        pytest.param(["Размер 42"], "43", id="sizes"),
        pytest.param(["Поръчка 100234"], "100235", id="order numbers"),
        pytest.param(["Цена 49,90"], "2 бр.", id="price then quantity"),
        pytest.param(["0888"], "Благодаря, 2 бр.", id="words after digits"),
        pytest.param(["Ще дойде на 22.11"], "2026", id="a date"),
        pytest.param(["Имам 08, 10"], "12 14", id="a list of sizes"),
        pytest.param(["Модел XL-0888"], "123", id="a model"),
        pytest.param([MASK], "Благодаря", id="words after a hidden message"),
    ],
)
def test_order_talk_over_several_messages_passes_verbatim(earlier: list[str], text: str) -> None:
    assert mask_continuing(text, earlier).text == text


def test_a_message_that_speaks_of_meeting_is_judged_by_itself() -> None:
    text = "Можем да се срещнем на бул. Цар Освободител 4"
    assert (
        mask_continuing(text, ["Спиди номер 600012345678."]).text
        == f"Можем да се срещнем на {MASK}"
    )


def test_an_address_is_judged_with_the_earlier_messages_around_it() -> None:
    assert mask_continuing("Варна, ул. Шипка 5", ["До офис на Еконт"]).text == (
        "Варна, ул. Шипка 5"
    )
    assert mask_continuing("на Шипка 7", ["Ела довечера"]).text == f"на {MASK}"


@pytest.mark.parametrize("case", SPLIT_CASES, ids=lambda case: " >> ".join(case.earlier)[:30])
def test_corpus_split_contact_loses_its_second_half(case: Case) -> None:
    masked = mask_continuing(case.text, case.earlier).text
    assert [secret for secret in case.secrets if secret in masked] == []


@pytest.mark.parametrize("case", UNSPLIT_CASES, ids=lambda case: " >> ".join(case.earlier)[:30])
def test_corpus_order_talk_over_several_messages_passes_verbatim(case: Case) -> None:
    assert mask_continuing(case.text, case.earlier).text == case.text


@pytest.mark.parametrize(
    "earlier",
    [["Здравейте"], ["Поръчка 100234", "Благодаря"], ["До офис на Еконт"], [MASK]],
    ids=["greeting", "order talk", "courier", "hidden"],
)
def test_every_clean_corpus_message_passes_after_ordinary_earlier_messages(
    earlier: list[str],
) -> None:
    changed = [c.text for c in CLEAN_CASES if mask_continuing(c.text, earlier).text != c.text]
    assert changed == []


@pytest.mark.parametrize(
    "earlier", [["Здравейте"], ["Поръчка 100234", "Благодаря"]], ids=["greeting", "order talk"]
)
def test_every_corpus_contact_is_hidden_after_ordinary_earlier_messages(
    earlier: list[str],
) -> None:
    kept = [
        c.text
        for c in CONTACT_CASES
        if any(secret in mask_continuing(c.text, earlier).text for secret in c.secrets)
    ]
    assert kept == []
