"""The sandbox marketplace's durable state, kept in two tables of the bot's own database.

``sandbox_files`` holds uploaded bytes; ``sandbox_records`` holds JSON documents by kind:

- ``order``: ``{"order": <wire Order>, "history": [...], "returns": [...]}``, parent = seller;
- ``message``: a wire Message, parent = order id;
- ``answer``: the first answer given to an ``Idempotency-Key``;
- ``event``: a webhook body, parent ``pending`` until delivered, then ``delivered``;
- ``verification``: a COMPLETE order whose delivery is still to be verified, with its due time;
- ``counter``: the last order number handed out.

A :class:`Unit` is one transaction. The events and verifications it creates are handed to
``after_commit`` only once it committed, so nothing is announced that did not happen.
"""

from __future__ import annotations

import copy
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import flag_modified

from bot.marketplace.sandbox.data import iso, new_id
from bot.marketplace.sandbox.webhooks import envelope
from storage.database import Database
from storage.models import SandboxFile, SandboxRecord

FIRST_ORDER_NUMBER = 100001
PENDING, DELIVERED = "pending", "delivered"

Document = dict[str, Any]


@dataclass(frozen=True, slots=True)
class Answer:
    """What a POST answered, kept so that the same ``Idempotency-Key`` gets it again."""

    fingerprint: str
    status: int
    body: Document


class Unit:
    """One transaction on the sandbox's state; see the module docstring."""

    def __init__(self, session: AsyncSession, now: datetime, verify_delay: float) -> None:
        self.session = session
        self.now = now
        self._verify_delay = verify_delay
        self.events: list[tuple[str, bytes]] = []
        self.verifications: list[tuple[str, datetime]] = []
        self.committed = False

    async def commit(self) -> None:
        await self.session.commit()
        self.committed = True

    async def rollback(self) -> None:
        """Forget everything done so far; the unit can go on in a fresh transaction."""
        await self.session.rollback()
        self.events.clear()
        self.verifications.clear()

    async def _get(self, kind: str, key: str, *, lock: bool = False) -> SandboxRecord | None:
        return await self.session.get(SandboxRecord, (kind, key), with_for_update=lock or None)

    async def _put(self, kind: str, key: str, data: Document, parent: str | None = None) -> None:
        """Insert, or update a record this unit already read (and locked, if others may write)."""
        record = await self._get(kind, key)
        if record is None:
            self.session.add(
                SandboxRecord(kind=kind, key=key, parent=parent, data=data, updated_at=self.now)
            )
            return
        record.data, record.parent, record.updated_at = data, parent, self.now
        flag_modified(record, "data")

    async def order(self, order_id: str, *, lock: bool = False) -> Document | None:
        """A private copy of the order's document; change it and :meth:`save_order` it."""
        record = await self._get("order", order_id, lock=lock)
        return copy.deepcopy(record.data) if record is not None else None

    async def save_order(self, doc: Document, *, touch: bool = True) -> None:
        """Store the document; ``touch`` when the wire order itself changed."""
        order = doc["order"]
        if touch:
            order["updated_at"] = iso(self.now)
        await self._put("order", order["id"], doc, parent=order["seller_id"])

    async def add_order(self, order: Document) -> None:
        await self.save_order({"order": order, "history": [], "returns": []})

    def record_change(
        self, doc: Document, change: Document, *, source: str, idempotency_key: str | None = None
    ) -> None:
        """Set the order's status and append the change to its Order Status History."""
        order = doc["order"]
        order["status"] = change["status"]
        if change["status"] == "SHIPPED":
            order["tracking_number"] = change["tracking_number"]
        entry = {**change, "source": source, "at": iso(self.now)}
        if idempotency_key is not None:
            entry["idempotency_key"] = idempotency_key
        doc["history"].append(entry)

    async def next_number(self) -> str:
        """The next order number: unique and incrementing."""
        counter = await self._get("counter", "order_number", lock=True)
        if counter is None:
            # A concurrent first order inserts the same key; one of the two then fails with
            # IntegrityError and is retried, by which time the row exists and can be locked.
            data = {"last": FIRST_ORDER_NUMBER}
            self.session.add(
                SandboxRecord(kind="counter", key="order_number", data=data, updated_at=self.now)
            )
            return str(FIRST_ORDER_NUMBER)
        counter.data = {"last": counter.data["last"] + 1}
        counter.updated_at = self.now
        flag_modified(counter, "data")
        return str(counter.data["last"])

    async def answer(self, key: str) -> Answer | None:
        record = await self._get("answer", key)
        return Answer(**record.data) if record is not None else None

    async def remember(self, key: str, answer: Answer) -> None:
        data = {"fingerprint": answer.fingerprint, "status": answer.status, "body": answer.body}
        self.session.add(
            SandboxRecord(kind="answer", key=key, parent=None, data=data, updated_at=self.now)
        )

    async def add_message(self, message: Document) -> None:
        await self._put("message", message["id"], message, parent=message["order_id"])

    async def add_file(self, filename: str, content_type: str, data: bytes) -> Document:
        """Store uploaded bytes; returns the wire Attachment."""
        stored = SandboxFile(
            id=new_id("file"),
            filename=filename[:255] or "file",
            content_type=content_type[:128] or "application/octet-stream",
            size=len(data),
            data=data,
            created_at=self.now,
        )
        self.session.add(stored)
        return _attachment(stored.id, stored.filename, stored.content_type, stored.size)

    async def attachments(self, file_ids: list[str]) -> list[Document | None]:
        """The wire Attachment of each id, or None where there is no such file."""
        columns = (SandboxFile.id, SandboxFile.filename, SandboxFile.content_type, SandboxFile.size)
        rows = await self.session.execute(select(*columns).where(SandboxFile.id.in_(file_ids)))
        found = {row.id: _attachment(*row) for row in rows}
        return [found.get(file_id) for file_id in file_ids]

    async def emit(self, event_type: str, data: Document) -> str:
        """Store a webhook event; it is delivered once this unit has committed."""
        event_id = new_id("evt")
        body = envelope(event_id, event_type, data, iso(self.now))
        stored = {"type": event_type, "body": body.decode()}
        await self._put("event", event_id, stored, parent=PENDING)
        self.events.append((event_id, body))
        return event_id

    async def verify_later(self, order_id: str) -> None:
        """Promise a delivery verification for a COMPLETE order after the verify delay."""
        due = self.now + timedelta(seconds=self._verify_delay)
        await self._put("verification", order_id, {"due": iso(due)})
        self.verifications.append((order_id, due))

    async def take_verification(self, order_id: str) -> bool:
        """Claim a due verification; False when it was already done (or never promised)."""
        record = await self._get("verification", order_id, lock=True)
        if record is None:
            return False
        await self.session.delete(record)
        return True


