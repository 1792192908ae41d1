"""Signed marketplace webhooks from many concurrent senders, end to end over HTTP.

    python -m bench.ingestion [--events 5000] [--senders 50] [--database-url URL]

Serves the bot's real HTTP app with uvicorn on loopback and posts Standard Webhooks-signed
``order.updated`` events from concurrent senders; each answer means the event is durably stored.
Runs on a fresh SQLite file, and on PostgreSQL too when ``--database-url`` (or
``TEST_DATABASE_URL``) names one (a fresh database is created there and dropped afterwards).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import statistics
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

import asyncpg
import uvicorn
from sqlalchemy.engine import make_url

from bot.app import Runtime
from bot.marketplace.sandbox import sign_webhook
from bot.settings import load_settings
from storage.database import normalise_url
from storage.migrate import upgrade
from tests.e2e.conftest import free_port

SECRET = "whsec_" + "YmVuY2htYXJrLXNlY3JldC1iZW5jaG1hcmstc2VjcmV0"


def _event(n: int) -> tuple[str, bytes]:
    event_id = f"evt_{uuid.uuid4().hex}"
    body = {
        "id": event_id,
        "type": "order.updated",
        "created_at": datetime.now(UTC).isoformat(),
        "data": {"order": {"id": f"ord_{n}"}},
    }
    return event_id, json.dumps(body).encode()


def _send_all(port: int, events: int, senders: int) -> tuple[list[float], dict[int, int]]:
    return asyncio.run(_senders(port, events, senders))


async def _senders(port: int, events: int, senders: int) -> tuple[list[float], dict[int, int]]:
    """Keep-alive HTTP/1.1 connections writing pre-signed requests: a sender that costs little
    CPU, so the figures measure the bot rather than the load generator."""
    requests: asyncio.Queue[bytes] = asyncio.Queue()
    for n in range(events):
        event_id, body = _event(n)
        headers = sign_webhook(SECRET, event_id, body, datetime.now(UTC))
        head = "".join(f"{name}: {value}\r\n" for name, value in headers.items())
        requests.put_nowait(
            (
                f"POST /webhooks/chopni HTTP/1.1\r\nHost: 127.0.0.1\r\n{head}"
                f"content-length: {len(body)}\r\n\r\n"
            ).encode()
            + body
        )
    latencies: list[float] = []
    statuses: dict[int, int] = {}

    async def sender() -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        while not requests.empty():
            request = requests.get_nowait()
            started = time.perf_counter()
            writer.write(request)
            head = await reader.readuntil(b"\r\n\r\n")
            length = 0
            for line in head.split(b"\r\n"):
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":")[1])
            if length:
                await reader.readexactly(length)
            latencies.append(time.perf_counter() - started)
            status = int(head.split(b" ")[1])
            statuses[status] = statuses.get(status, 0) + 1
        writer.close()
        await writer.wait_closed()

    await asyncio.gather(*(sender() for _ in range(senders)))
    return latencies, statuses


async def run(database_url: str, events: int, senders: int) -> dict[str, float]:
    port = free_port()
    settings = load_settings(
        bot_token="123456:BENCH",
        database_url=database_url,
        port=port,
        chopni_api_url="http://127.0.0.1:9",
        chopni_webhook_secret=SECRET,
        telegram_api_url="http://127.0.0.1:9",
    )
    runtime = Runtime(settings, token="123456:BENCH")
    await upgrade(runtime.db.engine)
    server = uvicorn.Server(
        uvicorn.Config(
            runtime.http,
            host="127.0.0.1",
            port=port,
            log_config=None,
            access_log=False,
            lifespan="off",
        )
    )
    task = asyncio.create_task(server.serve())
    while not server.started:  # noqa: ASYNC110 - uvicorn offers no event to wait on
        await asyncio.sleep(0.01)
    # The senders run in a process of their own, as the marketplace would: the bot's process
    # gets a core to itself, as it would in production.
    context = multiprocessing.get_context("spawn")
    with context.Pool(1) as pool:
        started = time.perf_counter()
        latencies, statuses = await asyncio.to_thread(
            pool.apply, _send_all, (port, events, senders)
        )
        elapsed = time.perf_counter() - started
    server.should_exit = True
    await task
    await runtime.aclose()
    latencies.sort()
    return {
        "events/s": events / elapsed,
        "p50 ms": statistics.median(latencies) * 1000,
        "p99 ms": latencies[int(len(latencies) * 0.99) - 1] * 1000,
        "stored (204)": statuses.get(204, 0),
        "other answers": sum(v for k, v in statuses.items() if k != 204),
    }


async def _postgres(url: str, events: int, senders: int) -> dict[str, float]:
    base = make_url(normalise_url(url))
    name = f"chopni_bench_{uuid.uuid4().hex[:8]}"
    dsn = base.set(drivername="postgresql").render_as_string(hide_password=False)
    admin = await asyncpg.connect(dsn)
    await admin.execute(f'CREATE DATABASE "{name}"')
    try:
        return await run(
            base.set(database=name).render_as_string(hide_password=False), events, senders
        )
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


async def main(events: int, senders: int, database_url: str | None) -> None:
    results = {}
    with tempfile.TemporaryDirectory() as directory:
        results["SQLite"] = await run(
            f"sqlite+aiosqlite:///{Path(directory) / 'bench.db'}", events, senders
        )
    if database_url:
        results["PostgreSQL"] = await _postgres(database_url, events, senders)
    print(
        f"{events:,} signed webhooks from {senders} concurrent senders "
        "(targets: >= 1,000 events/s, p99 < 50 ms)"
    )
    metrics = list(next(iter(results.values())))
    print(f"{'database':<12}" + "".join(f"{m:>15}" for m in metrics))
    for name, values in results.items():
        print(f"{name:<12}" + "".join(f"{values[m]:>15,.1f}" for m in metrics))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=5000)
    parser.add_argument("--senders", type=int, default=50)
    parser.add_argument("--database-url", default=os.environ.get("TEST_DATABASE_URL"))
    args = parser.parse_args()
    asyncio.run(main(args.events, args.senders, args.database_url))
