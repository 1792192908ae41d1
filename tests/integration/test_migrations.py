"""The migrations build the schema the models describe, and come down again cleanly."""

from __future__ import annotations

import asyncio
import sys

import pytest
from sqlalchemy import inspect

from storage.database import Database
from storage.migrate import downgrade, head_revision, upgrade
from storage.models import Base
from storage.revision import HEAD, NotMigrated, migrate_if_behind, require_migrated


async def _tables(db: Database) -> set[str]:
    async with db.engine.connect() as connection:
        return set(await connection.run_sync(lambda c: inspect(c).get_table_names()))


async def test_upgrade_creates_every_table_of_the_models(db: Database) -> None:
    assert set(Base.metadata.tables) <= await _tables(db)


async def test_downgrade_to_base_removes_everything_and_upgrade_restores_it(db: Database) -> None:
    await downgrade(db.engine, "base")
    assert await _tables(db) <= {"alembic_version"}
    await upgrade(db.engine)
    assert set(Base.metadata.tables) <= await _tables(db)


async def test_the_models_and_the_migrations_agree(db: Database) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    def diff(connection: object) -> list[object]:
        context = MigrationContext.configure(connection, opts={"compare_type": False})  # type: ignore[arg-type]
        return compare_metadata(context, Base.metadata)

    async with db.engine.connect() as connection:
        assert await connection.run_sync(diff) == []


async def test_sqlite_runs_in_wal_mode(db: Database) -> None:
    if not db.is_sqlite:
        pytest.skip("SQLite only")
    async with db.engine.connect() as connection:
        mode = (await connection.exec_driver_sql("PRAGMA journal_mode")).scalar()
    assert mode == "wal"


async def test_a_database_behind_the_code_is_named_with_the_command_that_fixes_it(
    database_url: str,
) -> None:
    db = Database(database_url)
    try:
        with pytest.raises(NotMigrated, match="run `chopni-bot db upgrade`") as empty:
            await require_migrated(db.engine)
        assert empty.value.current is None
        await upgrade(db.engine, "0001")
        with pytest.raises(NotMigrated, match="at revision 0001"):
            await require_migrated(db.engine)
        await upgrade(db.engine)
        await require_migrated(db.engine)
        assert head_revision() != "0001"
    finally:
        await db.dispose()


def test_the_revision_the_bot_expects_is_the_newest_migration() -> None:
    assert head_revision() == HEAD


async def test_a_database_behind_is_brought_to_the_head(database_url: str) -> None:
    db = Database(database_url)
    try:
        await upgrade(db.engine, "0001")
        await migrate_if_behind(db.engine)
        await require_migrated(db.engine)
    finally:
        await db.dispose()


async def test_the_bot_starting_on_a_database_at_the_head_never_loads_alembic(db: Database) -> None:
    check = (
        "import asyncio, sys\n"
        "import bot.serving\n"
        "from storage.database import Database\n"
        "from storage.revision import migrate_if_behind\n"
        "async def main():\n"
        "    db = Database(sys.argv[1])\n"
        "    await migrate_if_behind(db.engine)\n"
        "    await db.dispose()\n"
        "asyncio.run(main())\n"
        "print(sorted(name for name in sys.modules if name.split('.')[0] in ('alembic', 'mako')))\n"
    )
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-c", check, db.url, stdout=asyncio.subprocess.PIPE
    )
    out, _ = await process.communicate()
    assert process.returncode == 0
    assert out.decode().strip() == "[]"
