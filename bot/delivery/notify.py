"""Pushing messages to every Telegram account of a seller, through the durable outbox.

Each account reads in its own language; the text is rendered now, inside the caller's
transaction, so a notification is committed together with the event that caused it. What a
message looks like is not decided here: the caller passes a :data:`Render` (built by
``bot.presentation``) that turns a :class:`Recipient` into text and buttons.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from telegram import InlineKeyboardMarkup

from bot.delivery.telegram_outbox import enqueue
from bot.domain.quiet_hours import QuietHours, is_quiet
from bot.i18n import pick_locale
from storage import repositories
from storage.models import Seller, TelegramAccount, TelegramOutbox


@dataclass(frozen=True, slots=True)
class Recipient:
    """Who reads a message: their language and the seller's time zone."""

    locale: str
    timezone: str


#: a message as Telegram shows it: HTML text and, perhaps, inline buttons
Message = tuple[str, InlineKeyboardMarkup | None]
Render = Callable[[Recipient], Message]


@dataclass(frozen=True, slots=True)
class SellerDefaults:
    """What a seller gets until they choose (DEFAULT_LOCALE, DEFAULT_TIMEZONE, REMINDER_HOUR)."""

    locale: str = "bg"
    timezone: str = "Europe/Sofia"
    reminder_hour: int = 9


def recipient_for(
    account: TelegramAccount | None, seller: Seller | None, defaults: SellerDefaults
) -> Recipient:
    locale = pick_locale(
        account.locale if account else None,
        account.telegram_locale if account else None,
        defaults.locale,
    )
    timezone = (seller.timezone if seller else None) or defaults.timezone
    return Recipient(locale=locale, timezone=timezone)


def message_params(
    chat_id: int, text: str, markup: InlineKeyboardMarkup | None
) -> dict[str, object]:
    params: dict[str, object] = {
        "chat_id": chat_id,
        "text": text,
        "parse_mode": "HTML",
        "link_preview_options": {"is_disabled": True},
    }
    if markup is not None:
        params["reply_markup"] = markup.to_dict()
    return params


def quiet_hours_of(seller: Seller | None) -> QuietHours:
    if seller is None:
        return QuietHours()
    return QuietHours.of(seller.quiet_start, seller.quiet_end, seller.quiet_enabled)


def silent_now(seller: Seller | None, defaults: SellerDefaults, now: datetime | None) -> bool:
    """Whether a notification to ``seller`` at ``now`` should arrive without a sound."""
    zone = (seller.timezone if seller else None) or defaults.timezone
    return is_quiet(now or datetime.now(UTC), zone, quiet_hours_of(seller))


async def notify_seller(
    session: AsyncSession,
    seller_id: str,
    render: Render,
    *,
    dedupe: str,
    defaults: SellerDefaults,
    now: datetime | None = None,
) -> int:
    """Queue one message per linked account; returns how many were queued. Inside the seller's
    quiet hours (at ``now``) they arrive silently."""
    seller = await repositories.seller(session, seller_id)
    silent = silent_now(seller, defaults, now)
    accounts = await repositories.seller_accounts(session, seller_id)
    keys = {account.chat_id: f"{dedupe}:{account.chat_id}" for account in accounts}
    # The same notification twice (a replayed or re-sent event) is queued once.
    done = set(
        (
            await session.scalars(
                select(TelegramOutbox.dedupe_key).where(
                    TelegramOutbox.dedupe_key.in_(keys.values())
                )
            )
        ).all()
    )
    count = 0
    for account in accounts:
        if keys[account.chat_id] in done:
            continue
        text, markup = render(recipient_for(account, seller, defaults))
        params = message_params(account.chat_id, text, markup)
        if silent:
            params["disable_notification"] = True
        enqueue(
            session,
            account.chat_id,
            "sendMessage",
            params,
            dedupe_key=keys[account.chat_id],
        )
        count += 1
    return count
