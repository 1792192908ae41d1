"""The gettext workflow in one command: ``python -m bot.catalogs [update|check|compile]``.

``update`` extracts the messages into ``locales/messages.pot`` and merges them into the ``bg``
and ``en`` catalogs; ``check`` fails when the template is stale or a catalog has an untranslated
or fuzzy message (CI runs it); ``compile`` writes the ``.mo`` files (installs do this anyway).
"""

from __future__ import annotations

import io
import string
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

from bot.i18n import DOMAIN, LOCALES

ROOT = Path(__file__).resolve().parent.parent
LOCALES_DIR = ROOT / "locales"
SOURCES = ("bot", "handlers", "conversations")
KEYWORDS = {"_": None, "N_": None, "ngettext": (1, 2)}
PROJECT = "chopni-bot"


def extract() -> Catalog:
    catalog = Catalog(project=PROJECT, charset="utf-8", fuzzy=False)
    for source in SOURCES:
        for filename, lineno, message, comments, context in extract_from_dir(
            ROOT / source, keywords=KEYWORDS, comment_tags=("TRANSLATORS:",)
        ):
            catalog.add(
                message,
                None,
                [(f"{source}/{filename}", lineno)],
                auto_comments=comments,
                context=context,
            )
    return catalog


def _render(catalog: Catalog) -> bytes:
    buffer = io.BytesIO()
    write_po(buffer, catalog, omit_header=True, no_location=True, sort_output=True, width=100)
    return buffer.getvalue()


def _po_path(locale: str) -> Path:
    return LOCALES_DIR / locale / "LC_MESSAGES" / f"{DOMAIN}.po"


def _read(path: Path, locale: str | None = None) -> Catalog:
    with path.open("rb") as handle:
        return read_po(handle, locale=locale)


def update() -> None:
    template = extract()
    (LOCALES_DIR / "messages.pot").write_bytes(_render(template))
    for locale in LOCALES:
        path = _po_path(locale)
        path.parent.mkdir(parents=True, exist_ok=True)
        catalog = _read(path, locale) if path.exists() else Catalog(locale=locale)
        catalog.update(template, no_fuzzy_matching=True)
        catalog.obsolete.clear()
        if locale == "en":  # English is the source language: every message is its own id
            for message in catalog:
                if message.id and not message.string:
                    message.string = message.id
        path.write_bytes(_render(catalog))


def problems() -> list[str]:
    found = []
    template = _render(extract())
    pot = LOCALES_DIR / "messages.pot"
    if not pot.exists() or pot.read_bytes() != template:
        found.append("locales/messages.pot is stale: run `python -m bot.catalogs update`")
    ids = {m.id for m in read_po(io.BytesIO(template)) if m.id}
    for locale in LOCALES:
        path = _po_path(locale)
        if not path.exists():
            found.append(f"{locale}: catalog missing")
            continue
        catalog = _read(path, locale)
        have = {m.id for m in catalog if m.id}
        for missing in sorted(ids - have, key=str):
            found.append(f"{locale}: not in the catalog: {missing!r}")
        for message in catalog:
            if not message.id:
                continue
            if message.fuzzy:
                found.append(f"{locale}: fuzzy: {message.id!r}")
            elif not message.string:
                found.append(f"{locale}: untranslated: {message.id!r}")
        for check_error in _format_errors(catalog):
            found.append(f"{locale}: {check_error}")
    return found


def _format_errors(catalog: Catalog) -> list[str]:
    """Placeholders in a translation must be exactly those of its message id."""

    def fields(text: str) -> set[str]:
        return {name for _, name, _, _ in string.Formatter().parse(text) if name}

    errors = []
    for message in catalog:
        if (
            isinstance(message.id, str)
            and isinstance(message.string, str)
            and message.id
            and message.string
            and fields(message.id) != fields(message.string)
        ):
            errors.append(f"placeholders differ in {message.id!r}")
    return errors


def compile_all() -> None:
    for locale in LOCALES:
        path = _po_path(locale)
        with path.with_suffix(".mo").open("wb") as handle:
            write_mo(handle, _read(path, locale))


def main(argv: list[str]) -> int:
    action = argv[0] if argv else "update"
    if action == "update":
        update()
        compile_all()
        return 0
    if action == "compile":
        compile_all()
        return 0
    if action == "check":
        found = problems()
        for line in found:
            print(line, file=sys.stderr)
        return 1 if found else 0
    print("usage: python -m bot.catalogs [update|check|compile]", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