def _attachment(file_id: str, filename: str, content_type: str, size: int) -> Document:
    return {"id": file_id, "filename": filename, "content_type": content_type, "size": size}


class SandboxStore:
    """Opens units of work and answers the reads that need no transaction of their own."""

    def __init__(
        self,
        db: Database,
        *,
        clock: Callable[[], datetime],
        verify_delay: float,
        after_commit: Callable[[Unit], None],
    ) -> None:
        self._db = db
        self._clock = clock
        self._verify_delay = verify_delay
        self._after_commit = after_commit

    @asynccontextmanager
    async def unit(self) -> AsyncIterator[Unit]:
        """A write transaction; call ``unit.commit()`` to keep what it did."""
        async with self._db.transaction() as session:
            unit = Unit(session, self._clock(), self._verify_delay)
            yield unit
        if unit.committed:
            self._after_commit(unit)

    async def order(self, order_id: str) -> Document | None:
        async with self._db.snapshot() as session:
            record = await session.get(SandboxRecord, ("order", order_id))
            return copy.deepcopy(record.data) if record is not None else None

    async def seller_orders(self, seller_id: str, since: datetime | None) -> list[Document]:
        """The seller's wire orders, those changed at or after ``since`` when it is given."""
        query = select(SandboxRecord).where(
            SandboxRecord.kind == "order", SandboxRecord.parent == seller_id
        )
        if since is not None:
            query = query.where(SandboxRecord.updated_at >= since)
        async with self._db.snapshot() as session:
            return [record.data["order"] for record in await session.scalars(query)]

    async def file(self, file_id: str) -> SandboxFile | None:
        async with self._db.snapshot() as session:
            return await session.get(SandboxFile, file_id)

    async def pending_events(self) -> list[tuple[str, bytes]]:
        async with self._db.snapshot() as session:
            query = select(SandboxRecord).where(
                SandboxRecord.kind == "event", SandboxRecord.parent == PENDING
            )
            records = (await session.scalars(query.order_by(SandboxRecord.updated_at))).all()
        return [(record.key, record.data["body"].encode()) for record in records]

    async def pending_verifications(self) -> list[tuple[str, datetime]]:
        async with self._db.snapshot() as session:
            query = select(SandboxRecord).where(SandboxRecord.kind == "verification")
            records = (await session.scalars(query)).all()
        return [(record.key, datetime.fromisoformat(record.data["due"])) for record in records]

    async def mark_delivered(self, event_id: str) -> None:
        async with self._db.transaction() as session:
            record = await session.get(SandboxRecord, ("event", event_id))
            if record is not None and record.parent == PENDING:
                record.parent = DELIVERED
                record.updated_at = self._clock()
                await session.commit()
