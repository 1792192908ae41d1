"""Sales waiting together for one chat go out as one message: every sale once, order kept."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from telegram import Bot

from bot.delivery.notify import SALE_NOTICE, sale_summary
from bot.delivery.outbox_claims import SUMMARY
from bot.delivery.rate_limit import ChatRateLimiter
from bot.delivery.telegram_outbox import TelegramSender, enqueue
from bot.presentation import coalesced
from storage.database import Database
from storage.models import TelegramOutbox
from testkit.telegram_stub import TelegramStub

TOKEN = "123456:COALESCE"
CHAT = 4242
SHIP_BY = datetime(2026, 12, 5, 16, 0, tzinfo=UTC)


@pytest.fixture
async def telegram() -> AsyncIterator[TelegramStub]:
    async with TelegramStub(token=TOKEN) as stub:
        yield stub


@pytest.fixture
async def sender(db: Database, telegram: TelegramStub) -> AsyncIterator[TelegramSender]:
    bot = Bot(TOKEN, base_url=f"{telegram.api_root}/bot")
    async with bot:
        yield TelegramSender(
            db,
            bot,
            limiter=ChatRateLimiter(1000, 1000),
            combine=coalesced.combine,
            owner="test:1:1",
        )


async def queue_sales(db: Database, numbers: list[str], *, title: str = "") -> None:
    async with db.transaction() as session:
        for number in numbers:
            item = sale_summary(number, "45.90", "BGN", SHIP_BY)
            enqueue(
                session,
                CHAT,
                "sendMessage",
                {"chat_id": CHAT, "text": f"New sale: order {number}{title}"},
                dedupe_key=f"sale:{number}",
                coalesce=(SALE_NOTICE, {**item, "locale": "en", "timezone": "Europe/Sofia"}),
            )
        await session.commit()


def named(text: str) -> list[str]:
    return re.findall(r"[Oo]rder (\d+)", text)


async def test_twelve_waiting_sales_arrive_as_one_message_listing_each_once(
    db: Database, telegram: TelegramStub, sender: TelegramSender
) -> None:
    numbers = [str(100200 + n) for n in range(12)]
    await queue_sales(db, numbers)
    await sender.drain(timeout=10)
    [message] = telegram.events(CHAT)
    text = message.text or ""
    assert "12 new sales" in text
    assert "away" not in text  # the owner is not away
    assert named(text) == numbers
    assert "BGN45.90 — ship by 05/12/2026, 18:00" in text  # in the seller's zone
    data = [d for _, d in message.buttons]
    assert data[: coalesced.MAX_BUTTONS] == [f"o:processing:{n}" for n in numbers[:10]]
    assert data[-1] == "n:new"  # the other two are one tap away
    assert all(len((d or "").encode()) <= 64 for d in data)
    async with db.snapshot() as session:
        rows = (await session.scalars(select(TelegramOutbox))).all()
    assert {row.telegram_message_id for row in rows} == {message.message_id}
    assert all(row.sent_at is not None and row.claimed_by is None for row in rows)


async def test_a_lone_sale_keeps_its_full_message(
    db: Database, telegram: TelegramStub, sender: TelegramSender
) -> None:
    await queue_sales(db, ["100300"])
    await sender.drain(timeout=10)
    assert [m.text for m in telegram.events(CHAT)] == ["New sale: order 100300"]


async def test_another_message_between_sales_keeps_its_place(
    db: Database, telegram: TelegramStub, sender: TelegramSender
) -> None:
    await queue_sales(db, ["100400", "100401"])
    async with db.transaction() as session:
        enqueue(session, CHAT, "sendMessage", {"chat_id": CHAT, "text": "The buyer wrote"})
        await session.commit()
    await queue_sales(db, ["100402", "100403"])
    await sender.drain(timeout=10)
    texts = [m.text or "" for m in telegram.events(CHAT)]
    assert [named(t) for t in texts] == [["100400", "100401"], [], ["100402", "100403"]]
    assert texts[1] == "The buyer wrote"


async def test_sales_pass_a_waiting_summary_which_goes_next(
    db: Database, telegram: TelegramStub, sender: TelegramSender
) -> None:
    """A digest queued amid a burst of sales: the sales go out as one message, the digest
    after it, nothing twice."""
    await queue_sales(db, ["100500", "100501"])
    async with db.transaction() as session:
        enqueue(
            session,
            CHAT,
            "sendMessage",
            {"chat_id": CHAT, "text": "Orders waiting for you today: 2"},
            dedupe_key="digest:s:2026-12-04:4242",
            coalesce=(SUMMARY, {}),
        )
        await session.commit()
    await queue_sales(db, ["100502", "100503"])
    await sender.drain(timeout=10)
    texts = [m.text or "" for m in telegram.events(CHAT)]
    assert [named(t) for t in texts] == [["100500", "100501", "100502", "100503"], []]
    assert texts[1] == "Orders waiting for you today: 2"
    async with db.snapshot() as session:
        rows = (await session.scalars(select(TelegramOutbox))).all()
    assert all(row.sent_at is not None for row in rows)


async def test_a_summary_at_the_head_goes_alone_and_the_sales_after_it(
    db: Database, telegram: TelegramStub, sender: TelegramSender
) -> None:
    async with db.transaction() as session:
        for text in ("Orders waiting for you today: 1", "Your week in numbers"):
            enqueue(
                session,
                CHAT,
                "sendMessage",
                {"chat_id": CHAT, "text": text},
                coalesce=(SUMMARY, {}),
            )
        await session.commit()
    await queue_sales(db, ["100600", "100601"])
    await sender.drain(timeout=10)
    texts = [m.text or "" for m in telegram.events(CHAT)]
    assert texts[:2] == ["Orders waiting for you today: 1", "Your week in numbers"]
    assert [named(t) for t in texts[2:]] == [["100600", "100601"]]


async def test_more_sales_than_one_message_holds_go_out_in_several_none_twice(
    db: Database, telegram: TelegramStub, sender: TelegramSender
) -> None:
    numbers = [str(200000 + n) for n in range(100)]
    await queue_sales(db, numbers)
    await sender.drain(timeout=10)
    texts = [m.text or "" for m in telegram.events(CHAT)]
    assert len(texts) > 1
    assert all(len(text) <= coalesced.MAX_TEXT for text in texts)
    assert [n for text in texts for n in named(text)] == numbers


async def test_a_claim_of_a_process_that_is_gone_is_sent_by_the_next(
    db: Database, telegram: TelegramStub, sender: TelegramSender
) -> None:
    await queue_sales(db, ["100500"])
    async with db.transaction() as session:
        row = await session.scalar(select(TelegramOutbox))
        assert row is not None
        row.claimed_by = "gone:2:2"
        row.next_attempt_at = datetime.now(UTC) + timedelta(minutes=1)
        await session.commit()
    assert await sender.drain_once() == 0  # still another owner's until the sweep gives it back
