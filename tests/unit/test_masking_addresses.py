"""Street addresses given to meet or to pick up are hidden; delivery talk passes verbatim."""

from __future__ import annotations

import pytest

from bot.domain.masking import MASK, ContactKind, mask_contacts


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("ул. Витоша 15", MASK),
        ("Ела на ул. Витоша 15 в 6", f"Ела на {MASK} в 6"),
        ("Вземи го от бул. България 102, вх. Б", f"Вземи го от {MASK}"),
        ("жк Младост 1, бл. 23", MASK),
        ("бл. 34, вх. Г, ет. 5 - ела", f"{MASK} - ела"),
        ("ул. „Граф Игнатиев“ 15А", MASK),
        ("бул. 6-ти септември 10", MASK),
        ("ul. Vitosha 15", MASK),
        ("meet me at 12 Oak Street", f"meet me at {MASK}"),
        ("My shop is at Vitosha str. 15, drop by", f"My shop is at {MASK}, drop by"),
        ("вземи го от офиса на Шипка 7", f"вземи го от офиса на {MASK}"),
    ],
)
def test_an_address_to_meet_or_pick_up_at_is_hidden(text: str, masked: str) -> None:
    result = mask_contacts(text)
    assert result.text == masked
    assert result.kinds == {ContactKind.ADDRESS}


def test_an_address_and_a_phone_are_both_hidden() -> None:
    result = mask_contacts("Ела на ул. Шипка 7, звънни на 0888123456")
    assert result.text == f"Ела на {MASK}, звънни на {MASK}"
    assert result.kinds == {ContactKind.ADDRESS, ContactKind.PHONE}


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("Изпратете до офис на Еконт в гр.Варна, ул.Шипка 5.", id="econt office"),
        pytest.param("Ще го взема от офиса на Еконт на ул. Шипка 5", id="pickup at econt"),
        pytest.param("Офис на Спиди: ул. Витоша 15, гр. София", id="speedy office"),
        pytest.param("Send it to the Speedy office on 45 King Street.", id="english courier"),
        pytest.param("Адрес за доставка: гр. Пловдив, ул. Иван Вазов 12, ет. 2", id="delivery"),
        pytest.param("Адрес: гр. София, ул. Витоша 15, бл. 12, вх. А, ет. 3", id="postal"),
        pytest.param("до офис на Еконт", id="to an econt office"),
        pytest.param("Живея в София, изпратете с Еконт.", id="city"),
        pytest.param("Взимам 2 бр. от 38 и 1 бр. от 40.", id="sizes"),
        pytest.param("Ела ми е на размер 42, взимам го.", id="size after na"),
        pytest.param("Ще мина в 10 да взема поръчка 100234 от Спиди.", id="order at speedy"),
        pytest.param("Street style, size 12, 3 pcs.", id="street as a word"),
        pytest.param("Adidas 3 Stripes Street Jacket, size M", id="street in a product name"),
    ],
)
def test_delivery_talk_passes_verbatim(text: str) -> None:
    assert mask_contacts(text).text == text


def test_a_bare_street_and_number_is_an_address_only_beside_meeting_talk() -> None:
    assert mask_contacts("Пратката е на Шипка 7").text == "Пратката е на Шипка 7"
    assert mask_contacts("Ела на Шипка 7").text == f"Ела на {MASK}"


def test_an_english_address_alone_on_its_line_is_hidden() -> None:
    assert mask_contacts("Hi!\n12 Oak Street").text == f"Hi!\n{MASK}"


def test_meeting_words_win_over_a_courier_named_further_off() -> None:
    text = "Не ползвам Спиди, да се срещнем на бул. Витоша 4"
    assert mask_contacts(text).text == f"Не ползвам Спиди, да се срещнем на {MASK}"


def test_a_courier_right_beside_the_address_wins_over_meeting_words() -> None:
    text = "Pick it up from the Econt office at 12 Oak Street, please."
    assert mask_contacts(text).text == text
