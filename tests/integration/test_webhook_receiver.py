"""Marketplace webhooks: verified, stored once, refused when tampered with or stale."""

from __future__ import annotations

import asyncio
import json
import time
from datetime import UTC, datetime
from typing import Any

import time_machine
from sqlalchemy import String, func, select
from standardwebhooks.webhooks import Webhook

from bot.sync.inbox import Outcome, WebhookReceiver
from storage.database import Database
from storage.models import InboxEvent

# The published test vector of the Standard Webhooks specification.
SPEC_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
SPEC_ID = "msg_p5jXN8AQM9LWM0D4loKWxJek"
SPEC_TIMESTAMP = 1614265330
SPEC_SIGNATURE = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
SPEC_BODY = b'{"test": 2432232314}'

SECRET = "whsec_" + "c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0"


def signed(body: bytes, msg_id: str, at: datetime, secret: str = SECRET) -> dict[str, str]:
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": str(int(at.timestamp())),
        "webhook-signature": Webhook(secret).sign(msg_id, at, body.decode()),
    }


def event(msg_id: str = "evt_1") -> bytes:
    return json.dumps(
        {"id": msg_id, "type": "order.updated", "created_at": "2026-11-22T10:00:00Z", "data": {}}
    ).encode()


async def stored(db: Database) -> int:
    async with db.snapshot() as session:
        return int(await session.scalar(select(func.count()).select_from(InboxEvent)) or 0)


def test_the_specs_test_vector_verifies() -> None:
    headers = {
        "webhook-id": SPEC_ID,
        "webhook-timestamp": str(SPEC_TIMESTAMP),
        "webhook-signature": SPEC_SIGNATURE,
    }
    with time_machine.travel(datetime.fromtimestamp(SPEC_TIMESTAMP, UTC), tick=False):
        assert Webhook(SPEC_SECRET).verify(SPEC_BODY, headers) == {"test": 2432232314}


async def test_the_specs_test_vector_is_accepted_by_the_receiver_signature_check(
    db: Database,
) -> None:
    receiver = WebhookReceiver(db, SPEC_SECRET)
    headers = {
        "webhook-id": SPEC_ID,
        "webhook-timestamp": str(SPEC_TIMESTAMP),
        "webhook-signature": SPEC_SIGNATURE,
    }
    with time_machine.travel(datetime.fromtimestamp(SPEC_TIMESTAMP, UTC), tick=False):
        # The signature is good; the body is not one of the marketplace's envelopes.
        assert await receiver.receive(SPEC_BODY, headers) is Outcome.MALFORMED


async def test_a_signed_event_is_stored_once_and_a_replay_is_already_done(db: Database) -> None:
    receiver = WebhookReceiver(db, SECRET)
    body = event()
    headers = signed(body, "evt_1", datetime.now(UTC))
    assert await receiver.receive(body, headers) is Outcome.STORED
    assert await receiver.receive(body, headers) is Outcome.DUPLICATE
    assert await stored(db) == 1


async def test_a_tampered_body_is_refused_and_nothing_is_stored(db: Database) -> None:
    receiver = WebhookReceiver(db, SECRET)
    headers = signed(event(), "evt_1", datetime.now(UTC))
    tampered = event().replace(b"order.updated", b"order.processed")
    assert await receiver.receive(tampered, headers) is Outcome.BAD_SIGNATURE
    assert await stored(db) == 0


async def test_a_signature_with_another_secret_is_refused(db: Database) -> None:
    receiver = WebhookReceiver(db, SECRET)
    body = event()
    headers = signed(body, "evt_1", datetime.now(UTC), secret="whsec_" + "b3RoZXItc2VjcmV0LW90aGVy")
    assert await receiver.receive(body, headers) is Outcome.BAD_SIGNATURE


async def test_an_event_more_than_five_minutes_old_is_refused(db: Database) -> None:
    receiver = WebhookReceiver(db, SECRET)
    body = event()
    old = datetime.fromtimestamp(datetime.now(UTC).timestamp() - 301, UTC)
    assert await receiver.receive(body, signed(body, "evt_1", old)) is Outcome.BAD_SIGNATURE
    assert await stored(db) == 0


async def test_missing_or_garbled_headers_are_refused(db: Database) -> None:
    receiver = WebhookReceiver(db, SECRET)
    body = event()
    headers = signed(body, "evt_1", datetime.now(UTC))
    assert await receiver.receive(body, {}) is Outcome.BAD_SIGNATURE
    assert await receiver.receive(body, {**headers, "webhook-signature": "garbage"}) is (
        Outcome.BAD_SIGNATURE
    )
    assert await receiver.receive(body, {**headers, "webhook-timestamp": "soon"}) is (
        Outcome.BAD_SIGNATURE
    )
    assert await receiver.receive(b"\xff\xfe", headers) is Outcome.BAD_SIGNATURE


async def test_an_envelope_whose_id_differs_from_the_header_is_refused(db: Database) -> None:
    receiver = WebhookReceiver(db, SECRET)
    body = event("evt_other")
    assert await receiver.receive(body, signed(body, "evt_1", datetime.now(UTC))) is (
        Outcome.MALFORMED
    )
    assert await stored(db) == 0


async def test_the_event_is_stored_as_the_very_body_that_was_signed(db: Database) -> None:
    receiver = WebhookReceiver(db, SECRET)
    body = json.dumps(
        {
            "id": "evt_bg",
            "type": "order.updated",
            "created_at": "2026-11-22T10:00:00Z",
            "data": {"note": "Чаша от троянска керамика", "n": 1},
        },
        ensure_ascii=False,
        indent=1,
    ).encode()
    assert await receiver.receive(body, signed(body, "evt_bg", datetime.now(UTC))) is (
        Outcome.STORED
    )
    async with db.snapshot() as session:
        raw = await session.scalar(
            select(func.cast(InboxEvent.payload, String)).where(InboxEvent.id == "evt_bg")
        )
        event_row = await session.get(InboxEvent, "evt_bg")
    assert raw == body.decode()
    assert event_row is not None
    assert event_row.payload["data"]["note"] == "Чаша от троянска керамика"


async def test_a_lull_comes_at_once_when_nothing_is_being_received(db: Database) -> None:
    receiver = WebhookReceiver(db, SECRET)
    async with asyncio.timeout(1):
        await receiver.lull(patience=60)


class HeldReceiver(WebhookReceiver):
    """A receiver whose store waits until the test lets it go on."""

    def __init__(self, db: Database, secret: str) -> None:
        super().__init__(db, secret)
        self.go_on = asyncio.Event()

    async def _insert(self, rows: list[dict[str, Any]]) -> set[str]:
        await self.go_on.wait()
        return await super()._insert(rows)


async def test_a_lull_waits_for_the_delivery_in_progress_and_no_longer_than_its_patience(
    db: Database,
) -> None:
    receiver = HeldReceiver(db, SECRET)
    body = event("evt_slow")
    delivery = asyncio.create_task(
        receiver.receive(body, signed(body, "evt_slow", datetime.now(UTC)))
    )
    await asyncio.sleep(0.01)
    assert receiver.receiving
    lull = asyncio.create_task(receiver.lull(patience=60))
    started = time.monotonic()
    await asyncio.wait_for(receiver.lull(patience=0.1), 5)
    assert time.monotonic() - started >= 0.1  # waited its patience out, then gave up
    assert not lull.done()
    receiver.go_on.set()
    assert await delivery is Outcome.STORED
    await asyncio.wait_for(lull, 5)
    assert not receiver.receiving
