"""Buyer messages about one order that wait for one chat go out as one message: every text once,
in order, a reply to it finds the order, and files still go one by one."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import select
from telegram import Bot

from bot.delivery.notify import SellerDefaults
from bot.delivery.rate_limit import ChatRateLimiter
from bot.delivery.telegram_outbox import LoadedAttachment, TelegramSender
from bot.domain.relay_text import TELEGRAM_TEXT_LIMIT, utf16_len
from bot.marketplace.client import HttpMarketplace
from bot.marketplace.schemas import Order
from bot.presentation import coalesced
from bot.presentation.relayed import render_buyer_message
from bot.relay.files import FileChecker
from bot.relay.incoming import BuyerRelay
from storage.database import Database
from storage.models import RelayLink, TelegramOutbox
from testkit.images import png_with_text
from testkit.marketplace_stub import MarketplaceStub
from testkit.paid_orders import paid_order
from testkit.telegram_stub import BotMessage, TelegramStub
from tests.integration.test_relay import ACCOUNTS, CHATS, SELLER, order, relay_buyer_message  # noqa: F401

TOKEN = "123456:RELAYTOGETHER"
OWNER = CHATS[0]


async def as_uploaded(attachment: Mapping[str, Any]) -> LoadedAttachment:
    """The file as the buyer sent it: what the scanning makes of it is tested elsewhere."""
    return LoadedAttachment(png_with_text())


@pytest.fixture
async def telegram() -> AsyncIterator[TelegramStub]:
    async with TelegramStub(token=TOKEN) as stub:
        yield stub


@pytest.fixture
async def sender(db: Database, telegram: TelegramStub) -> AsyncIterator[TelegramSender]:
    async with Bot(TOKEN, base_url=f"{telegram.api_root}/bot") as bot:
        yield TelegramSender(
            db,
            bot,
            limiter=ChatRateLimiter(1000, 1000),
            load_attachment=as_uploaded,
            combine=coalesced.combine,
            owner="test:1:1",
        )


@pytest.fixture
def relay(client: HttpMarketplace, files: FileChecker) -> BuyerRelay:
    return BuyerRelay(client, SellerDefaults(), render_buyer_message, files)


@dataclass
class Thread:
    """An order's buyer writing to its seller, the relay and the sender in between."""

    db: Database
    stub: MarketplaceStub
    relay: BuyerRelay
    sender: TelegramSender
    telegram: TelegramStub
    order: Order

    async def buyer_writes(
        self,
        text: str,
        files: list[tuple[str, str, bytes]] | None = None,
        *,
        about: Order | None = None,
    ) -> None:
        message = await self.stub.sandbox.buyer_writes((about or self.order).id, text, files or [])
        await relay_buyer_message(self.db, self.relay, message)

    async def shown(self) -> list[BotMessage]:
        """What the owner's chat shows once everything queued has been sent."""
        await self.sender.drain(timeout=10)
        return list(self.telegram.events(OWNER))


@pytest.fixture
def thread(
    db: Database,
    stub: MarketplaceStub,
    relay: BuyerRelay,
    sender: TelegramSender,
    telegram: TelegramStub,
    order: Order,  # noqa: F811
) -> Thread:
    return Thread(db, stub, relay, sender, telegram, order)


async def test_messages_waiting_for_one_chat_arrive_as_one_with_each_text_once(
    thread: Thread,
) -> None:
    for text in ("Hello!", "Is it in stock in blue?", "I need it by Friday."):
        await thread.buyer_writes(text)

    [message] = await thread.shown()
    text = message.text or ""
    assert text.count(f"about order {thread.order.number}") == 1  # its title, said once
    positions = [text.index(said) for said in ("Hello!", "in blue?", "by Friday.")]
    assert positions == sorted(positions)
    assert message.button_texts == ["Reply", "Details"]
    async with thread.db.snapshot() as session:
        rows = (await session.scalars(select(TelegramOutbox))).all()
        links = (await session.scalars(select(RelayLink))).all()
    assert all(row.sent_at is not None for row in rows)
    assert {row.telegram_message_id for row in rows if row.chat_id == OWNER} == {message.message_id}
    # A reply to the one message finds its way back to the order.
    assert [
        (link.order_id, link.telegram_message_id) for link in links if link.chat_id == OWNER
    ] == [(thread.order.id, message.message_id)]


async def test_a_file_goes_alone_between_the_texts_around_it(thread: Thread) -> None:
    await thread.buyer_writes("Here is the parcel:")
    photo = ("parcel.png", "image/png", png_with_text())
    await thread.buyer_writes("It arrived like this.", [photo])
    await thread.buyer_writes("What now?")

    together, picture, last = await thread.shown()
    assert "Here is the parcel:" in (together.text or "")
    assert "It arrived like this." in (together.text or "")
    assert picture.photo and "1/1" in (picture.caption or "")
    assert "What now?" in (last.text or "")


async def test_messages_about_another_order_keep_their_place(thread: Thread) -> None:
    other = await paid_order(thread.db, thread.stub.sandbox, SELLER, ACCOUNTS)
    await thread.buyer_writes("First about one")
    await thread.buyer_writes("Second about one")
    await thread.buyer_writes("About the other", about=other)
    await thread.buyer_writes("Third about one")

    texts = [m.text or "" for m in await thread.shown()]
    assert len(texts) == 3
    assert "First about one" in texts[0] and "Second about one" in texts[0]
    assert "About the other" in texts[1] and other.number in texts[1]
    assert "Third about one" in texts[2]


async def test_what_does_not_fit_into_one_message_goes_in_the_next_none_twice(
    thread: Thread,
) -> None:
    said = [f"Message {n}: " + "the blue one, please " * 60 for n in range(1, 7)]
    for text in said:
        await thread.buyer_writes(text)

    texts = [m.text or "" for m in await thread.shown()]
    assert 1 < len(texts) < len(said)
    assert all(utf16_len(text) <= TELEGRAM_TEXT_LIMIT for text in texts)
    found = [f"Message {n}:" for text in texts for n in range(1, 7) if f"Message {n}:" in text]
    assert found == [f"Message {n}:" for n in range(1, 7)]
