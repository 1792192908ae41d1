"""Pushing messages to every Telegram account of a seller, through the durable outbox.

Each account reads in its own language; the text is rendered now, inside the caller's
transaction, so a notification is committed together with the event that caused it. What a
message looks like is not decided here: the caller passes a :data:`Render` (built by
``bot.presentation``) that turns a :class:`Recipient` into text and buttons.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from telegram import InlineKeyboardMarkup

from bot.delivery.telegram_outbox import enqueue, outbox_row
from bot.domain.quiet_hours import QuietHours, is_quiet
from bot.i18n import pick_locale
from storage import repositories
from storage.models import Seller, TelegramAccount, TelegramOutbox


@dataclass(frozen=True, slots=True)
class Recipient:
    """Who reads a message: their language, the seller's time zone, and their role in the shop
    (``"owner"`` or ``"staff"``: staff are not offered what only the owner may do)."""

    locale: str
    timezone: str
    role: str = "owner"


#: a message as Telegram shows it: HTML text and, perhaps, inline buttons (as Telegram's
#: objects, or already as the Bot API's JSON)
Message = tuple[str, InlineKeyboardMarkup | Mapping[str, Any] | None]
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
    role = account.role if account is not None and account.role else "owner"
    return Recipient(locale=locale, timezone=timezone, role=role)


def message_params(
    chat_id: int, text: str, markup: InlineKeyboardMarkup | Mapping[str, Any] | None
) -> dict[str, object]:
    params: dict[str, object] = {
        "chat_id": chat_id,
        "text": text,
        "parse_mode": "HTML",
        "link_preview_options": {"is_disabled": True},
    }
    if isinstance(markup, InlineKeyboardMarkup):
        params["reply_markup"] = markup.to_dict()
    elif markup is not None:
        params["reply_markup"] = dict(markup)
    return params


def quiet_hours_of(seller: Seller | None) -> QuietHours:
    if seller is None:
        return QuietHours()
    return QuietHours.of(seller.quiet_start, seller.quiet_end, seller.quiet_enabled)


def silent_now(seller: Seller | None, defaults: SellerDefaults, now: datetime | None) -> bool:
    """Whether a notification to ``seller`` at ``now`` should arrive without a sound."""
    zone = (seller.timezone if seller else None) or defaults.timezone
    return is_quiet(now or datetime.now(UTC), zone, quiet_hours_of(seller))


#: the kind of notification that several of, waiting for one chat, go out as one: a new sale
SALE_NOTICE = "sale"


def sale_summary(
    number: str,
    total: str,
    currency: str,
    ship_by: datetime | None,
    *,
    away_until: date | None = None,
) -> dict[str, Any]:
    """What a sale notification says, kept beside it in the outbox for a combined message
    (``away_until``: the owner is away, back on that date)."""
    summary: dict[str, Any] = {
        "number": number,
        "total": total,
        "currency": currency,
        "ship_by": ship_by.isoformat() if ship_by else None,
    }
    if away_until is not None:
        summary["away_until"] = away_until.isoformat()
    return summary


async def notify_seller(
    session: AsyncSession,
    seller_id: str,
    render: Render,
    *,
    dedupe: str,
    defaults: SellerDefaults,
    now: datetime | None = None,
    coalesce: tuple[str, dict[str, Any]] | None = None,
    fresh: bool = False,
    queue: list[dict[str, Any]] | None = None,
) -> int:
    """Queue one message per linked account; returns how many were queued. Inside the seller's
    quiet hours (at ``now``) they arrive silently.

    ``coalesce`` (kind, what it says) lets several such messages waiting for one chat go out as
    one; each account's copy also carries the language and time zone it is read in (and whether
    it is silent). ``fresh``: its subject was created in this very transaction, so nothing can
    have been queued for it. ``queue``: the rows are added to it, for the caller to write many
    at once (``enqueue_many`` before it commits), instead of one by one.
    """
    seller = await repositories.seller(session, seller_id)
    silent = silent_now(seller, defaults, now)
    accounts = await repositories.seller_accounts(session, seller_id)
    keys = {account.chat_id: f"{dedupe}:{account.chat_id}" for account in accounts}
    # The same notification twice (a replayed or re-sent event) is queued once.
    done = (
        set()
        if fresh or not keys
        else set(
            (
                await session.scalars(
                    select(TelegramOutbox.dedupe_key).where(
                        TelegramOutbox.dedupe_key.in_(keys.values())
                    )
                )
            ).all()
        )
    )
    if queue is not None:
        done |= {row["dedupe_key"] for row in queue} & set(keys.values())
    count = 0
    for account in accounts:
        if keys[account.chat_id] in done:
            continue
        reader = recipient_for(account, seller, defaults)
        text, markup = render(reader)
        params = message_params(account.chat_id, text, markup)
        if silent:
            params["disable_notification"] = True
        said = (
            None
            if coalesce is None
            else (
                coalesce[0],
                {
                    **coalesce[1],
                    "locale": reader.locale,
                    "timezone": reader.timezone,
                    "silent": silent,
                },
            )
        )
        key = keys[account.chat_id]
        if queue is not None:
            queue.append(
                outbox_row(account.chat_id, "sendMessage", params, dedupe_key=key, coalesce=said)
            )
        else:
            enqueue(session, account.chat_id, "sendMessage", params, dedupe_key=key, coalesce=said)
        count += 1
    return count
