"""Claiming Telegram outbox rows: the head of each chat's queue, and what may go out with it.

A chat's messages go out in order, and only the head of each chat's queue is claimed. A claim
records its owner (``claimed_by``) and stays that owner's while it lives and beats its heartbeat:
the owners' sweep (``bot.delivery.takeover``) gives back at once what a dead process held, and
what a stuck one held once its heartbeat is too old. The claim's lease (``next_attempt_at``)
only matters for a claim without a registered owner, and for the owner's own claims that a
failed send left behind.

Right before the send, :func:`going_with` reads the head again: a process that was stuck
while its claim was taken over finds it gone and sends nothing. Once a head's turn has come,
the messages of the same kind waiting right behind it (sales, for one message listing them
all; a buyer's texts about the same order) go with it: everything that queued up while the
chat waited. They may pass a summary of the shop waiting among them (the daily digest, the weekly
card, queued with the kind :data:`SUMMARY`), which then goes next: a summary says nothing that
must come before a sale, while a burst of sales with a digest amid them would otherwise take a
message more for every seller.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, select

from bot.delivery.takeover import claimable
from storage.database import Database
from storage.models import TelegramOutbox

#: at most this many waiting messages are looked at to go out with a head
MAX_FOLLOWERS = 100
#: the kind of a summary of the shop (the daily digest, the weekly card): never combined, and
#: what waits behind one in its chat may go out with a head before it
SUMMARY = "summary"


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
        .where(
            TelegramOutbox.id.in_(heads),
            TelegramOutbox.next_attempt_at <= now,
            claimable(TelegramOutbox.claimed_by, owner),
        )
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


@dataclass(frozen=True, slots=True)
class Follower:
    """A message waiting right behind a chat's head, to go out with it: its row and what it
    says (the ``coalesce`` part of its payload, all a combined message is made of)."""

    id: int
    said: dict[str, Any]


async def going_with(
    db: Database, head: TelegramOutbox, owner: str | None
) -> list[Follower] | None:
    """The head's claim read again right before its send: None when it is no longer this
    owner's (taken over, or sent by the one that took it over); else the due messages of its
    kind queued right behind it in its chat (past any summary), in order, to go out with it.

    The followers are read, not claimed: only the head of a chat's queue is ever claimed, so
    while this process holds the head no other process sends anything of that chat; they are
    settled with the head once the message that carries them is sent. Of each only what a
    combined message needs is read, not its whole payload: a chat with a long queue is read
    again before every message it gets.
    """
    now = _now()
    query = (
        select(
            TelegramOutbox.id,
            TelegramOutbox.claimed_by,
            TelegramOutbox.coalesce_kind,
            TelegramOutbox.next_attempt_at,
            TelegramOutbox.payload["coalesce"],
        )
        .where(
            TelegramOutbox.chat_id == head.chat_id,
            TelegramOutbox.id >= head.id,
            *_unsettled(),  # type: ignore[arg-type]
        )
        .order_by(TelegramOutbox.id)
        .limit(1 if head.coalesce_kind in (None, SUMMARY) else MAX_FOLLOWERS + 1)
    )
    async with db.snapshot() as session:
        rows = (await session.execute(query)).all()
    if not rows or rows[0].id != head.id or (owner and rows[0].claimed_by != owner):
        return None
    run = []
    for row_id, _, kind, due, said in rows[1:]:
        if kind == SUMMARY != head.coalesce_kind:
            continue  # passed: the summary goes next
        if kind != head.coalesce_kind or due > now or not isinstance(said, dict):
            break  # order is kept: nothing else is passed
        run.append(Follower(row_id, said))
    return run
