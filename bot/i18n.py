"""Translations: Babel gettext catalogs for Bulgarian (default) and English.

Message ids are English. Code marks text with ``_`` bound to the reader's locale::

    _ = translator(locale)
    _("Order {number} shipped").format(number=order.number)

Installed copies ship compiled ``.mo`` files (the build hook compiles them); a source checkout
compiles a catalog in memory when its ``.mo`` is missing or older than its ``.po``.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from functools import cache
from gettext import NullTranslations
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

LOCALES = ("bg", "en")
DOMAIN = "messages"

Gettext = Callable[[str], str]


def locales_dir() -> Path:
    """Where the catalogs live: beside the package in a checkout, or installed as ``locales``."""
    import locales

    return Path(next(iter(locales.__path__)))


def _load(locale: str) -> NullTranslations:
    base = locales_dir() / locale / "LC_MESSAGES"
    po_path, mo_path = base / f"{DOMAIN}.po", base / f"{DOMAIN}.mo"
    if mo_path.exists() and (
        not po_path.exists() or mo_path.stat().st_mtime >= po_path.stat().st_mtime
    ):
        with mo_path.open("rb") as mo_file:
            return Translations(mo_file, domain=DOMAIN)
    if not po_path.exists():
        return NullTranslations()
    with po_path.open("rb") as po_file:
        catalog = read_po(po_file, locale=locale)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(buffer, domain=DOMAIN)


@cache
def translations(locale: str) -> NullTranslations:
    return _load(locale if locale in LOCALES else LOCALES[0])


def translator(locale: str) -> Gettext:
    """The ``_`` function for ``locale``."""
    return translations(locale).gettext


def ntranslator(locale: str) -> Callable[[str, str, int], str]:
    return translations(locale).ngettext


def pick_locale(chosen: str | None, telegram_language: str | None, default: str) -> str:
    """The seller's own choice wins over Telegram's language, which wins over the default."""
    if chosen in LOCALES:
        return chosen
    if telegram_language:
        short = telegram_language.split("-")[0].lower()
        if short in LOCALES:
            return short
    return default if default in LOCALES else LOCALES[0]


def N_(message: str) -> str:
    """Mark a message for extraction without translating it yet."""
    return message
