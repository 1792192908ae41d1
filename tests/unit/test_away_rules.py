"""Away mode's rules: the date it ends, the message buyers read, and whether it is on."""

from __future__ import annotations

from datetime import date

import pytest

from bot.domain.away import AwayRefused, check_message, is_away, parse_until
from bot.domain.masking import ContactKind

TODAY = date(2026, 12, 3)


@pytest.mark.parametrize("raw", ["2026-12-10", "10.12.2026", " 10.12.2026 ", "2026-12-10 "])
def test_both_date_forms_are_read(raw: str) -> None:
    assert parse_until(raw, TODAY) == date(2026, 12, 10)


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("tomorrow", "date"),
        ("31.02.2027", "date"),
        ("12/10/2026", "date"),
        ("2026-12-03", "past"),
        ("01.12.2026", "past"),
        ("2028-01-01", "too_far"),
    ],
)
def test_a_date_that_cannot_end_away_mode_is_refused(raw: str, reason: str) -> None:
    with pytest.raises(AwayRefused) as refused:
        parse_until(raw, TODAY)
    assert refused.value.reason == reason


def test_a_message_with_a_contact_is_refused_with_what_was_found() -> None:
    with pytest.raises(AwayRefused) as refused:
        check_message("Back Monday; urgent: ivan@abv.bg")
    assert refused.value.reason == "contact"
    assert ContactKind.EMAIL in refused.value.kinds


def test_an_empty_message_is_refused_and_a_good_one_is_trimmed() -> None:
    with pytest.raises(AwayRefused):
        check_message("   ")
    assert check_message("  Back on Monday  ") == "Back on Monday"


def test_away_runs_until_the_day_before_the_date_given() -> None:
    until = date(2026, 12, 10)
    assert is_away(until, date(2026, 12, 9))
    assert not is_away(until, until)
    assert not is_away(None, TODAY)
