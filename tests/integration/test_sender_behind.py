"""While stored events wait to be processed, the Telegram outbox sends less: a round sends
BEHIND_SENDS_PER_SECOND messages at most and lasts a second at least, so the events go first
and what they queue for a chat goes out in fewer, longer messages. Once caught up, everything
due goes at once."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator

import pytest
from telegram import Bot

from bot.delivery.rate_limit import ChatRateLimiter
from bot.delivery.telegram_outbox import BEHIND_SENDS_PER_SECOND, TelegramSender, enqueue
from storage.database import Database
from testkit.telegram_stub import TelegramStub

TOKEN = "123456:outbox-behind"
CHATS = range(3001, 3001 + 2 * BEHIND_SENDS_PER_SECOND + 5)


class Backlog:
    behind = True


@pytest.fixture
async def sent(db: Database) -> AsyncIterator[tuple[TelegramSender, TelegramStub, Backlog]]:
    backlog = Backlog()
    async with (
        TelegramStub(token=TOKEN) as stub,
        Bot(TOKEN, base_url=f"{stub.api_root}/bot") as bot,
    ):
        sender = TelegramSender(
            db, bot, limiter=ChatRateLimiter(1000, 1000), behind=lambda: backlog.behind
        )
        yield sender, stub, backlog


async def test_behind_a_round_sends_fewer_messages_and_lasts_a_second(
    db: Database, sent: tuple[TelegramSender, TelegramStub, Backlog]
) -> None:
    sender, stub, backlog = sent
    async with db.transaction() as session:
        for chat in CHATS:
            enqueue(session, chat, "sendMessage", {"chat_id": chat, "text": f"to {chat}"})
        await session.commit()

    started = time.monotonic()
    assert await sender.drain_once() == BEHIND_SENDS_PER_SECOND
    assert time.monotonic() - started >= 1.0
    reached = [chat for chat in CHATS if stub.events(chat)]
    assert reached == list(CHATS)[:BEHIND_SENDS_PER_SECOND]  # the oldest first

    backlog.behind = False  # caught up: every chat's head in one round
    assert await sender.drain_once() == len(CHATS) - BEHIND_SENDS_PER_SECOND
    assert all(len(stub.events(chat)) == 1 for chat in CHATS)
