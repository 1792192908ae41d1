"""Claiming Telegram outbox rows: the head of each chat's queue, and what may go out with it.

A chat's messages go out in order, and only the head of each chat's queue is claimed: a row
never waits in a chat's pacing long enough for its lease to run out (and another process to
send it too). A claim records its owner (``claimed_by``), so the owners' sweep can give back at
once what a dead process held; its lease (``next_attempt_at``) only matters for an owner that
is alive but stuck.

Once a head's turn has come, the messages of the same kind waiting right behind it (sales, for
one message listing them all; a buyer's texts about the same order) go with it: everything
that queued up while the chat waited.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from storage.database import Database
from storage.models import TelegramOutbox

#: at most this many waiting messages are looked at to go out with a head
MAX_FOLLOWERS = 100


def _now() -> datetime:
    return datetime.now(UTC)


def _unsettled() -> list[object]:
    return [TelegramOutbox.sent_at.is_(None), TelegramOutbox.failed_at.is_(None)]


async def claim_heads(
    db: Database, owner: str | None, lease: timedelta, limit: int
) -> list[TelegramOutbox]:
    """Claim the due head of each chat's queue, oldest first."""
    now = _now()
    # The heads come from the index of unsettled rows, so a claim costs the same however many
    # messages are queued or were ever sent.
    heads = (
        select(func.min(TelegramOutbox.id))
        .where(*_unsettled())  # type: ignore[arg-type]
        .group_by(TelegramOutbox.chat_id)
    )
    query = (
        select(TelegramOutbox)
        .where(TelegramOutbox.id.in_(heads), TelegramOutbox.next_attempt_at <= now)
        .order_by(TelegramOutbox.id)
        .limit(limit)
    )
    if not db.is_sqlite:
        query = query.with_for_update(skip_locked=True)
    async with db.transaction() as session:
        rows = list((await session.scalars(query)).all())
        for row in rows:
            row.next_attempt_at = now + lease
            row.claimed_by = owner
        await session.commit()
    return rows


async def waiting_behind(db: Database, head: TelegramOutbox) -> list[TelegramOutbox]:
    """The due messages of the head's kind queued right behind it in its chat, in order.

    Read, not claimed: only the head of a chat's queue is ever claimed, so while this process
    holds the head no other process sends anything of that chat; the rows are settled with
    the head once the message that carries them is sent.
    """
    if head.coalesce_kind is None:
        return []
    now = _now()
    query = (
        select(TelegramOutbox)
        .where(
            TelegramOutbox.chat_id == head.chat_id,
            TelegramOutbox.id > head.id,
            *_unsettled(),  # type: ignore[arg-type]
        )
        .order_by(TelegramOutbox.id)
        .limit(MAX_FOLLOWERS)
    )
    run = []
    async with db.snapshot() as session:
        for row in (await session.scalars(query)).all():
            if row.coalesce_kind != head.coalesce_kind or row.next_attempt_at > now:
                break  # order is kept: nothing jumps over a message of another kind
            run.append(row)
    return run
