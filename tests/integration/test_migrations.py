"""The migrations build the schema the models describe, and come down again cleanly."""

from __future__ import annotations

import pytest
from sqlalchemy import inspect

from storage.database import Database
from storage.migrate import downgrade, upgrade
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
