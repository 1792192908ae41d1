"""Which marketplace ids the bot accepts: ones that stay themselves inside a URL path.

The marketplace's ids go into REST paths (``/v1/sellers/{seller_id}/orders``). A segment that is
only dots (``.``, ``..``) is collapsed by URL normalisation, so the request would reach another
path; the marketplace never issues such an id, and the bot refuses one wherever it comes in.
"""

from __future__ import annotations

import re

#: letters, digits and ``_ . : -``, not starting with a dot (so never only dots)
SELLER_ID_PATTERN = r"^[A-Za-z0-9_:-][A-Za-z0-9_.:-]{0,99}$"
_SELLER_ID = re.compile(SELLER_ID_PATTERN)


def valid_seller_id(value: str) -> bool:
    """True when ``value`` can be a marketplace seller id."""
    return _SELLER_ID.fullmatch(value) is not None


def collapsible_segment(value: str) -> bool:
    """True for a URL path segment that normalisation would remove (``.``, ``..``, empty)."""
    return value.strip(".") == ""


#: an order number as a seller types it (``/order 100234``): what the marketplace issues
ORDER_NUMBER_PATTERN = r"^[0-9A-Za-z-]{1,40}$"
