"""What the words around a number say it is, and spans that are never a phone number.

A digit run that could be a phone number is judged by the nearest cue word before it (or, failing
that, just after it): "телефон", "обади се", "viber" make it a phone; "товарителница", "фактура",
"tracking" make it something else; "поръчка", "ЕИК", "№" only rule out numbers that are not
mobile numbers. A cue only speaks for the first number after it, so "поръчка 100234, пиши на
0888 123 456" still hides the phone.
"""

from __future__ import annotations

import bisect
import enum
import re

_PHONE_CUES = (
    r"телефон\w*|тел|моб\w*|gsm|джиесем\w*|обад\w*|обаж\w*|звън\w*|позвън\w*|набер\w*|"
    r"пиши|пишете|смс|есемес\w*|sms|вайб\w*|viber|уатсап\w*|уотсап\w*|вотсап\w*|вацап\w*|"
    r"whats\s?app|телеграм\w*|telegram|сигнал|signal|контакт\w*|връзка|"
    r"номер(?:а|ът)?\s+ми|моя(?:т)?\s+номер|личния\w*\s+номер|"
    r"phone\w*|tel|mob|mobile|cell\w*|call\w*|ring|text|texting|contact\w*|reach|"
    r"my\s+number|number\s+is|dial"
)
#: Words that introduce the long numbers of shipping, billing and products.
_NOT_PHONE_CUES = (
    r"товарителниц\w*|пратк\w*|проследяван\w*|проследи|tracking|track\w*|waybill|awb|"
    r"shipment|parcel|consignment|"
    r"фактур\w*|invoice\w*|iban|сметк\w*|account|ваучер\w*|voucher|gift\s?card|"
    r"карт[аи]\w*|card|ref|reference|референ\w*|баркод\w*|barcode|ean|upc|gtin|isbn|"
    r"сериен|serial|imei|партида|batch|код\w*|code|zip|postcode|каталог\w*|каталож\w*|catalog\w*|"
    r"номер\s+на\s+(?:пратка|фактура|товарителница)"
)
#: Words of everyday order talk, and couriers' names: they do not hide a mobile number
#: ("За поръчки: 0888 123 456", "телефон на Еконт 0888 123 456").
_ORDER_TALK_CUES = (
    r"поръчк\w*|order\w*|еик|булстат|bulstat|eik|uic|ддс|vat|sku|артикул\w*|"
    r"размер\w*|size\w*|мерки|модел\w*|model|егн|пин|pin|ид|id|"
    r"econt|еконт\w*|speedy|спиди|dhl|ups|fedex|usps|връщан\w*|return\w*|"
    r"рекламац\w*|транзакц\w*|transaction\w*|оборот\w*|тираж\w*"
)
_CUES = re.compile(
    rf"(?<!\w)(?:(?P<phone>{_PHONE_CUES})|(?P<not_phone>{_NOT_PHONE_CUES})"
    rf"|(?P<order_talk>{_ORDER_TALK_CUES}))(?!\w)|(?P<order_mark>[#№])"
)
_BEFORE = 48
_LABEL_GAP = 3  # "товарителница: 0888…" — the cue labels the number itself
_AFTER = 24
_DIGIT = re.compile(r"\d")

_DAY = r"(?:0?[1-9]|[12]\d|3[01])"
_MONTH = r"(?:0?[1-9]|1[0-2])"
_PROTECTED = re.compile(
    "|".join(
        (
            # 22.11.2026, 22/11/26, 22.11 — but not one piece of 088.812.34.56
            rf"(?<![\d.])(?<!\d[./]){_DAY}([./]){_MONTH}(?:\1(?:19|20)?\d\d)?(?![./]?\d)",
            rf"(?<!\d){_DAY}-{_MONTH}-(?:19|20)\d\d(?!\d)",
            rf"(?<!\d)(?:19|20)\d\d([-./]){_MONTH}\2{_DAY}(?!\d)",
            # IBAN, with or without its groups spaced out
            r"(?<![a-z0-9])[a-z]{2}\d\d(?:\s?[a-z0-9]{4}){2,7}(?:\s?[a-z0-9]{1,4})?(?![a-z0-9])",
        )
    )
)


class Cue(enum.Enum):
    PHONE = "phone"
    NOT_PHONE = "not_phone"
    ORDER_TALK = "order_talk"


_KINDS = {
    "phone": Cue.PHONE,
    "not_phone": Cue.NOT_PHONE,
    "order_talk": Cue.ORDER_TALK,
    "order_mark": Cue.ORDER_TALK,
}


class Cues:
    """The cue words of one normalised message, looked up by position."""

    def __init__(self, text: str) -> None:
        self._text = text
        self._found: list[tuple[int, int, Cue]] = [
            (match.start(), match.end(), _KINDS[match.lastgroup or ""])
            for match in _CUES.finditer(text)
        ]
        self._starts = [start for start, _, _ in self._found]

    def around(self, start: int, end: int) -> Cue | None:
        """The cue speaking for the number at [start, end), if any.

        Looking back, a cue right before the number ("товарителница: 0888…") speaks for it;
        otherwise a phone cue in reach wins over nearer ones ("телефон на куриера за пратката
        0888…"). Looking ahead, only the nearest cue counts.
        """
        nearest: Cue | None = None
        index = bisect.bisect_right(self._starts, start) - 1
        reach = start
        while index >= 0:
            cue_start, cue_end, cue = self._found[index]
            index -= 1
            if cue_end > reach:
                continue
            if start - cue_end > _BEFORE or _DIGIT.search(self._text, cue_end, reach):
                break
            if cue is Cue.PHONE or (nearest is None and start - cue_end <= _LABEL_GAP):
                return cue
            nearest = nearest or cue
            reach = cue_start
        if nearest is not None:
            return nearest
        index = bisect.bisect_left(self._starts, end)
        if index < len(self._found):
            cue_start, _, cue = self._found[index]
            if cue_start - end <= _AFTER and not _DIGIT.search(self._text, end, cue_start):
                return cue
        return None


def protected_spans(text: str) -> list[tuple[int, int]]:
    """Dates and bank account numbers: digit runs that must never be read as phones."""
    return [match.span() for match in _PROTECTED.finditer(text)]
