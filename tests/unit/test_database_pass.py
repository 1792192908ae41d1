"""The PostgreSQL pass of CI runs only the tests that reach a database, picked by their fixtures
(or a ``database`` marker), so a new test needs nothing to be placed right."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from tests import conftest


class Collected:
    """Just enough of a collected test for the hook: its fixtures and its markers."""

    def __init__(self, name: str, fixtures: list[str], marked: bool = False) -> None:
        self.name, self.fixturenames, self.marked = name, fixtures, marked

    def get_closest_marker(self, name: str) -> object | None:
        return object() if self.marked and name == "database" else None

    def __repr__(self) -> str:
        return self.name


def collect(items: list[Any]) -> tuple[list[str], list[str]]:
    deselected: list[Any] = []

    def pytest_deselected(items: list[Any]) -> None:
        deselected.extend(items)

    config = SimpleNamespace(hook=SimpleNamespace(pytest_deselected=pytest_deselected))
    conftest.pytest_collection_modifyitems(config, items)  # type: ignore[arg-type]
    return [item.name for item in items], [item.name for item in deselected]


def suite() -> list[Any]:
    return [
        Collected("uses_db", ["db", "database_url", "tmp_path"]),
        Collected("pure_rule", ["tmp_path"]),
        Collected("own_connection", [], marked=True),
        Collected("e2e_bot", ["bot", "telegram", "database_url"]),
    ]


def test_on_postgresql_only_the_tests_reaching_a_database_run(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(conftest, "TEST_DATABASE_URL", "postgresql+asyncpg://ci/test")
    kept, left_out = collect(suite())
    assert kept == ["uses_db", "own_connection", "e2e_bot"]
    assert left_out == ["pure_rule"]


def test_on_sqlite_everything_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(conftest, "TEST_DATABASE_URL", None)
    kept, left_out = collect(suite())
    assert kept == ["uses_db", "pure_rule", "own_connection", "e2e_bot"]
    assert left_out == []
