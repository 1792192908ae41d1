"""Sellers, their Telegram accounts, link codes and saved replies."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base, utcnow


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
    #: quiet hours, local whole hours (None: the default 22-08); notifications inside them arrive
    #: silently and the digest waits for their end
    quiet_start: Mapped[int | None] = mapped_column(Integer)
    quiet_end: Mapped[int | None] = mapped_column(Integer)
    quiet_enabled: Mapped[bool] = mapped_column(Boolean, default=True, server_default="1")
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
