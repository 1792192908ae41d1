"""Sale notifications fanned out under Telegram's limits.

    python -m bench.fanout [--messages 1000] [--chats 100]

Queues the notifications in the durable outbox, then lets the real sender deliver them through
the loopback Bot API stand-in, which enforces 30 messages/s overall and 1/s per chat with a
burst of 3 and answers 429 beyond that. Prints the sustained rate and checks that every message
arrived exactly once, in order per chat.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from pathlib import Path

from telegram import Bot

from bench.table import print_table
from bot.delivery.rate_limit import ChatRateLimiter
from bot.delivery.telegram_outbox import TelegramSender, enqueue
from storage.database import Database
from storage.migrate import upgrade
from testkit.telegram_stub import Limits, TelegramStub

TOKEN = "123456:BENCH"


async def main(messages: int, chats: int) -> None:
    with tempfile.TemporaryDirectory() as directory:
        db = Database(f"sqlite+aiosqlite:///{Path(directory) / 'bench.db'}")
        await upgrade(db.engine)
        async with db.transaction() as session:
            for n in range(messages):
                chat = 1000 + n % chats
                enqueue(session, chat, "sendMessage", {"chat_id": chat, "text": f"sale {n}"})
            await session.commit()
        async with TelegramStub(token=TOKEN, limits=Limits(30, 1.0, 3)) as stub:
            bot = Bot(
                TOKEN, base_url=f"{stub.api_root}/bot", base_file_url=f"{stub.api_root}/file/bot"
            )
            async with bot:
                sender = TelegramSender(db, bot, limiter=ChatRateLimiter())
                stop = asyncio.Event()
                started = time.perf_counter()
                task = asyncio.create_task(sender.run(stop, idle=0.05))
                # Every delivered message is recorded in its chat's events, which notify waiters.
                await stub.wait_changed(
                    lambda: sum(len(stub.events(1000 + c)) for c in range(chats)) >= messages, 300
                )
                elapsed = time.perf_counter() - started
                stop.set()
                await task
            sequences = stub.stats.per_chat
            stamps = [m.date_monotonic for c in range(chats) for m in stub.events(1000 + c)]
            window = max(stamps) - min(stamps) if stamps else 0.0
            expected = {
                1000 + c: [f"sale {n}" for n in range(messages) if n % chats == c]
                for c in range(chats)
            }
            delivered = sum(len(v) for v in sequences.values())
            duplicates = sum(len(v) - len(set(v)) for v in sequences.values())
            lost = sum(len(set(expected[c]) - set(sequences.get(c, []))) for c in expected)
            ordered = all(sequences.get(c, []) == expected[c] for c in expected)
            too_many = stub.stats.too_many_requests
        await db.dispose()
    rows = [
        ("messages", f"{messages:,} to {chats} chats"),
        ("delivered", f"{delivered:,}"),
        ("time from start to the last delivery", f"{elapsed:.1f} s"),
        ("overall rate, start-up included", f"{delivered / elapsed:.1f} msg/s"),
        (
            "sustained rate, first to last delivery (target >= 28/s)",
            f"{(delivered - 1) / window:.1f} msg/s" if window else "n/a",
        ),
        ("429 answers (target 0)", str(too_many)),
        ("lost (target 0)", str(lost)),
        ("duplicated (target 0)", str(duplicates)),
        ("per-chat order kept", "yes" if ordered else "NO"),
    ]
    print_table(rows)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--messages", type=int, default=1000)
    parser.add_argument("--chats", type=int, default=100)
    args = parser.parse_args()
    asyncio.run(main(args.messages, args.chats))
