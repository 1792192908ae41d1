"""Running a benchmark on each database: a fresh SQLite file, and a fresh PostgreSQL database
when a server is named (created for the run and dropped afterwards)."""

from __future__ import annotations

import tempfile
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TypeVar

from testkit.databases import fresh_postgres

T = TypeVar("T")


async def on_each_database(
    run: Callable[[str], Awaitable[T]], postgres_url: str | None
) -> dict[str, T]:
    """``run(database_url)`` on SQLite, then on PostgreSQL when ``postgres_url`` names a server;
    the results by database name."""
    results: dict[str, T] = {}
    with tempfile.TemporaryDirectory() as directory:
        results["SQLite"] = await run(f"sqlite+aiosqlite:///{Path(directory) / 'bench.db'}")
    if postgres_url:
        async with fresh_postgres(postgres_url, "chopni_bench") as url:
            results["PostgreSQL"] = await run(url)
    return results
