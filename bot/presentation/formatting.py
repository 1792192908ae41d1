"""Money, dates and times as a seller reads them: Babel, the seller's locale and time zone."""

from __future__ import annotations

import functools
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from babel import Locale, UnknownLocaleError
from babel.core import get_global
from babel.dates import format_date as _format_date
from babel.dates import format_datetime as _format_datetime
from babel.numbers import format_currency

_BABEL_LOCALES = {"bg": "bg_BG", "en": "en_GB"}
#: CLDR's "unknown region", which Babel gives zones such as UTC
_NO_TERRITORY = "ZZ"


def babel_locale(locale: str) -> str:
    return _BABEL_LOCALES.get(locale, "bg_BG")


@functools.cache
def _babel(locale: str) -> Locale:
    """Babel's locale, parsed once: given by name, Babel parses it again on every call, which
    is half the cost of formatting a price."""
    return Locale.parse(babel_locale(locale))


@functools.cache
def first_week_day(timezone: str, locale: str) -> int:
    """The day a shop's week begins (0 Monday … 6 Sunday), as people where the shop is count.

    CLDR ties the first day of the week to a country, not to a language: a bare "en" gives the
    world's default (Monday), en_US Sunday, en_GB Monday. A shop's country is its time zone's
    (Europe/Sofia: BG, Monday; America/New_York: US, Sunday; Africa/Cairo: EG, Saturday), so an
    English-reading seller in Sofia keeps Bulgaria's Monday. A zone of no country (UTC) falls
    back to ``locale`` as the bot writes it (bg_BG, en_GB: Monday).
    """
    zones = get_global("zone_aliases")
    territory = get_global("zone_territories").get(zones.get(timezone, timezone))
    if territory and territory != _NO_TERRITORY:
        try:
            # the territory's likeliest locale: the week's first day is the same in all of them
            return int(Locale.parse(f"und_{territory}").first_week_day)
        except (UnknownLocaleError, ValueError):
            pass
    return int(Locale.parse(babel_locale(locale)).first_week_day)


@functools.lru_cache(maxsize=4096)
def money(amount: str | Decimal, currency: str, locale: str) -> str:
    # Cached: Babel takes a quarter of a millisecond a price, and a burst of sales repeats them.
    return format_currency(Decimal(amount), currency, locale=_babel(locale))


def when(moment: datetime, timezone: str, locale: str) -> str:
    """A date and time in the seller's zone, e.g. "22.11.2026 г., 14:30"."""
    return _format_datetime(moment, "short", tzinfo=ZoneInfo(timezone), locale=_babel(locale))


def day(moment: datetime, timezone: str, locale: str) -> str:
    local = moment.astimezone(ZoneInfo(timezone))
    return _format_date(local.date(), "medium", locale=_babel(locale))
