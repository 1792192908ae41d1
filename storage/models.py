"""Tables. SQLAlchemy 2 declarative style, timezone-aware timestamps, Telegram ids as BigInteger.

Every table that the bot writes from more than one place names its constraints through the
metadata's naming convention so migrations stay reviewable.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    text,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Timestamp(TypeDecorator[datetime]):
    """A timezone-aware UTC timestamp on every backend (SQLite keeps no zone of its own)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are not stored; pass an aware one")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return None if value is None else _as_utc(value)

    def result_processor(self, dialect: Dialect, coltype: object) -> Any:
        if dialect.name != "sqlite":
            return super().result_processor(dialect, coltype)
        # SQLite hands back the ISO text SQLAlchemy stored; one C-level parse per value instead
        # of SQLAlchemy's regular expression and a second pass (a large sweep reads a million).
        return _sqlite_timestamp


def _sqlite_timestamp(value: str | datetime | None) -> datetime | None:
    if value is None:
        return None
    return _as_utc(datetime.fromisoformat(value) if isinstance(value, str) else value)


def _as_utc(moment: datetime) -> datetime:
    """A stored moment in UTC; one without a zone was stored in UTC."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        datetime: Timestamp(),
        dict[str, Any]: JSON,
        list[Any]: JSON,
    }


class Seller(Base):
    """A marketplace seller, with the preferences that belong to the shop, not to one phone."""

    __tablename__ = "sellers"

    id: Mapped[str] = mapped_column(String(100), primary_key=True)
    name: Mapped[str | None] = mapped_column(String(200))
    timezone: Mapped[str | None] = mapped_column(String(64))
    reminder_hour: Mapped[int | None] = mapped_column(Integer)
    digest_enabled: Mapped[bool] = mapped_column(Boolean, default=True, server_default="1")
    #: the weekly performance card, on the first day of each week at the reminder hour
    weekly_card_enabled: Mapped[bool] = mapped_column(Boolean, default=True, server_default="1")
    reconciled_at: Mapped[datetime | None]
    #: away mode: on until the start of this local date, answering buyers with ``away_message``
    away_until: Mapped[date | None] = mapped_column(Date)
    away_message: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class TelegramAccount(Base):
    """A Telegram user who talks to the bot; linked to at most one seller."""

    __tablename__ = "telegram_accounts"

    user_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    chat_id: Mapped[int] = mapped_column(BigInteger)
    seller_id: Mapped[str | None] = mapped_column(ForeignKey("sellers.id"), index=True)
    locale: Mapped[str | None] = mapped_column(String(8))
    telegram_locale: Mapped[str | None] = mapped_column(String(16))
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default="1")
    linked_at: Mapped[datetime | None]
    blocked_at: Mapped[datetime | None]
    #: "owner" or "staff" (see bot.team.roles); accounts linked before roles existed are owners
    role: Mapped[str] = mapped_column(String(16), default="owner", server_default="owner")
    #: as Telegram last reported it, to tell the team who did what
    first_name: Mapped[str | None] = mapped_column(String(64))


class LinkCode(Base):
    """A one-time code that links a Telegram account to a seller. Only its hash is kept."""

    __tablename__ = "link_codes"

    code_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    seller_id: Mapped[str] = mapped_column(ForeignKey("sellers.id"), index=True)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
    used_by: Mapped[int | None] = mapped_column(BigInteger)
    #: the role the linked account gets: marketplace codes make owners, team invites staff
    role: Mapped[str] = mapped_column(String(16), default="owner", server_default="owner")


class LinkAttempt(Base):
    """A /start code that linked nothing, kept a while so that guessing codes is slowed down."""

    __tablename__ = "link_attempts"
    __table_args__ = (Index("ix_link_attempts_user_id", "user_id", "attempted_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(BigInteger)
    attempted_at: Mapped[datetime]


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


class SavedReply(Base):
    """A seller's saved answer to a common buyer question, with placeholders filled at use."""

    __tablename__ = "saved_replies"
    __table_args__ = (Index("ix_saved_replies_seller_position", "seller_id", "position"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    seller_id: Mapped[str] = mapped_column(ForeignKey("sellers.id"))
    position: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


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


class Lease(Base):
    """A named lease held by one process (the Telegram poller, the reminder sweep)."""

    __tablename__ = "leases"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    holder: Mapped[str] = mapped_column(String(128))
    expires_at: Mapped[datetime]


class SandboxRecord(Base):
    """The built-in sandbox marketplace's own state (orders, messages, idempotent answers)."""

    __tablename__ = "sandbox_records"
    __table_args__ = (Index("ix_sandbox_records_kind_parent", "kind", "parent"),)

    kind: Mapped[str] = mapped_column(String(32), primary_key=True)
    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    parent: Mapped[str | None] = mapped_column(String(255))
    data: Mapped[dict[str, Any]]
    updated_at: Mapped[datetime]


class SandboxFile(Base):
    """Bytes uploaded to the sandbox marketplace."""

    __tablename__ = "sandbox_files"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(128))
    size: Mapped[int] = mapped_column(Integer)
    data: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime]
