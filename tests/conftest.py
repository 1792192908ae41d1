"""Shared fixtures: a fresh, migrated database per test — SQLite by default, or a new PostgreSQL
database on the server named by ``TEST_DATABASE_URL`` when that is set.

CI runs the suite twice, on SQLite and on PostgreSQL. The PostgreSQL pass runs only the tests
that reach a database: those using the ``database_url`` fixture (directly or through ``db``,
``bot`` and the like), or marked ``database``. Nothing to do for a new test that uses the
fixtures; one that reaches PostgreSQL some other way carries ``@pytest.mark.database``.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from storage.database import Database
from storage.migrate import upgrade
from testkit.databases import fresh_postgres

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL")

#: a test that requests this fixture, even indirectly, reaches the database under test
DATABASE_FIXTURE = "database_url"


def reaches_database(item: pytest.Item) -> bool:
    """Whether a collected test uses the database under test."""
    fixtures = getattr(item, "fixturenames", ())
    return DATABASE_FIXTURE in fixtures or item.get_closest_marker("database") is not None


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """On the PostgreSQL pass, leave out the tests that never touch a database."""
    if not TEST_DATABASE_URL:
        return
    keep = [item for item in items if reaches_database(item)]
    dropped = [item for item in items if not reaches_database(item)]
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = keep


@pytest.fixture
async def database_url(tmp_path: Path) -> AsyncIterator[str]:
    """The URL of an empty database that lives as long as the test."""
    if not TEST_DATABASE_URL:
        yield f"sqlite+aiosqlite:///{tmp_path / 'test.db'}"
        return
    async with fresh_postgres(TEST_DATABASE_URL, "chopni_test") as url:
        yield url


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[Database]:
    """A migrated database."""
    database = Database(database_url)
    await upgrade(database.engine)
    try:
        yield database
    finally:
        await database.dispose()
