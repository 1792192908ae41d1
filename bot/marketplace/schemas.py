"""The marketplace's JSON documents (chopni-platform.openapi.yaml), parsed and validated.

These models are the one place where the wire format is known; everything past them works with
validated values. Unknown fields are ignored so the marketplace can add some without breaking us.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field

from bot.domain.lifecycle import Resolution, Status


def _money(value: str) -> str:
    Decimal(value)  # the pattern below already guarantees this parses
    return value


Money = Annotated[str, Field(pattern=r"^-?[0-9]+(\.[0-9]{1,2})?$"), AfterValidator(_money)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class OrderItem(_Model):
    sku: str | None = None
    title: str
    quantity: int = Field(ge=1)
    unit_price: Money


class Delivery(_Model):
    option: str
    carrier: str
    label: str
    max_days: int = Field(ge=1)


class Buyer(_Model):
    alias: str = "Buyer"


class ShipTo(_Model):
    name: str
    line1: str
    line2: str | None = None
    city: str
    postcode: str
    country: str


class Order(_Model):
    id: str = Field(min_length=1, max_length=100)
    number: str = Field(min_length=1, max_length=50)
    seller_id: str = Field(min_length=1, max_length=100)
    status: Status
    placed_at: AwareDatetime
    paid_at: AwareDatetime | None = None
    currency: str = Field(min_length=3, max_length=3)
    total: Money
    items: list[OrderItem] = Field(min_length=1)
    delivery: Delivery
    preparation_days: int | None = Field(default=None, ge=0)
    ship_by: AwareDatetime | None = None
    buyer: Buyer = Buyer()
    ship_to: ShipTo | None = None
    tracking_number: str | None = None
    delivered_at: AwareDatetime | None = None
    return_window_ends_at: AwareDatetime | None = None
    updated_at: AwareDatetime | None = None


class Attachment(_Model):
    id: str
    filename: str
    content_type: str
    size: int = Field(ge=0)


class Message(_Model):
    id: str
    order_id: str
    author: Literal["buyer", "seller", "staff"]
    text: str
    sent_at: AwareDatetime
    attachments: list[Attachment] = []


class StatusChangeRequest(_Model):
    """The body of ``POST /v1/orders/{id}/status`` — the manual's "Change Order Status"."""

    status: Status
    comment: str | None = Field(default=None, max_length=2000)
    tracking_number: str | None = None
    carrier: str | None = None
    resolution: Resolution | None = None

    def to_json(self) -> dict[str, Any]:
        return self.model_dump(mode="json", exclude_none=True)


class Problem(_Model):
    """RFC 9457 problem details, as the marketplace sends them."""

    type: str | None = None
    title: str | None = None
    status: int | None = None
    detail: str | None = None
    current_status: Status | None = None


# Webhook events ---------------------------------------------------------------------------------


class OrderEventData(_Model):
    order: Order


class DeliveryVerifiedData(_Model):
    order_id: str
    delivered_at: AwareDatetime
    return_window_ends_at: AwareDatetime


class ReturnRequestedData(_Model):
    order_id: str
    kind: Resolution
    reason: str


class MessageCreatedData(_Model):
    message: Message


EVENT_TYPES = (
    "order.processed",
    "order.updated",
    "order.delivery_verified",
    "order.return_requested",
    "message.created",
)

_DATA_MODELS: dict[str, type[_Model]] = {
    "order.processed": OrderEventData,
    "order.updated": OrderEventData,
    "order.delivery_verified": DeliveryVerifiedData,
    "order.return_requested": ReturnRequestedData,
    "message.created": MessageCreatedData,
}


class Envelope(_Model):
    id: str = Field(min_length=1, max_length=200)
    type: str
    created_at: datetime
    data: dict[str, Any]

    def parsed_data(self) -> _Model | None:
        """The event's data as its model, or None for an event type this bot does not know."""
        model = _DATA_MODELS.get(self.type)
        return model.model_validate(self.data) if model else None
