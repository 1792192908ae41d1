"""The order replica, its history, the buyer conversation kept for the board, weekly cards."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base, utcnow


class Order(Base):
    """The local replica of a marketplace order, plus what only the bot tracks about it."""

    __tablename__ = "orders"
    __table_args__ = (
        Index("ix_orders_seller_status", "seller_id", "status"),
        Index("ix_orders_status_ship_by", "status", "ship_by"),
        Index("ix_orders_status_deliver_by", "status", "deliver_by"),
        Index("ix_orders_status_completed_at", "status", "completed_at"),
        Index("ix_orders_return_open", "return_requested_at", "return_answered_at"),
        #: the board's weekly figures read a seller's orders by their ship-by deadline
        Index("ix_orders_seller_ship_by", "seller_id", "ship_by"),
    )

    id: Mapped[str] = mapped_column(String(100), primary_key=True)
    number: Mapped[str] = mapped_column(String(50), unique=True)
    seller_id: Mapped[str] = mapped_column(ForeignKey("sellers.id"))
    status: Mapped[str] = mapped_column(String(16))
    placed_at: Mapped[datetime]
    paid_at: Mapped[datetime | None]
    currency: Mapped[str] = mapped_column(String(3))
    total: Mapped[str] = mapped_column(String(32))
    items: Mapped[list[Any]]
    delivery: Mapped[dict[str, Any]]
    preparation_days: Mapped[int | None] = mapped_column(Integer)
    ship_by: Mapped[datetime | None]
    deliver_by: Mapped[datetime | None]
    buyer_alias: Mapped[str] = mapped_column(String(100))
    ship_to: Mapped[dict[str, Any] | None]
    tracking_number: Mapped[str | None] = mapped_column(String(64))
    carrier: Mapped[str | None] = mapped_column(String(32))
    shipped_at: Mapped[datetime | None]
    completed_at: Mapped[datetime | None]
    delivered_at: Mapped[datetime | None]
    return_window_ends_at: Mapped[datetime | None]
    return_requested_at: Mapped[datetime | None]
    return_kind: Mapped[str | None] = mapped_column(String(16))
    return_reason: Mapped[str | None] = mapped_column(Text)
    return_answered_at: Mapped[datetime | None]
    snoozed_until: Mapped[datetime | None]
    remote_updated_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class HistoryEntry(Base):
    """One line of the append-only Order Status History, local or from the marketplace."""

    __tablename__ = "order_history"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    order_id: Mapped[str] = mapped_column(ForeignKey("orders.id"), index=True)
    status: Mapped[str] = mapped_column(String(16))
    comment: Mapped[str | None] = mapped_column(Text)
    tracking_number: Mapped[str | None] = mapped_column(String(64))
    carrier: Mapped[str | None] = mapped_column(String(32))
    resolution: Mapped[str | None] = mapped_column(String(16))
    #: "seller" (through this bot), "marketplace" (learnt from a webhook) or "reconcile"
    source: Mapped[str] = mapped_column(String(16))
    actor_telegram_id: Mapped[int | None] = mapped_column(BigInteger)
    #: "pending" until the marketplace accepted it, then "synced"; "refused" on 409/4xx;
    #: "remote" for entries that came from the marketplace itself
    sync_state: Mapped[str] = mapped_column(String(16))
    sync_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]
    synced_at: Mapped[datetime | None]


class OrderMessage(Base):
    """A buyer's (or the marketplace staff's) message about an order, contact details masked.

    Kept for the board's conversation view and the first-reply figures; the seller's own replies
    are the marketplace outbox rows of kind ``message``.
    """

    __tablename__ = "order_messages"
    __table_args__ = (Index("ix_order_messages_seller_sent", "seller_id", "sent_at"),)

    id: Mapped[str] = mapped_column(String(100), primary_key=True)
    order_id: Mapped[str] = mapped_column(ForeignKey("orders.id"), index=True)
    seller_id: Mapped[str] = mapped_column(String(100))
    #: "buyer" or "staff"
    author: Mapped[str] = mapped_column(String(16))
    text: Mapped[str] = mapped_column(Text)
    attachments: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    sent_at: Mapped[datetime]


class WeeklyCard(Base):
    """The weekly performance card a seller got: at most one per seller and week."""

    __tablename__ = "weekly_cards"

    seller_id: Mapped[str] = mapped_column(ForeignKey("sellers.id"), primary_key=True)
    #: the local Monday of the week the card is about
    week_start: Mapped[date] = mapped_column(Date, primary_key=True)
    sent_at: Mapped[datetime]
