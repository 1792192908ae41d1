"""The names of the kinds of contact detail the relay hides, as a seller reads them in a notice."""

from __future__ import annotations

from collections.abc import Iterable

from bot.domain.masking import ContactKind
from bot.i18n import Gettext


def contact_kind_names(kinds: Iterable[ContactKind], _: Gettext) -> str:
    """The kinds found, named in the masker's order: "phone numbers, links"."""
    names = {
        ContactKind.PHONE: _("phone numbers"),
        ContactKind.EMAIL: _("e-mail addresses"),
        ContactKind.LINK: _("links"),
        ContactKind.HANDLE: _("messenger handles and profiles"),
        ContactKind.BANK_ACCOUNT: _("bank accounts"),
        ContactKind.PAYMENT: _("payment handles and links"),
        ContactKind.ADDRESS: _("street addresses"),
    }
    found = set(kinds)
    return ", ".join(names[kind] for kind in ContactKind if kind in found)
