"""Tracking numbers for SHIPPED: formats, check digits, and the carrier the buyer chose."""

from __future__ import annotations

import pytest

from bot.domain.tracking import (
    REASONS,
    TrackingNumber,
    TrackingRefused,
    detect_carriers,
    normalise,
    parse_tracking_number,
    s10_check_digit,
    ups_check_digit,
)

BG_POST = "RB123456785BG"
ECONT = "1051602258993"
SPEEDY_11 = "61234567890"
SPEEDY_12 = "600012345678"
FEDEX_12 = "986578788855"  # passes FedEx's check, and is also 12 digits like Speedy's
DHL_EXPRESS = "3318810025"
UPS = "1Z5R89390357567127"
KNOWN_CARRIERS = ("econt", "speedy", "bgpost", "dhl", "ups", "fedex")


def refusal(raw: str, expected: str | None = None) -> TrackingRefused:
    with pytest.raises(TrackingRefused) as caught:
        parse_tracking_number(raw, expected)
    assert caught.value.reason in REASONS
    return caught.value


# Normalising


def test_lower_case_and_spaced_input_is_normalised() -> None:
    assert parse_tracking_number("rb 1234 5678 5 bg", "bgpost") == TrackingNumber(
        BG_POST, "bgpost", "Bulgarian Posts"
    )


def test_dashes_tabs_and_surrounding_blanks_are_removed() -> None:
    assert parse_tracking_number("  1z-5r8-939-0357567127\t\n", "ups").number == UPS
    assert normalise("ab–12—34 5") == "AB12345"


def test_a_blank_number_is_refused_as_empty() -> None:
    assert refusal("", "econt").reason == "empty"
    assert refusal("  - \t", "econt").reason == "empty"


@pytest.mark.parametrize(
    "raw", ["RB12345678#BG", "РВ123456785BG", "1234/5678901", "１２３４５６７８９０１"]
)
def test_characters_other_than_latin_letters_and_digits_are_refused(raw: str) -> None:
    assert refusal(raw, "other").reason == "bad_characters"


def test_a_number_shorter_than_eight_characters_is_refused() -> None:
    assert refusal("1234567", "other").reason == "too_short"


def test_a_number_longer_than_a_barcode_is_refused() -> None:
    assert refusal("1" * 35, "other").reason == "too_long"


def test_a_refusal_is_a_value_error_that_names_the_expected_carrier() -> None:
    refused = refusal("ABC", "Econt")
    assert isinstance(refused, ValueError)
    assert refused.expected_carrier == "econt"
    assert str(refused) == "too_short"


# UPU S10: Bulgarian Posts and other posts


@pytest.mark.parametrize(
    ("serial", "check"),
    [("12345678", 5), ("04938268", 0), ("20987639", 5), ("00000001", 4)],
    ids=["plain", "ten-becomes-0", "eleven-becomes-5", "small"],
)
def test_s10_check_digit_follows_the_upu_weights(serial: str, check: int) -> None:
    assert s10_check_digit(serial) == check


def test_s10_for_bulgarian_posts_delivery_is_accepted() -> None:
    for raw in (BG_POST, "CP049382680BG", "EE209876395BG"):
        assert parse_tracking_number(raw, "bgpost").carrier == "bgpost"


def test_s10_with_wrong_check_digit_is_refused() -> None:
    for expected in ("bgpost", "econt", "other", None):
        assert refusal("RB123456786BG", expected).reason == "bad_check_digit"


def test_s10_from_another_post_is_other_named_after_its_country() -> None:
    parsed = parse_tracking_number("LX123456785DE")
    assert (parsed.carrier, parsed.carrier_name) == ("other", "Post (DE)")
    assert parse_tracking_number("LX123456785DE", "other").carrier == "other"


def test_s10_from_another_post_for_bulgarian_posts_delivery_is_a_carrier_mismatch() -> None:
    refused = refusal("RB123456785CN", "bgpost")
    assert (refused.reason, refused.detected) == ("carrier_mismatch", ("other",))


