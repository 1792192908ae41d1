"""A shop's week begins where people around it begin theirs: the country of its time zone, as
Babel (CLDR) knows it, whatever language the seller reads; a zone of no country falls back to the
language as the bot writes it."""

from __future__ import annotations

from babel import Locale

from bot.presentation.formatting import first_week_day

MONDAY, SATURDAY, SUNDAY = 0, 5, 6


def test_a_shop_in_bulgaria_begins_its_week_on_monday_in_either_language() -> None:
    assert first_week_day("Europe/Sofia", "bg") == MONDAY
    assert first_week_day("Europe/Sofia", "en") == MONDAY


def test_english_alone_does_not_say_where_a_shop_is() -> None:
    # why the language is not enough: bare "en" is the world's default, en_US is Sunday
    assert Locale.parse("en").first_week_day == MONDAY
    assert Locale.parse("en_US").first_week_day == SUNDAY
    assert Locale.parse("en_GB").first_week_day == MONDAY


def test_a_shop_elsewhere_begins_its_week_as_its_country_does() -> None:
    assert first_week_day("America/New_York", "en") == SUNDAY
    assert first_week_day("America/New_York", "bg") == SUNDAY
    assert first_week_day("US/Eastern", "en") == SUNDAY  # an old name of the same zone
    assert first_week_day("Africa/Cairo", "en") == SATURDAY
    assert first_week_day("Europe/London", "en") == MONDAY


def test_a_zone_of_no_country_falls_back_to_the_language_as_the_bot_writes_it() -> None:
    for zone in ("UTC", "Etc/GMT-3"):
        assert first_week_day(zone, "bg") == MONDAY  # bg_BG
        assert first_week_day(zone, "en") == MONDAY  # en_GB
