"""Which bot processes are alive, known at once: a lock that dies with its process.

Every process has an owner id and holds a lock that only its death releases:

- on PostgreSQL, a session-level advisory lock on a connection of its own; the server releases
  it the moment that connection drops (a killed process's sockets are closed by the kernel);
- on SQLite, an ``flock`` on a file beside the database; the kernel releases it when the process
  dies, whatever the way.

Another process probes those locks: an owner whose lock is free is provably gone, and what it
claimed (outbox rows, the poller lease) can be taken over at once instead of waiting out a
lease. Time leases remain only for an owner that is alive but stuck.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import secrets
import socket
from collections.abc import Iterable
from pathlib import Path
from typing import Protocol

from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

log = logging.getLogger(__name__)

#: the first key of every owner's advisory lock ("Chop"), so other advisory locks never clash
ADVISORY_NAMESPACE = 0x43686F70


def new_owner_id() -> str:
    """``host:pid:token``; the token (31 bits, hex) names the owner's lock."""
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.randbits(31) or 1:x}"


def lock_token(owner: str) -> int | None:
    """The lock token inside an owner id, or None for an id that has none (an old holder)."""
    try:
        return int(owner.rsplit(":", 1)[1], 16)
    except (IndexError, ValueError):
        return None


class Liveness(Protocol):
    """This process's owner id, kept alive by its lock, and a probe of the others'."""

    owner: str

    async def start(self) -> None:
        """Take this process's lock."""

    async def alive(self, owners: Iterable[str]) -> set[str]:
        """Those of ``owners`` whose lock is held: the rest are gone."""

    async def check(self) -> bool:
        """Whether this process still holds its lock (re-taking it if it was lost)."""

    async def close(self) -> None:
        """Release this process's lock."""


class FileLiveness:
    """SQLite: one lock file per owner in ``<database>.owners/``, held with ``flock``."""

    def __init__(self, directory: Path, owner: str | None = None) -> None:
        self.owner = owner or new_owner_id()
        self._directory = directory
        self._fd: int | None = None

    def _path(self, owner: str) -> Path | None:
        token = lock_token(owner)
        return None if token is None else self._directory / f"{token:x}.lock"

    async def start(self) -> None:
        self._directory.mkdir(parents=True, exist_ok=True)
        path = self._path(self.owner)
        assert path is not None
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        self._fd = fd

    async def alive(self, owners: Iterable[str]) -> set[str]:
        return {owner for owner in owners if owner == self.owner or self._holds(owner)}

    def _holds(self, owner: str) -> bool:
        path = self._path(owner)
        if path is None:
            return True  # no lock to probe: only its lease can tell
        try:
            fd = os.open(path, os.O_RDWR)
        except FileNotFoundError:
            return False
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        else:
            # Free: its process is gone. The file goes too, under the lock we now hold.
            with contextlib.suppress(FileNotFoundError):
                path.unlink()
            return False
        finally:
            os.close(fd)

    async def check(self) -> bool:
        return self._fd is not None

    async def close(self) -> None:
        if self._fd is None:
            return
        path = self._path(self.owner)
        if path is not None:
            with contextlib.suppress(FileNotFoundError):
                path.unlink()
        os.close(self._fd)
        self._fd = None


class LocalLiveness:
    """An in-memory SQLite database: no other process can reach it, so only this one lives."""

    def __init__(self, owner: str | None = None) -> None:
        self.owner = owner or new_owner_id()

    async def start(self) -> None:
        """Nothing to lock."""

    async def alive(self, owners: Iterable[str]) -> set[str]:
        return {owner for owner in owners if owner == self.owner}

    async def check(self) -> bool:
        return True

    async def close(self) -> None:
        """Nothing to release."""


class AdvisoryLiveness:
    """PostgreSQL: a session-level advisory lock (namespace, token) on a connection of its own."""

    def __init__(self, engine: AsyncEngine, owner: str | None = None) -> None:
        self.owner = owner or new_owner_id()
        self._engine = engine
        self._connection: AsyncConnection | None = None

    async def start(self) -> None:
        token = lock_token(self.owner)
        connection = await self._engine.connect()
        connection = await connection.execution_options(isolation_level="AUTOCOMMIT")
        await connection.execute(
            text("SELECT pg_advisory_lock(:namespace, :token)"),
            {"namespace": ADVISORY_NAMESPACE, "token": token},
        )
        self._connection = connection

    async def alive(self, owners: Iterable[str]) -> set[str]:
        wanted = {owner: lock_token(owner) for owner in owners}
        if not wanted:
            return set()
        async with self._engine.connect() as connection:
            held = set(
                (
                    await connection.execute(
                        text(
                            "SELECT objid::text::bigint FROM pg_locks "
                            "WHERE locktype = 'advisory' AND granted AND objsubid = 2 "
                            "AND classid::text::bigint = :namespace AND database = "
                            "(SELECT oid FROM pg_database WHERE datname = current_database())"
                        ),
                        {"namespace": ADVISORY_NAMESPACE},
                    )
                ).scalars()
            )
        return {
            owner
            for owner, token in wanted.items()
            if owner == self.owner or token is None or token in held
        }

    async def check(self) -> bool:
        """Ping the lock's connection; a lost one is replaced and the lock taken again."""
        if self._connection is not None:
            try:
                await self._connection.execute(text("SELECT 1"))
                return True
            except Exception:
                log.warning("the liveness connection was lost; taking the lock again")
                with contextlib.suppress(Exception):
                    await self._connection.invalidate()
                self._connection = None
        try:
            await self.start()
        except Exception:
            log.exception("the liveness lock could not be taken again")
            return False
        return True

    async def close(self) -> None:
        if self._connection is not None:
            with contextlib.suppress(Exception):
                await self._connection.close()
            self._connection = None


def liveness_for(url: str, engine: AsyncEngine, owner: str | None = None) -> Liveness:
    """The kind of lock that suits the database at ``url``."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return AdvisoryLiveness(engine, owner)
    database = parsed.database
    if not database or database == ":memory:" or database.startswith("file::memory:"):
        return LocalLiveness(owner)
    path = Path(database).resolve()
    return FileLiveness(path.with_name(path.name + ".owners"), owner)