def test_s10_from_the_us_is_usps_and_goes_to_the_marketplace_as_other() -> None:
    parsed = parse_tracking_number("EE123456785US")
    assert (parsed.carrier, parsed.marketplace_carrier) == ("usps", "other")


def test_bulgarian_posts_number_for_econt_delivery_is_a_carrier_mismatch() -> None:
    refused = refusal(BG_POST, "econt")
    assert (refused.reason, refused.detected) == ("carrier_mismatch", ("bgpost",))


# Econt and Speedy


def test_econt_waybill_for_econt_delivery_is_accepted() -> None:
    assert parse_tracking_number(ECONT, "econt") == TrackingNumber(ECONT, "econt", "Econt")


def test_spaced_econt_waybill_is_accepted() -> None:
    assert parse_tracking_number("105 160 225 8993", "econt").number == ECONT


def test_econt_waybill_for_speedy_delivery_is_a_carrier_mismatch() -> None:
    refused = refusal(ECONT, "speedy")
    assert (refused.reason, refused.detected) == ("carrier_mismatch", ("econt",))


@pytest.mark.parametrize("raw", [SPEEDY_11, SPEEDY_12])
def test_speedy_waybill_for_speedy_delivery_is_accepted(raw: str) -> None:
    assert parse_tracking_number(raw, "speedy") == TrackingNumber(raw, "speedy", "Speedy")


def test_speedy_waybill_for_econt_delivery_is_a_carrier_mismatch() -> None:
    assert refusal(SPEEDY_11, "econt").reason == "carrier_mismatch"


def test_twelve_digits_passing_fedex_check_are_speedys_for_a_speedy_delivery() -> None:
    assert parse_tracking_number(FEDEX_12, "speedy").carrier == "speedy"


def test_twelve_digits_without_an_expected_carrier_are_taken_for_speedy() -> None:
    assert detect_carriers(FEDEX_12) == ("speedy", "fedex")
    assert parse_tracking_number(FEDEX_12).carrier == "speedy"


# FedEx and USPS (formats from the tracking_numbers package)


def test_fedex_number_for_fedex_delivery_is_accepted() -> None:
    assert parse_tracking_number(FEDEX_12, "fedex") == TrackingNumber(FEDEX_12, "fedex", "FedEx")
    assert parse_tracking_number("0414 4176 0228 964", "fedex").carrier == "fedex"


def test_fedex_number_with_wrong_check_digit_for_fedex_delivery_is_refused() -> None:
    assert refusal("986578788856", "fedex").reason == "bad_check_digit"


def test_usps_twenty_digit_number_is_recognised() -> None:
    assert detect_carriers("03071790000523483741") == ("usps",)


# DHL


def test_dhl_express_waybill_for_dhl_delivery_is_accepted() -> None:
    assert parse_tracking_number(DHL_EXPRESS, "dhl") == TrackingNumber(DHL_EXPRESS, "dhl", "DHL")


def test_dhl_express_waybill_with_wrong_mod7_check_digit_is_refused() -> None:
    assert refusal("3318810026", "dhl").reason == "bad_check_digit"


def test_ten_digits_failing_dhls_check_for_econt_delivery_are_an_unknown_format() -> None:
    assert refusal("3318810026", "econt").reason == "unknown_format"


@pytest.mark.parametrize(
    "raw",
    ["JD014600006281230704", "JJD000390007882540008", "GM2951173225174494", "00340434161094042557"],
    ids=["express-piece", "express-jjd", "ecommerce", "paket"],
)
def test_dhl_prefixed_numbers_are_dhls(raw: str) -> None:
    assert parse_tracking_number(raw.lower(), "dhl").carrier == "dhl"
    assert refusal(raw, "fedex").reason == "carrier_mismatch"


def test_dhl_waybill_for_speedy_delivery_is_a_carrier_mismatch() -> None:
    refused = refusal(DHL_EXPRESS, "speedy")
    assert (refused.reason, refused.expected_carrier, refused.detected) == (
        "carrier_mismatch",
        "speedy",
        ("dhl",),
    )


