"""Choosing the tracking number on a label from what the reader found."""

from __future__ import annotations

from bot.domain.labels import Finding, Source, candidates, choose, has_tracking_shape

ECONT = "1051602258993"
S10 = "RB123456785BG"
DHL = "3318810025"


def code(text: str, symbology: str = "Code128", area: float = 0.05) -> Finding:
    return Finding(text, Source.BARCODE, symbology, area)


def test_the_number_that_fits_the_buyers_carrier_is_offered() -> None:
    choice = choose([code(DHL), code(ECONT)], expected_carrier="econt")
    assert choice.offer is not None
    assert (choice.offer.number, choice.offer.carrier) == (ECONT, "econt")


def test_a_product_barcode_is_never_a_tracking_number() -> None:
    choice = choose([code("5901234123457", "EAN13")], expected_carrier="econt")
    assert choice.offer is None
    assert choice.found is Source.BARCODE


def test_another_carriers_number_is_not_offered_but_named() -> None:
    choice = choose([code(S10, "Code39")], expected_carrier="econt")
    assert choice.offer is None
    assert choice.found is Source.BARCODE
    assert choice.other_carriers == ("bgpost",)


def test_a_wrong_check_digit_is_not_offered() -> None:
    assert choose([code("RB123456784BG", "Code39")], expected_carrier="bgpost").offer is None


def test_a_larger_code_wins_over_a_smaller_one_of_the_same_shape() -> None:
    small, large = "1051602258994", ECONT
    choice = choose([code(small, area=0.01), code(large, area=0.08)], expected_carrier="econt")
    assert choice.offer is not None and choice.offer.number == large
    assert [n.number for n in choice.alternatives] == [small]


def test_a_code_wins_over_print() -> None:
    printed = Finding("105 160 225 8994", Source.PRINT)
    choice = choose([printed, code(ECONT, area=0.01)], expected_carrier="econt")
    assert choice.offer is not None and choice.offer.number == ECONT


def test_print_in_groups_is_joined_and_a_phone_number_is_skipped() -> None:
    lines = [Finding("тел. 0888 123 456", Source.PRINT), Finding("RB 123 456 785 BG", Source.PRINT)]
    choice = choose(lines, expected_carrier="bgpost")
    assert choice.offer is not None and choice.offer.number == S10
    phone = choose([Finding("+359 888 123 456", Source.PRINT)], expected_carrier="speedy")
    assert phone.offer is None


def test_a_tracking_link_in_a_qr_code_gives_its_number() -> None:
    link = Finding(f"https://www.econt.com/services/track-shipment/{ECONT}", Source.CODE_2D)
    choice = choose([link], expected_carrier="econt")
    assert choice.offer is not None and choice.offer.number == ECONT


def test_a_gs1_128_dhl_paket_number_keeps_its_application_identifier() -> None:
    assert "00340434161094042557" in set(candidates(code("(00)340434161094042557")))
    choice = choose([code("(00)340434161094042557")], expected_carrier="dhl")
    assert choice.offer is not None and choice.offer.number == "00340434161094042557"


def test_words_in_a_payload_are_not_candidates_even_for_any_carrier() -> None:
    assert not has_tracking_shape(code("ORD100234"))
    assert choose([code("TRACKSHIPMENT")], expected_carrier="other").offer is None


def test_nothing_found_says_so() -> None:
    choice = choose([], expected_carrier="econt")
    assert (choice.offer, choice.found) == (None, None)
    assert choose([Finding("FRAGILE", Source.PRINT)], "econt").found is None


def test_a_number_from_print_without_a_check_digit_is_shown_not_offered() -> None:
    # OCR drops and swaps digits; a 13-digit Econt number has nothing to prove the reading.
    choice = choose([Finding("105 160 225 8993", Source.PRINT)], expected_carrier="econt")
    assert choice.offer is None
    assert choice.unchecked is not None and choice.unchecked.number == ECONT
