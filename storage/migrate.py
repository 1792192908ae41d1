"""Apply or roll back the Alembic migrations from code (``chopni-bot db upgrade``)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

MIGRATIONS = Path(__file__).with_name("migrations")


def alembic_config(url: str | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    if url:
        config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


async def upgrade(engine: AsyncEngine, revision: str = "head") -> None:
    """Bring the database behind ``engine`` to ``revision``."""
    async with engine.begin() as connection:
        await connection.run_sync(_run, "upgrade", revision)


class NotMigrated(Exception):
    """The database's schema is not the one this version of the bot needs."""

    def __init__(self, current: str | None, head: str) -> None:
        at = f"at revision {current}" if current else "without the bot's tables"
        super().__init__(
            f"the database is {at}; this version needs {head}: run `chopni-bot db upgrade`"
        )
        self.current, self.head = current, head


def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


async def current_revision(engine: AsyncEngine) -> str | None:
    def read(connection: Connection) -> str | None:
        return MigrationContext.configure(connection).get_current_revision()

    async with engine.connect() as connection:
        return await connection.run_sync(read)


async def require_migrated(engine: AsyncEngine) -> None:
    """Raise :class:`NotMigrated` unless the database is at this version's head revision."""
    current, head = await current_revision(engine), head_revision()
    if current != head:
        raise NotMigrated(current, head)


async def downgrade(engine: AsyncEngine, revision: str) -> None:
    async with engine.begin() as connection:
        await connection.run_sync(_run, "downgrade", revision)


def _run(connection: object, action: str, revision: str) -> None:
    config = alembic_config()
    config.attributes["connection"] = connection
    getattr(command, action)(config, revision)
