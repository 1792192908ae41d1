"""An odd event costs no other event its place: a webhook whose type is 100 characters long is
stored (or, on a schema that cannot hold it, refused) alone, and the events written in the same
group-commit batch are stored all the same, on SQLite and on PostgreSQL."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from bot.sync.inbox import Outcome, WebhookReceiver
from storage.database import Database
from storage.migrate import downgrade
from storage.models import InboxEvent
from tests.integration.test_webhook_receiver import SECRET, signed

LONG_TYPE = "order." + "x" * 94


def event(msg_id: str, kind: str) -> bytes:
    return json.dumps(
        {"id": msg_id, "type": kind, "created_at": "2026-11-22T10:00:00Z", "data": {}}
    ).encode()


async def deliver_together(receiver: WebhookReceiver, kinds: list[str]) -> list[object]:
    """Deliver one event of each kind at once, so they share one group-commit batch."""
    now = datetime.now(UTC)
    bodies = [(f"evt_{i}", event(f"evt_{i}", kind)) for i, kind in enumerate(kinds)]
    return await asyncio.gather(
        *(receiver.receive(body, signed(body, msg_id, now)) for msg_id, body in bodies),
        return_exceptions=True,
    )


async def stored_types(db: Database) -> dict[str, str]:
    async with db.snapshot() as session:
        rows = (await session.scalars(select(InboxEvent))).all()
    return {row.id: row.type for row in rows}


async def test_a_100_character_event_type_is_stored_with_its_neighbours(db: Database) -> None:
    receiver = WebhookReceiver(db, SECRET)
    kinds = ["order.updated", LONG_TYPE, "message.created", "order.updated"]
    outcomes = await deliver_together(receiver, kinds)
    assert outcomes == [Outcome.STORED] * 4
    assert await stored_types(db) == {f"evt_{i}": kind for i, kind in enumerate(kinds)}


async def test_a_row_the_database_refuses_fails_alone_not_its_batch(db: Database) -> None:
    if db.is_sqlite:
        pytest.skip("SQLite does not enforce VARCHAR lengths; the refusal is PostgreSQL's")
    # The schema as it was before the type column was widened: the long type cannot be held.
    await downgrade(db.engine, "0003")
    receiver = WebhookReceiver(db, SECRET)
    kinds = ["order.updated", LONG_TYPE, "message.created", "order.updated"]
    outcomes = await deliver_together(receiver, kinds)
    assert outcomes[0] is Outcome.STORED
    assert isinstance(outcomes[1], SQLAlchemyError)  # answered 503: delivered again later
    assert outcomes[2:] == [Outcome.STORED, Outcome.STORED]
    assert set(await stored_types(db)) == {"evt_0", "evt_2", "evt_3"}
