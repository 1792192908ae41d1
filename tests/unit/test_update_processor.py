"""Updates of one chat run in order; different chats run side by side."""

from __future__ import annotations

import asyncio

from telegram import Chat, Message, Update, User

from bot.delivery.update_processor import PerChatUpdateProcessor
from storage.database import writes_are_urgent


def update(update_id: int, chat_id: int) -> Update:
    user = User(chat_id, "u", False)
    chat = Chat(chat_id, "private")
    message = Message(update_id, None, chat, from_user=user, text=str(update_id))  # type: ignore[arg-type]
    return Update(update_id, message=message)


async def test_one_chats_updates_keep_their_order_and_other_chats_overlap() -> None:
    processor = PerChatUpdateProcessor(16)
    log: list[tuple[int, str]] = []
    both_running = asyncio.Event()
    running: set[int] = set()

    async def handle(chat: int, n: int, delay: float) -> None:
        running.add(chat)
        if len(running) == 2:
            both_running.set()
        log.append((chat, f"start {n}"))
        await asyncio.sleep(delay)
        log.append((chat, f"end {n}"))
        running.discard(chat)

    async with processor:
        await asyncio.gather(
            processor.process_update(update(1, 1), handle(1, 1, 0.05)),
            processor.process_update(update(2, 1), handle(1, 2, 0.0)),
            processor.process_update(update(3, 2), handle(2, 3, 0.01)),
        )
    chat_one = [event for chat, event in log if chat == 1]
    assert chat_one == ["start 1", "end 1", "start 2", "end 2"]
    assert both_running.is_set()


async def test_an_update_is_handled_with_urgent_writes() -> None:
    """The handling of an update is what a seller waits on: its database writes go first."""
    processor = PerChatUpdateProcessor(4)
    seen: list[bool] = []

    async def handle() -> None:
        seen.append(writes_are_urgent())

    async with processor:
        await processor.process_update(update(1, 1), handle())
    assert seen == [True]
    assert not writes_are_urgent()
