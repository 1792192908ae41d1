"""Payment services a buyer and a seller could settle a sale on outside the marketplace.

A handle or a link next to one of these names is a payment handle, not a messenger's: "Revolut
@ivanp", "revtag: ivanp", "paypal.me/ivanp". The names themselves stay visible.
"""

from __future__ import annotations

import re

#: Names of payment services and their handles, as regex alternatives for the normalised text.
NAMES = (
    r"revolut\w*|револют\w*|revtag|ревтаг\w*|paypal|pay\s?pal|пейпал\w*|пей\s?пал\w*|"
    r"transferwise|monzo|skrill|скрил\w*|payoneer|venmo|cash\s?app|zelle|iris\s?pay|ирис\s?пей"
)
#: Names that are also everyday words ("a wise choice"): only a colon or a dash makes what
#: follows them a handle.
AMBIGUOUS_NAMES = r"wise|уайз"
_NEAR = re.compile(rf"(?<!\w)(?:{NAMES}|{AMBIGUOUS_NAMES})(?!\w)")
_BEFORE = 40
_AFTER = 30


def near_payment(text: str, start: int, end: int) -> bool:
    """Whether a payment service is named just before or just after [start, end)."""
    before = text[max(0, start - _BEFORE) : start]
    after = text[end : end + _AFTER]
    return bool(_NEAR.search(before) or _NEAR.search(after))
