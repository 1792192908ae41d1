"""The migrations build the schema the models describe, and come down again cleanly."""

from __future__ import annotations

import pytest
from sqlalchemy import inspect

from storage.database import Database
from storage.migrate import NotMigrated, downgrade, head_revision, require_migrated, upgrade
from storage.models import Base


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
