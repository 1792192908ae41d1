"""Update processing: per-chat ordered concurrency against PTB's default, side by side.

    python -m bench.updates [--updates 1000] [--chats 100] [--latency 0.05]

A real PTB Application polls the loopback Bot API stand-in (every call delayed by ``latency``)
and answers each message with one Bot API call. The same burst is run with PTB's default
sequential processing and with :class:`PerChatUpdateProcessor`; per-chat order is checked.

The stand-in runs in a process of its own, as Telegram would: sharing the bot's interpreter, it
would spend the bot's CPU on serving the bot and measure the two together.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import time
from multiprocessing.connection import Connection

from telegram import Update
from telegram.ext import Application, ApplicationBuilder, ContextTypes, MessageHandler, filters

from bot.application import telegram_request
from bot.delivery.update_processor import PerChatUpdateProcessor
from testkit.telegram_stub import TelegramStub

TOKEN = "123456:BENCH"


def stand_in(pipe: Connection, updates: int, chats: int, latency: float) -> None:
    """Serve the Bot API with ``updates`` messages waiting; report when all are answered."""

    async def serve() -> None:
        async with TelegramStub(token=TOKEN, latency=latency) as stub:
            users = [stub.user(5000 + c) for c in range(chats)]
            for n in range(updates):
                await users[n % chats].send(f"m{n}")
            pipe.send(stub.api_root)
            done = await stub.wait_changed(
                lambda: sum(len(stub.events(u.chat_id)) for u in users) >= updates, 600
            )
            pipe.send(
                done
                and all(
                    [e.text for e in stub.events(u.chat_id)]
                    == [f"m{n}" for n in range(updates) if n % chats == i]
                    for i, u in enumerate(users)
                )
            )
            # Stay up until the bot has stopped polling.
            await asyncio.get_running_loop().run_in_executor(None, pipe.recv)

    asyncio.run(serve())


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.effective_chat is not None and update.effective_message is not None
    await context.bot.send_message(update.effective_chat.id, update.effective_message.text or "")


async def run(updates: int, chats: int, latency: float, concurrent: bool) -> tuple[float, bool]:
    loop = asyncio.get_running_loop()
    ours, theirs = multiprocessing.Pipe()
    process = multiprocessing.get_context("spawn").Process(
        target=stand_in, args=(theirs, updates, chats, latency), daemon=True
    )
    process.start()
    try:
        api_root = await loop.run_in_executor(None, ours.recv)
        builder = (
            ApplicationBuilder()
            .token(TOKEN)
            .base_url(f"{api_root}/bot")
            .base_file_url(f"{api_root}/file/bot")
            .request(telegram_request())
        )
        if concurrent:
            builder = builder.concurrent_updates(PerChatUpdateProcessor(256))
        application: Application = builder.build()
        application.add_handler(MessageHandler(filters.TEXT, echo))
        async with application:
            await application.start()
            assert application.updater is not None
            started = time.perf_counter()
            await application.updater.start_polling(poll_interval=0.0, timeout=1)
            ordered = bool(await loop.run_in_executor(None, ours.recv))
            elapsed = time.perf_counter() - started
            await application.updater.stop()
            await application.stop()
        ours.send("stop")
    finally:
        process.join(10)
        if process.is_alive():
            process.kill()
    return elapsed, ordered


async def main(updates: int, chats: int, latency: float) -> None:
    sequential, seq_ordered = await run(updates, chats, latency, concurrent=False)
    per_chat, per_chat_ordered = await run(updates, chats, latency, concurrent=True)
    print(f"{updates:,} updates from {chats} chats, {latency * 1000:.0f} ms Bot API latency")
    print(f"{'processing':<28}{'time':>10}{'updates/s':>12}{'per-chat order':>16}")
    for name, elapsed, ordered in (
        ("PTB default (sequential)", sequential, seq_ordered),
        ("per-chat concurrent", per_chat, per_chat_ordered),
    ):
        order = "kept" if ordered else "BROKEN"
        print(f"{name:<28}{elapsed:>9.1f}s{updates / elapsed:>12.1f}{order:>16}")
    print(f"speed-up (target >= 5x): {sequential / per_chat:.1f}x")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--updates", type=int, default=1000)
    parser.add_argument("--chats", type=int, default=100)
    parser.add_argument("--latency", type=float, default=0.05)
    args = parser.parse_args()
    asyncio.run(main(args.updates, args.chats, args.latency))
