"""Recording how a Telegram outbox send ended, in one transaction afterwards.

A message may carry several rows (sales listed together): they are settled together when it
was sent; when it was not, the head of the chat's queue is retried or given up, and the rows
that went with it wait behind it again.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.database import Database
from storage.models import RelayLink, TelegramAccount, TelegramOutbox

log = logging.getLogger(__name__)


def _now() -> datetime:
    return datetime.now(UTC)


class Settle:
    """How a send ended, recorded in one transaction afterwards."""

    def __init__(
        self,
        *,
        sent: int | None = None,
        retry_in: float | None = None,
        failed: str | None = None,
        blocked: bool = False,
        error: str | None = None,
    ) -> None:
        self.sent, self.retry_in, self.failed = sent, retry_in, failed
        self.blocked, self.error = blocked, error


async def record(
    db: Database,
    head: TelegramOutbox,
    carried: Sequence[int],
    outcome: Settle,
    *,
    owner: str | None = None,
) -> None:
    """Settle the rows (``carried``: ids, the head's first) one message carried: sent together,
    or the head retried or failed (only while the claim is still ``owner``'s: one taken over is
    the new owner's to settle)."""
    now = _now()
    async with db.transaction() as session:
        if outcome.sent is not None:
            await _settle_sent(session, head, carried, outcome.sent, now)
        else:
            await _settle_head(session, carried, outcome, owner, now)
        await session.commit()


async def _settle_sent(
    session: AsyncSession, head: TelegramOutbox, carried: Sequence[int], sent: int, now: datetime
) -> None:
    """Every row the message carried is sent, in one statement, without reading them back
    (one not sent before, that is: a row is never sent twice)."""
    settled = (
        await session.scalars(
            update(TelegramOutbox)
            .where(TelegramOutbox.id.in_(carried), TelegramOutbox.sent_at.is_(None))
            .values(
                claimed_by=None,
                attempts=TelegramOutbox.attempts + 1,
                sent_at=now,
                telegram_message_id=sent or None,
            )
            .returning(TelegramOutbox.id)
            .execution_options(synchronize_session=False)
        )
    ).all()
    if not settled:
        return
    first = min(settled)
    row = head if first == head.id else await session.get(TelegramOutbox, first)
    if row is not None:
        _link_relay(session, row, sent, now)


async def _settle_head(
    session: AsyncSession,
    carried: Sequence[int],
    outcome: Settle,
    owner: str | None,
    now: datetime,
) -> None:
    """Not sent: the head is retried or given up, the rest wait behind it again."""
    rows = (
        await session.scalars(select(TelegramOutbox).where(TelegramOutbox.id.in_(carried)))
    ).all()
    rows = sorted((row for row in rows if row.sent_at is None), key=lambda r: r.id)
    if not rows or (owner and rows[0].claimed_by != owner):
        return
    for row in rows:
        row.claimed_by = None
    await _settle_unsent(session, rows[0], outcome, now)
    for row in rows[1:]:
        row.next_attempt_at = now  # behind the head again, in order


def _link_relay(session: AsyncSession, row: TelegramOutbox, sent: int, now: datetime) -> None:
    relay = row.payload.get("relay")
    if relay and sent:
        session.add(
            RelayLink(
                chat_id=row.chat_id,
                telegram_message_id=sent,
                order_id=relay["order_id"],
                marketplace_message_id=relay.get("marketplace_message_id"),
                created_at=now,
            )
        )


async def _settle_unsent(
    session: AsyncSession, row: TelegramOutbox, outcome: Settle, now: datetime
) -> None:
    row.attempts += 1
    if outcome.failed is not None:
        row.failed_at = now
        row.last_error = outcome.failed[:2000]
        if outcome.blocked:
            await session.execute(
                update(TelegramAccount)
                .where(TelegramAccount.chat_id == row.chat_id)
                .values(active=False, blocked_at=now)
            )
            log.info("chat %s blocked the bot; its link is deactivated", row.chat_id)
    else:
        row.last_error = (outcome.error or "")[:2000]
        row.next_attempt_at = now + timedelta(seconds=outcome.retry_in or 1.0)