# UPS


@pytest.mark.parametrize(
    ("body", "check"),
    [("5R8939035756712", 7), ("879E93034683444", 0), ("999AA1012345678", 4)],
)
def test_ups_check_digit_counts_letters_and_doubles_every_second_character(
    body: str, check: int
) -> None:
    assert ups_check_digit(body) == check


@pytest.mark.parametrize("raw", [UPS, "1Z879E930346834440", "1z 999 aa1 01 2345 6784"])
def test_ups_number_for_ups_delivery_is_accepted(raw: str) -> None:
    assert parse_tracking_number(raw, "ups").carrier_name == "UPS"


def test_ups_number_for_econt_delivery_is_a_carrier_mismatch() -> None:
    refused = refusal(UPS, "econt")
    assert (refused.reason, refused.expected_carrier, refused.detected) == (
        "carrier_mismatch",
        "econt",
        ("ups",),
    )


def test_ups_number_with_wrong_check_digit_is_refused() -> None:
    for expected in ("ups", "econt", "other", None):
        assert refusal("1Z5R89390357567128", expected).reason == "bad_check_digit"


def test_ups_number_with_a_letter_for_its_check_digit_is_an_unknown_format() -> None:
    assert refusal("1Z5R8939035756712A", "ups").reason == "unknown_format"


# Deliveries by another carrier, and no expectation at all


def test_unrecognised_number_for_a_known_carrier_is_an_unknown_format() -> None:
    for expected in KNOWN_CARRIERS:
        refused = refusal("ABCD12345", expected)
        assert (refused.reason, refused.detected) == ("unknown_format", ())


def test_unrecognised_number_passes_as_other_for_an_other_delivery() -> None:
    assert parse_tracking_number("abcd-12345", "other") == TrackingNumber(
        "ABCD12345", "other", "Other"
    )


def test_unrecognised_number_without_an_expected_carrier_is_an_unknown_format() -> None:
    assert refusal("ABCD12345").reason == "unknown_format"


def test_unrecognised_number_longer_than_thirty_characters_is_refused_for_other() -> None:
    assert refusal("A" * 31, "other").reason == "unknown_format"


def test_other_delivery_names_the_carrier_of_a_number_with_its_own_shape() -> None:
    assert parse_tracking_number(UPS, "other").carrier == "ups"
    assert parse_tracking_number(BG_POST, "other").carrier == "bgpost"
    assert parse_tracking_number("JD014600006281230704", "other").carrier == "dhl"


def test_other_delivery_keeps_bare_digits_as_other() -> None:
    for raw in (ECONT, SPEEDY_11, FEDEX_12, DHL_EXPRESS, "3318810026"):
        assert parse_tracking_number(raw, "other").carrier == "other"


def test_without_expected_carrier_any_recognised_format_passes() -> None:
    found = {
        raw: parse_tracking_number(raw).carrier
        for raw in (BG_POST, ECONT, SPEEDY_11, DHL_EXPRESS, UPS, "041441760228964")
    }
    assert list(found.values()) == ["bgpost", "econt", "speedy", "dhl", "ups", "fedex"]


def test_an_expected_carrier_is_matched_whatever_its_case() -> None:
    assert parse_tracking_number(ECONT, "Econt").carrier == "econt"


def test_an_expected_carrier_this_module_does_not_know_is_treated_like_other() -> None:
    assert parse_tracking_number("ABCD12345", "sameday").carrier == "other"
    assert parse_tracking_number(UPS, "sameday").carrier == "ups"


def test_detect_carriers_normalises_its_input_and_finds_nothing_in_noise() -> None:
    assert detect_carriers("rb 123456785 bg") == ("bgpost",)
    assert detect_carriers("hello") == ()


def test_every_marketplace_carrier_keeps_its_code() -> None:
    for raw, carrier in ((ECONT, "econt"), (UPS, "ups"), (BG_POST, "bgpost")):
        assert parse_tracking_number(raw, carrier).marketplace_carrier == carrier
