"""Quiet hours on a controlled clock: silent notifications, and a digest that waits."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from bot.delivery.notify import Recipient, SellerDefaults, notify_seller
from bot.presentation.digest import render_digest
from bot.reminders.sweep import Reminders
from storage import repositories
from storage.database import Database
from storage.models import TelegramOutbox
from tests.integration.test_reminders import digests, seller_with_order


def _render(to: Recipient) -> tuple[str, None]:
    return "a sale", None


async def _notify(db: Database, now: datetime, dedupe: str) -> dict[str, object]:
    async with db.transaction() as session:
        await notify_seller(
            session, "s1", _render, dedupe=dedupe, defaults=SellerDefaults(), now=now
        )
        await session.commit()
    async with db.snapshot() as session:
        row = await session.scalar(
            select(TelegramOutbox).where(TelegramOutbox.dedupe_key == f"{dedupe}:1")
        )
    assert row is not None
    return dict(row.payload["params"])


@pytest.mark.parametrize(
    ("now", "silent"),
    [
        (datetime(2026, 12, 3, 19, 30, tzinfo=UTC), False),  # 21:30 in Sofia
        (datetime(2026, 12, 3, 21, 0, tzinfo=UTC), True),  # 23:00
        (datetime(2026, 12, 3, 23, 30, tzinfo=UTC), True),  # 01:30, the next day
        (datetime(2026, 12, 4, 6, 0, tzinfo=UTC), False),  # 08:00
    ],
)
async def test_a_notification_in_the_quiet_hours_arrives_at_once_but_silently(
    db: Database, now: datetime, silent: bool
) -> None:
    await seller_with_order(db, "s1", ship_by=now + timedelta(days=2))
    params = await _notify(db, now, "sale:1")
    assert params.get("disable_notification", False) is silent
    assert params["text"] == "a sale"


async def test_a_seller_without_quiet_hours_is_never_silenced(db: Database) -> None:
    await seller_with_order(db, "s1", ship_by=datetime(2026, 12, 5, tzinfo=UTC))
    async with db.transaction() as session:
        seller = await repositories.ensure_seller(session, "s1")
        seller.quiet_enabled = False
        await session.commit()
    params = await _notify(db, datetime(2026, 12, 3, 23, 30, tzinfo=UTC), "sale:2")
    assert "disable_notification" not in params


async def test_a_digest_due_inside_the_quiet_hours_comes_when_they_end(db: Database) -> None:
    # Reminder hour 7, quiet hours 22-08: the digest waits for 08:00 (Sofia, UTC+2).
    await seller_with_order(db, "s1", ship_by=datetime(2026, 12, 3, tzinfo=UTC))
    async with db.transaction() as session:
        (await repositories.ensure_seller(session, "s1")).reminder_hour = 7
        await session.commit()
    sweep = Reminders(db, SellerDefaults(), render_digest)
    assert await sweep.sweep(datetime(2026, 12, 4, 5, 30, tzinfo=UTC)) == 0  # 07:30
    assert await digests(db) == []
    assert await sweep.sweep(datetime(2026, 12, 4, 6, 0, tzinfo=UTC)) == 1  # 08:00
    assert len(await digests(db)) == 1


async def test_the_digest_waits_by_the_wall_clock_across_the_spring_change(db: Database) -> None:
    # On 29 March 2026 Sofia moves to UTC+3: 05:00 UTC is 08:00 there, the end of the window,
    # while the day before 05:00 UTC was 07:00, still inside it.
    await seller_with_order(db, "s1", ship_by=datetime(2026, 3, 27, tzinfo=UTC))
    async with db.transaction() as session:
        (await repositories.ensure_seller(session, "s1")).reminder_hour = 6
        await session.commit()
    sweep = Reminders(db, SellerDefaults(), render_digest)
    assert await sweep.sweep(datetime(2026, 3, 28, 5, 0, tzinfo=UTC)) == 0
    assert await sweep.sweep(datetime(2026, 3, 29, 5, 0, tzinfo=UTC)) == 1


async def test_an_operators_forced_sweep_is_not_held_back(db: Database) -> None:
    await seller_with_order(db, "s1", ship_by=datetime(2026, 12, 3, tzinfo=UTC))
    sweep = Reminders(db, SellerDefaults(), render_digest)
    assert await sweep.sweep(datetime(2026, 12, 3, 23, 0, tzinfo=UTC), force=True) == 1
