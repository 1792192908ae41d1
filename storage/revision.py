"""Which schema revision a database is at, read without loading Alembic.

    await require_migrated(engine)      # NotMigrated unless the database is at HEAD
    await migrate_if_behind(engine)     # Alembic's upgrade, only when there is one to apply

Alembic and what it brings (Mako, its templates) cost the running bot about 10 MiB that it would
keep for its whole life. A bot started on a database already at :data:`HEAD` (every start but
the first after an upgrade) never loads them; ``tests/integration/test_migrations.py`` holds
:data:`HEAD` to the head of ``storage/migrations/versions``.
"""

from __future__ import annotations

from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

#: The newest migration in ``storage/migrations/versions``: a new migration moves it.
HEAD = "0008"

_VERSION_TABLE = "alembic_version"


class NotMigrated(Exception):
    """The database's schema is not the one this version of the bot needs."""

    def __init__(self, current: str | None, head: str) -> None:
        at = f"at revision {current}" if current else "without the bot's tables"
        super().__init__(
            f"the database is {at}; this version needs {head}: run `chopni-bot db upgrade`"
        )
        self.current, self.head = current, head


async def current_revision(engine: AsyncEngine) -> str | None:
    """The revision the database behind ``engine`` is at; None before the first migration."""

    def read(connection: Connection) -> str | None:
        if not inspect(connection).has_table(_VERSION_TABLE):
            return None
        return connection.execute(text(f"SELECT version_num FROM {_VERSION_TABLE}")).scalar()

    async with engine.connect() as connection:
        return await connection.run_sync(read)


async def require_migrated(engine: AsyncEngine) -> None:
    """Raise :class:`NotMigrated` unless the database is at this version's :data:`HEAD`."""
    current = await current_revision(engine)
    if current != HEAD:
        raise NotMigrated(current, HEAD)


async def migrate_if_behind(engine: AsyncEngine) -> None:
    """Apply the pending migrations, if any; a database at :data:`HEAD` is left untouched."""
    if await current_revision(engine) != HEAD:
        # Alembic is loaded only when there is work for it (see the module's docstring).
        from storage.migrate import upgrade

        await upgrade(engine)
