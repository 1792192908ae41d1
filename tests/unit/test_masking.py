"""Contact masking: what a result holds, phone numbers hidden, order talk passed on verbatim, the
labelled corpus (e-mails, links and handles: test_masking_online.py)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from bot.domain import masking
from bot.domain.masking import MASK, ContactKind, Finding, mask_contacts
from testkit.masking_corpus import CASES, CLEAN_CASES, CONTACT_CASES, Case
from tests.unit.masking_checks import hides, passes

# --- the result ------------------------------------------------------------------------------


def test_clean_text_comes_back_as_the_same_string_with_no_findings() -> None:
    result = mask_contacts("Поръчка 100234 е изпратена.")
    assert result.text == "Поръчка 100234 е изпратена."
    assert not result.changed
    assert result.kinds == frozenset()


def test_empty_message_is_returned_empty() -> None:
    passes("")


def test_only_the_contact_is_replaced_and_the_rest_is_kept_byte_for_byte() -> None:
    result = mask_contacts("Здравейте!  Звъннете на 0888 123 456 утре.\n")
    assert result.text == f"Здравейте!  Звъннете на {MASK} утре.\n"
    assert result.changed
    assert result.kinds == frozenset({ContactKind.PHONE})


def test_finding_points_at_the_original_characters() -> None:
    text = "тел: ０８８８ １２３ ４５６!"
    (finding,) = mask_contacts(text).findings
    assert finding == Finding(ContactKind.PHONE, 5, 17, "０８８８ １２３ ４５６")
    assert text[finding.start : finding.end] == finding.original


def test_touching_contacts_merge_into_one_mask() -> None:
    assert mask_contacts("0888123456ivan@abv.bg").text == MASK


def test_kinds_name_every_kind_of_contact_found() -> None:
    result = mask_contacts(
        "0888 123 456, ivan@abv.bg, ivanshop.bg, @ivan_shop, BG80BNBG96611020345678, "
        "revolut.me/ivanp, ела на ул. Шипка 7"
    )
    assert result.kinds == set(ContactKind)
    assert result.text == ", ".join([MASK] * 6) + f", ела на {MASK}"


# --- phone numbers ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "number",
    [
        "0888 123 456",
        "0888123456",
        "088/812-3456",
        "088 812 3456",
        "0888.123.456",
        "(088) 812 3456",
        "+359 88 812 3456",
        "+359888123456",
        "00359 888 123 456",
        "+359 (0) 888 123 456",
    ],
)
def test_bulgarian_mobile_in_any_common_format_is_hidden(number: str) -> None:
    hides(f"Звъннете ми на {number}, моля.", number)


def test_phone_spelled_in_bulgarian_words_is_hidden() -> None:
    hides("нула осем осем осем едно две три четири пет шест")


@pytest.mark.parametrize(
    ("text", "secret"),
    [
        pytest.param("Офис: 02 981 2345", "02 981 2345", id="sofia landline"),
        pytest.param("Пловдив 032 123 456", "032 123 456", id="city landline"),
        pytest.param("UK: +44 20 7946 0958", "+44 20 7946 0958", id="foreign number with a plus"),
        pytest.param("вайбър 888 123 456", "888 123 456", id="no leading zero after viber"),
        pytest.param(
            "нула осемстотин осемдесет и осем, сто двайсет и три, четиристотин петдесет и шест",
            "сто двайсет и три, четиристотин петдесет и шест",
            id="compound bulgarian number words",
        ),
        pytest.param(
            "zero eight eight eight one two three four five six",
            "one two three four five six",
            id="english number words",
        ),
        pytest.param("Пиши: 08 осемдесет и осем 12 34 56", "12 34 56", id="digits and words"),
        pytest.param(
            "нулаосемосемосемеднодветричетирипетшест",
            "нулаосемосемосемеднодветричетирипетшест",
            id="number words glued together",
        ),
        pytest.param("088-8one-23-456", "8one-23-456", id="digits glued to a number word"),
        pytest.param(
            "осем осем осем едно две три четири пет шест",
            "едно две три четири пет шест",
            id="spelled out without the leading zero",
        ),
        pytest.param("0 8 8 8 1 2 3 4 5 6", "1 2 3 4 5 6", id="one digit per space"),
        pytest.param("тел O888 l23 456", "O888 l23 456", id="latin look-alike letters"),
        pytest.param("тел О888 12З 4б7", "О888 12З 4б7", id="cyrillic look-alike letters"),
        pytest.param("тел o888 |23 4s6", "o888 |23 4s6", id="look-alike symbols"),
        pytest.param("0888\u200b123\u200c456", "123\u200c456", id="zero-width characters"),
        pytest.param("０８８８ １２３ ４５６", "１２３ ４５６", id="full-width digits"),
        pytest.param("𝟎𝟖𝟖𝟖 𝟏𝟐𝟑 𝟒𝟓𝟔", "𝟏𝟐𝟑 𝟒𝟓𝟔", id="styled digits"),
        pytest.param("поръчка 100234, пиши на 0888123456", "0888123456", id="after an order"),
        pytest.param("За поръчки: 0888 123 456", "0888 123 456", id="after order talk"),
    ],
)
def test_disguised_or_unusual_phone_is_hidden(text: str, secret: str) -> None:
    hides(text, secret)


def test_keycap_emoji_phone_is_hidden_keycaps_and_all() -> None:
    text = "0️⃣8️⃣8️⃣8️⃣1️⃣2️⃣3️⃣4️⃣5️⃣6️⃣ пиши ми"
    assert mask_contacts(text).text == f"{MASK} пиши ми"


# --- numbers and words that are not contacts -------------------------------------------------


def test_econt_waybill_number_passes_verbatim() -> None:
    passes("Изпратих с Еконт, товарителница 1051234567890.")


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("Кога ще изпратите поръчка #100234? Поръчка 100235 дойде.", id="order"),
        pytest.param("Спиди 61234567890, а втората 600012345678", id="speedy waybills"),
        pytest.param("Tracking RR123456785BG and CP123456785BG", id="upu tracking numbers"),
        pytest.param("DHL tracking 1234567890, товарителница 3318810025", id="dhl waybills"),
        pytest.param("UPS 1Z999AA10123456784, FedEx 123456789012", id="ups and fedex"),
        pytest.param("Товарителница: 0888123456", id="mobile-shaped number called a waybill"),
        pytest.param("фактура № 0000001234 от 02.11.2026 г.", id="invoice number"),
        pytest.param("ЕИК 123456789, БУЛСТАТ 1234567890123, ДДС BG123456789", id="company"),
        pytest.param("IBAN BG80BNBG96611020345679 е грешен, BG80 BNBG 9661", id="iban-like"),
        pytest.param("49,90 лв., €25.50, 1 299 лв, $199.99", id="prices"),
        pytest.param("22.11.2026, 2026-11-22, 22/11, 02.11.2026, 14:30, 08:00-17:00", id="dates"),
        pytest.param("Размер 42 EU, кутия 30x40x15 см, 2,5 кг, размери 08 10 12 14", id="sizes"),
        pytest.param("SKU AB-1234-XL, отстъпка 15%, модел 2024, EAN 3800123456789", id="codes"),
        pytest.param("Номер 888123456 от каталога", id="nine digits of a catalogue"),
        pytest.param("Имам 08, 10, 12, 14, 16, 18 номер в наличност.", id="list of sizes"),
        pytest.param("Oslo, Ibiza, Зоо, Bob и Lili взеха 3 бр. от 38", id="look-alike words"),
        pytest.param("I'll be at home at 5.30. Look at the photo.", id="english at"),
        pytest.param("Снимка.jpg и фактура.pdf, т.е. гр.София, ул.Шипка 5.", id="file names"),
        pytest.param("Thank you.It arrived yesterday. OK.Thanks", id="missing space after stop"),
        pytest.param("My instagram is private. Не ползвам вайбър.", id="messenger names"),
        pytest.param("Viber is easier for me. Write on viber tomorrow.", id="words after viber"),
    ],
)
def test_everyday_order_talk_passes_verbatim(text: str) -> None:
    passes(text)


# --- the corpus ------------------------------------------------------------------------------


def test_corpus_is_large_and_balanced() -> None:
    assert len(CASES) >= 300
    assert 0.4 <= len(CONTACT_CASES) / len(CASES) <= 0.6


@pytest.mark.parametrize("case", CONTACT_CASES, ids=lambda case: case.text[:40])
def test_corpus_contact_case_loses_every_secret(case: Case) -> None:
    masked = mask_contacts(case.text).text
    assert [secret for secret in case.secrets if secret in masked] == []


@pytest.mark.parametrize("case", CLEAN_CASES, ids=lambda case: case.text[:40])
def test_corpus_clean_case_passes_verbatim(case: Case) -> None:
    assert mask_contacts(case.text).text == case.text


def test_corpus_recall_and_verbatim_share_reach_97_percent() -> None:
    hidden = [
        case
        for case in CONTACT_CASES
        if not any(secret in mask_contacts(case.text).text for secret in case.secrets)
    ]
    verbatim = [case for case in CLEAN_CASES if mask_contacts(case.text).text == case.text]
    assert len(hidden) / len(CONTACT_CASES) >= 0.97
    assert len(verbatim) / len(CLEAN_CASES) >= 0.97


# --- the module ------------------------------------------------------------------------------


def test_masking_imports_no_framework() -> None:
    forbidden = {"telegram", "sqlalchemy", "httpx", "starlette"}
    for source in Path(masking.__file__).parent.glob("*.py"):
        for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                roots = {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module:
                roots = {node.module.split(".")[0]}
            else:
                continue
            assert not roots & forbidden, f"{source.name} imports {roots & forbidden}"
