"""A photo of the parcel's label read on the board, as in the chat's SHIPPED step.

``POST /app/api/orders/{number}/label`` takes the picture's bytes; the shipping label reader
(in its worker process, under its limits) reads it against the buyer's carrier. The answer
offers the number for the SHIPPED form, or says in one translated line why there is none;
nothing changes until the seller confirms with "Change Order Status".
"""

from __future__ import annotations

from html import unescape
from typing import Any, Protocol

from bot.domain.tracking import CARRIER_NAMES
from bot.i18n import Gettext
from bot.presentation.shipping import label_refusal
from bot.shipping.labels import LabelReading, Outcome
from storage.models import Order

#: the largest picture taken (a phone's photo is a few megabytes; the page shrinks bigger ones)
MAX_LABEL_BYTES = 8_000_000


class Labels(Protocol):
    async def read(self, data: bytes, expected_carrier: str | None) -> LabelReading: ...


async def read_label(labels: Labels, order: Order, data: bytes, _: Gettext) -> dict[str, Any]:
    """What the photo says for ``order``: ``outcome``, perhaps ``tracking_number``, ``detail``."""
    carrier = order.delivery.get("carrier")
    name = CARRIER_NAMES.get(carrier or "") or order.delivery.get("label") or ""
    if len(data) > MAX_LABEL_BYTES:
        return {
            "outcome": Outcome.TOO_LARGE,
            "detail": unescape(label_refusal("too_large", None, (), name, _)),
        }
    reading = await labels.read(data, carrier)
    if reading.offer is not None:
        offer = reading.offer
        detail = _("On the label: {carrier} {number}").format(
            carrier=offer.carrier_name, number=offer.number
        )
        return {"outcome": reading.outcome, "tracking_number": offer.number, "detail": detail}
    refusal = label_refusal(
        reading.outcome.value,
        reading.found,
        reading.other_carriers,
        name,
        _,
        reading.unchecked.number if reading.unchecked else None,
    )
    return {"outcome": reading.outcome, "detail": unescape(refusal)}
