"""Peak memory of the running bot with 10,000 sellers and 200,000 orders in its database.

    python -m bench.memory [--orders 200000] [--sellers 10000]

Fills a SQLite database, starts ``chopni-bot run`` as a separate process against the loopback
Bot API stand-in, runs the stalled-orders sweep through the admin API, lets sellers list their
orders, and reads the process's peak resident memory (VmHWM) from /proc.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
from pathlib import Path

import httpx

from bench.sweep import fill
from bench.table import print_table
from storage.database import Database
from storage.migrate import upgrade
from testkit.ports import free_port
from testkit.telegram_stub import TelegramStub

TOKEN = "123456:BENCH"
ADMIN = "bench-admin"


def _peak_rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _mib_and_mb(mib: float) -> str:
    return f"{mib:.0f} MiB ({mib * 2**20 / 1e6:.0f} MB)"


async def main(orders: int, sellers: int) -> None:
    with tempfile.TemporaryDirectory() as directory:
        url = f"sqlite+aiosqlite:///{Path(directory) / 'bench.db'}"
        db = Database(url)
        await upgrade(db.engine)
        await fill(db, orders, sellers)
        await db.dispose()
        port = free_port()
        async with TelegramStub(token=TOKEN) as stub:
            env = {
                **os.environ,
                "BOT_TOKEN": TOKEN,
                "TELEGRAM_API_URL": stub.api_root,
                "DATABASE_URL": url,
                "PORT": str(port),
                "ADMIN_TOKEN": ADMIN,
                "CHOPNI_API_URL": "http://127.0.0.1:9",
                "CHOPNI_WEBHOOK_SECRET": "whsec_" + "YmVuY2htYXJr",
                "LOG_LEVEL": "WARNING",
            }
            process = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "bot", "run", env=env, cwd=directory
            )
            base = f"http://127.0.0.1:{port}"
            async with httpx.AsyncClient(base_url=base, timeout=120) as client:
                deadline = time.monotonic() + 60
                while time.monotonic() < deadline:
                    try:
                        if (await client.get("/healthz")).status_code == 200:
                            break
                    except httpx.HTTPError:
                        await asyncio.sleep(0.2)
                idle = _peak_rss_mib(process.pid)
                sweep = await client.post(
                    "/admin/reminders/run", headers={"Authorization": f"Bearer {ADMIN}"}
                )
                for user_id in range(10_000, 10_020):
                    await stub.user(user_id).send("/orders")
                await stub.wait_changed(
                    lambda: sum(len(stub.events(u)) for u in range(10_000, 10_020)) >= 20, 60
                )
                await asyncio.sleep(5)  # let the outbox send for a while
                peak = _peak_rss_mib(process.pid)
            process.terminate()
            await process.wait()
    rows = [
        ("sellers / orders", f"{sellers:,} / {orders:,}"),
        ("peak RSS after start-up", _mib_and_mb(idle)),
        ("digests queued by the sweep", str(sweep.json().get("sent"))),
        ("peak RSS after sweep, /orders and sending (target < 150 MB)", _mib_and_mb(peak)),
    ]
    print_table(rows)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--orders", type=int, default=200_000)
    parser.add_argument("--sellers", type=int, default=10_000)
    args = parser.parse_args()
    asyncio.run(main(args.orders, args.sellers))
