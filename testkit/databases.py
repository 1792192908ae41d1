"""Fresh PostgreSQL databases for the tests and the benchmarks, dropped when they are done."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import asyncpg
from sqlalchemy.engine import make_url

from storage.database import normalise_url


@asynccontextmanager
async def fresh_postgres(url: str, prefix: str) -> AsyncIterator[str]:
    """The URL of a new, empty database on the server ``url`` names, named ``prefix_…``."""
    base = make_url(normalise_url(url))
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    admin_dsn = base.set(drivername="postgresql").render_as_string(hide_password=False)
    admin = await asyncpg.connect(admin_dsn)
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    try:
        yield base.set(database=name).render_as_string(hide_password=False)
    finally:
        admin = await asyncpg.connect(admin_dsn)
        try:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await admin.close()
