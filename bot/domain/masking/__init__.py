"""Hide contact details in a relayed buyer/seller message, and say what was hidden.

    result = mask_contacts("Звънни ми на 0888 123 456")
    result.text      # "Звънни ми на [•••]"
    result.kinds     # frozenset({ContactKind.PHONE})

Phone numbers (also disguised: spaced out, broken up by letters, written in words, with
look-alike letters, keycap emoji or invisible characters, or missing their "0"), e-mail addresses
(also "ivan маймунка abv точка bg", "i v a n @ g m a i l . c o m"), links and bare domains,
messenger handles, bank accounts (IBANs), payment handles and links (Revolut, PayPal…) and street
addresses given to meet or to pick up are replaced by `MASK`. Everything else comes back
unchanged, character for character: order, waybill, invoice and company numbers, prices, dates,
sizes, cities and couriers' offices are not contacts. Links and e-mail addresses on
`allowed_domains` (the marketplace's own) are left alone. Each `Finding` says where in the
original text it lies, so a caller holding positions (text read from a picture) can cover it.
"""

from bot.domain.masking.conversation import EARLIER_MESSAGES, EARLIER_WITHIN, mask_continuing
from bot.domain.masking.engine import mask_contacts
from bot.domain.masking.result import (
    DEFAULT_ALLOWED_DOMAINS,
    MASK,
    ContactKind,
    Finding,
    MaskResult,
)

__all__ = [
    "DEFAULT_ALLOWED_DOMAINS",
    "EARLIER_MESSAGES",
    "EARLIER_WITHIN",
    "MASK",
    "ContactKind",
    "Finding",
    "MaskResult",
    "mask_contacts",
    "mask_continuing",
]
