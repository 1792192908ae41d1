"""Receiving marketplace webhooks: verify the signature (:mod:`bot.sync.signatures`), store,
acknowledge.

An event is acknowledged only once it is durably stored; a repeated ``webhook-id`` is already
done. Processing happens afterwards, in :mod:`bot.sync.events`, and gives way while deliveries are
arriving (:meth:`WebhookReceiver.lull`): the marketplace waits on every answer, while the seller's
notifications are paced by Telegram's limits anyway.
"""

from __future__ import annotations

import asyncio
import contextlib
import enum
import logging
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from pydantic import ValidationError
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError

from bot.marketplace.schemas import Envelope
from bot.sync.signatures import Signatures
from storage.database import Database, JSONText
from storage.models import InboxEvent

log = logging.getLogger(__name__)

MAX_BATCH = 200


def _row_error(exc: BaseException) -> bool:
    """True when the database refused what was written, not when it is out of reach."""
    return isinstance(exc, DBAPIError) and not isinstance(exc, OperationalError | InterfaceError)


class Outcome(enum.Enum):
    STORED = "stored"
    DUPLICATE = "duplicate"
    BAD_SIGNATURE = "bad_signature"
    MALFORMED = "malformed"


class WebhookReceiver:
    """Verifies deliveries and stores them with group commit.

    Concurrent deliveries are written together, in one transaction, by whichever flush is
    running; each is answered only after the transaction that holds it has committed. Under load
    this turns many small commits (each a round trip to the database) into a few larger ones.
    """

    def __init__(self, db: Database, secret: str) -> None:
        self._db = db
        self._signatures = Signatures(secret)
        self._queue: list[tuple[dict[str, Any], asyncio.Future[bool]]] = []
        self._flusher: asyncio.Task[None] | None = None
        #: deliveries being received right now, and a flag that is set while there are none
        self._receiving = 0
        self._quiet = asyncio.Event()
        self._quiet.set()
        dialect = sqlite if db.is_sqlite else postgresql
        self._claim = (
            dialect.insert(InboxEvent)
            .on_conflict_do_nothing(index_elements=["id"])
            .returning(InboxEvent.id)
        )

    async def _store(self, row: dict[str, Any]) -> bool:
        """True once the event is committed; False when it was stored before (a replay)."""
        stored: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        self._queue.append((row, stored))
        if self._flusher is None or self._flusher.done():
            self._flusher = asyncio.create_task(self._flush())
        return await stored

    async def _flush(self) -> None:
        while self._queue:
            batch, self._queue = self._queue[:MAX_BATCH], self._queue[MAX_BATCH:]
            await self._commit(batch)

    async def _commit(self, batch: list[tuple[dict[str, Any], asyncio.Future[bool]]]) -> None:
        """Store the batch in one transaction; if one odd row fails it, store each row alone."""
        try:
            new_ids = await self._insert([row for row, _ in batch])
        except Exception as exc:
            if len(batch) > 1 and _row_error(exc):
                log.warning(
                    "a batch of %d events failed (%s); storing each alone",
                    len(batch),
                    type(exc).__name__,
                )
                for one in batch:
                    await self._commit([one])
                return
            for _, stored in batch:
                if not stored.done():
                    stored.set_exception(exc)
            return
        seen: set[str] = set()
        for row, stored in batch:
            if not stored.done():
                stored.set_result(row["id"] in new_ids and row["id"] not in seen)
            seen.add(row["id"])

    @property
    def receiving(self) -> bool:
        """Whether a delivery is being received right now."""
        return self._receiving > 0

    async def lull(self, patience: float) -> None:
        """Return once no delivery is being received, or after ``patience`` seconds at most.

        Background work that would slow the answers (processing the stored events) waits here
        first; the bound keeps it going, slowly, through a burst that does not stop.
        """
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(patience):
                await self._quiet.wait()

    async def _insert(self, rows: list[dict[str, Any]]) -> set[str]:
        async with self._db.transaction(urgent=True) as session:
            # Parameters apart from the statement: it is compiled once and cached, where a
            # VALUES list of a whole batch would be compiled anew on every flush, in the loop.
            connection = await session.connection()
            new_ids = set((await connection.execute(self._claim, rows)).scalars())
            await session.commit()
        return new_ids

    async def receive(self, body: bytes, headers: Mapping[str, str]) -> Outcome:
        """Verify and store one delivery. Nothing is stored unless the signature is good."""
        self._receiving += 1
        self._quiet.clear()
        try:
            return await self._receive(body, headers)
        finally:
            self._receiving -= 1
            if not self._receiving:
                self._quiet.set()

    async def _receive(self, body: bytes, headers: Mapping[str, str]) -> Outcome:
        webhook_id = self._signatures.verified_id(body, headers)
        if webhook_id is None:
            return Outcome.BAD_SIGNATURE
        try:
            envelope = Envelope.model_validate_json(body)
            text = body.decode()
        except (ValueError, ValidationError):
            log.warning("webhook %s has a malformed body", webhook_id)
            return Outcome.MALFORMED
        if envelope.id != webhook_id:
            log.warning("webhook id %s does not match its body", webhook_id)
            return Outcome.MALFORMED

        row = {
            "id": envelope.id,
            "type": envelope.type,
            "payload": JSONText(text),
            "received_at": datetime.now(UTC),
            "attempts": 0,
        }
        if not await self._store(row):
            return Outcome.DUPLICATE
        return Outcome.STORED
