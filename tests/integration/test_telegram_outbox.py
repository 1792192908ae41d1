"""The Telegram outbox against the Bot API stand-in when Telegram says no.

403 (the user blocked the bot): the message fails and the account's link is deactivated.
429: that chat waits as long as Telegram says, its later messages behind it; other chats go on.
Any other 4xx: retried a few times, then given up, the account left as it was.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, update
from telegram import Bot

from bot.delivery.rate_limit import ChatRateLimiter
from bot.delivery.telegram_outbox import MAX_REQUEST_ERRORS, TelegramSender, enqueue
from bot.team.linking import Linker
from storage.database import Database
from storage.models import TelegramAccount, TelegramOutbox
from testkit.telegram_stub import TelegramStub

TOKEN = "123456:outbox-failure-paths"
ALICE, BOB = 2001, 2002


@pytest.fixture
async def sender(db: Database) -> AsyncIterator[tuple[TelegramSender, TelegramStub]]:
    for seller, chat in (("shop-a", ALICE), ("shop-b", BOB)):
        await Linker(db).link_directly(seller, user_id=chat, chat_id=chat, telegram_locale="en")
    async with TelegramStub(token=TOKEN) as stub:
        bot = Bot(TOKEN, base_url=f"{stub.api_root}/bot", base_file_url=f"{stub.api_root}/file/bot")
        async with bot:
            yield TelegramSender(db, bot, limiter=ChatRateLimiter()), stub


async def queue(db: Database, chat_id: int, text: str) -> None:
    async with db.transaction() as session:
        enqueue(session, chat_id, "sendMessage", {"chat_id": chat_id, "text": text})
        await session.commit()


async def rows(db: Database, chat_id: int) -> list[TelegramOutbox]:
    async with db.snapshot() as session:
        query = select(TelegramOutbox).where(TelegramOutbox.chat_id == chat_id)
        return list((await session.scalars(query.order_by(TelegramOutbox.id))).all())


async def account(db: Database, chat_id: int) -> TelegramAccount:
    async with db.snapshot() as session:
        found = await session.scalar(
            select(TelegramAccount).where(TelegramAccount.chat_id == chat_id)
        )
        assert found is not None
        return found


async def test_a_blocked_bot_fails_the_message_and_deactivates_the_account(
    db: Database, sender: tuple[TelegramSender, TelegramStub]
) -> None:
    outbox, stub = sender
    stub.blocked_chats.add(ALICE)
    await queue(db, ALICE, "New sale")
    await queue(db, BOB, "New sale")
    await outbox.drain_once()
    [failed] = await rows(db, ALICE)
    assert failed.failed_at is not None and failed.sent_at is None
    assert "blocked" in (failed.last_error or "")
    blocked = await account(db, ALICE)
    assert not blocked.active and blocked.blocked_at is not None
    [sent] = await rows(db, BOB)
    assert sent.sent_at is not None
    assert (await account(db, BOB)).active


# PTB >= 22.2 warns (in RetryAfter's own constructor) that retry_after will become a timedelta;
# the sender reads either form. Without this the suite's warnings-as-errors turns every 429 into
# an exception inside PTB before the sender can see the RetryAfter.
@pytest.mark.filterwarnings("ignore:.*retry_after.*:DeprecationWarning")
async def test_too_many_requests_holds_back_that_chat_only_for_as_long_as_telegram_says(
    db: Database, sender: tuple[TelegramSender, TelegramStub]
) -> None:
    outbox, stub = sender
    stub.fail_next("sendMessage", status=429, retry_after=40)
    await queue(db, ALICE, "first")
    await queue(db, ALICE, "second")
    before = datetime.now(UTC)
    await outbox.drain_once()
    first, second = await rows(db, ALICE)
    assert first.sent_at is None and first.failed_at is None
    assert first.next_attempt_at >= before + timedelta(seconds=39)
    assert second.sent_at is None and second.attempts == 0
    await queue(db, BOB, "meanwhile")
    await outbox.drain_once()
    [other] = await rows(db, BOB)
    assert other.sent_at is not None
    # "first" was refused once; "second" was never tried, Bob's message went out.
    assert [params["text"] for params in stub.calls_of("sendMessage")] == ["first", "meanwhile"]


async def test_another_refusal_is_retried_then_given_up_and_the_account_stays(
    db: Database, sender: tuple[TelegramSender, TelegramStub]
) -> None:
    outbox, stub = sender
    stub.fail_next(
        "sendMessage", n=MAX_REQUEST_ERRORS, status=400, description="Bad Request: chat not found"
    )
    await queue(db, ALICE, "digest")
    for attempt in range(1, MAX_REQUEST_ERRORS + 1):
        await outbox.drain_once()
        [row] = await rows(db, ALICE)
        assert row.attempts == attempt
        assert row.sent_at is None
        assert (row.failed_at is not None) == (attempt == MAX_REQUEST_ERRORS)
        async with db.transaction() as session:  # the backoff is over
            await session.execute(
                update(TelegramOutbox).values(next_attempt_at=datetime.now(UTC) - timedelta(1))
            )
            await session.commit()
    assert "Chat not found" in (row.last_error or "")
    assert (await account(db, ALICE)).active
    assert len(stub.calls_of("sendMessage")) == MAX_REQUEST_ERRORS
