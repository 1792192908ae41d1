"""The inbox, both outboxes, relay links, leases, PTB state and digest records."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base


class InboxEvent(Base):
    """A marketplace webhook, stored before it is acknowledged; its id makes replays no-ops."""

    __tablename__ = "inbox_events"
    __table_args__ = (Index("ix_inbox_events_pending", "processed_at", "received_at"),)

    id: Mapped[str] = mapped_column(String(200), primary_key=True)
    type: Mapped[str] = mapped_column(Text)
    payload: Mapped[dict[str, Any]]
    received_at: Mapped[datetime]
    processed_at: Mapped[datetime | None]
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    error: Mapped[str | None] = mapped_column(Text)


class MarketplaceOutbox(Base):
    """A change for the marketplace, committed with the local change that caused it."""

    __tablename__ = "marketplace_outbox"
    __table_args__ = (Index("ix_marketplace_outbox_due", "delivered_at", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    order_id: Mapped[str] = mapped_column(ForeignKey("orders.id"), index=True)
    history_id: Mapped[int | None] = mapped_column(ForeignKey("order_history.id"))
    idempotency_key: Mapped[str] = mapped_column(String(255), unique=True)
    payload: Mapped[dict[str, Any]]
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    next_attempt_at: Mapped[datetime]
    delivered_at: Mapped[datetime | None]
    failed_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]
    #: the process delivering it now (an :class:`Owner`); None while it waits
    claimed_by: Mapped[str | None] = mapped_column(String(128))


class TelegramOutbox(Base):
    """A bot message that must reach a chat; committed with the event that caused it."""

    __tablename__ = "telegram_outbox"
    __table_args__ = (
        #: each chat's unsettled messages in order: the sender claims the head of each queue
        Index(
            "ix_telegram_outbox_unsettled",
            "chat_id",
            "id",
            sqlite_where=text("sent_at IS NULL AND failed_at IS NULL"),
            postgresql_where=text("sent_at IS NULL AND failed_at IS NULL"),
        ),
        UniqueConstraint("dedupe_key", name="uq_telegram_outbox_dedupe_key"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    chat_id: Mapped[int] = mapped_column(BigInteger, index=True)
    #: a Bot API method and its parameters, plus optional relay bookkeeping
    payload: Mapped[dict[str, Any]]
    dedupe_key: Mapped[str | None] = mapped_column(String(255))
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    next_attempt_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]
    failed_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    telegram_message_id: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[datetime]
    #: the process sending it now (an :class:`Owner`); None while it waits
    claimed_by: Mapped[str | None] = mapped_column(String(128))
    #: waiting messages of the same kind for one chat may go out as one ("sale", "buyer:…");
    #: a "summary" (digest, weekly card) is never combined, and what waits behind it may pass it
    coalesce_kind: Mapped[str | None] = mapped_column(String(32))


class RelayLink(Base):
    """Which Telegram message carries which marketplace message, so replies find their way back."""

    __tablename__ = "relay_links"
    __table_args__ = (
        UniqueConstraint("chat_id", "telegram_message_id", name="uq_relay_links_chat_message"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    chat_id: Mapped[int] = mapped_column(BigInteger)
    telegram_message_id: Mapped[int] = mapped_column(BigInteger)
    order_id: Mapped[str] = mapped_column(ForeignKey("orders.id"), index=True)
    marketplace_message_id: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime]


class ConversationState(Base):
    """PTB persistence rows: conversation states and per-user/chat/bot data, as JSON."""

    __tablename__ = "conversation_state"

    kind: Mapped[str] = mapped_column(String(32), primary_key=True)
    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    data: Mapped[Any] = mapped_column(JSON)
    updated_at: Mapped[datetime]


class DigestRecord(Base):
    """The daily digest a seller got, one per local day whatever the number of processes."""

    __tablename__ = "digests"

    seller_id: Mapped[str] = mapped_column(ForeignKey("sellers.id"), primary_key=True)
    local_date: Mapped[date] = mapped_column(Date, primary_key=True)
    order_count: Mapped[int] = mapped_column(Integer)
    sent_at: Mapped[datetime]


class Lease(Base):
    """A named lease held by one process (the Telegram poller, the reminder sweep)."""

    __tablename__ = "leases"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    holder: Mapped[str] = mapped_column(String(128))
    expires_at: Mapped[datetime]


class Owner(Base):
    """A running bot process; the lock it holds (``bot.delivery.liveness``) says if it lives."""

    __tablename__ = "owners"

    id: Mapped[str] = mapped_column(String(128), primary_key=True)
    started_at: Mapped[datetime]
    #: its heartbeat: an owner alive but stuck stops beating
    seen_at: Mapped[datetime]
