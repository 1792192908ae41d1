"""Receiving marketplace webhooks: verify the Standard Webhooks signature, store, acknowledge.

An event is acknowledged only once it is durably stored; a repeated ``webhook-id`` is already
done. Processing happens afterwards, in :mod:`bot.events`.
"""

from __future__ import annotations

import enum
import json
import logging
from collections.abc import Mapping
from datetime import UTC, datetime

from pydantic import ValidationError
from sqlalchemy.exc import IntegrityError
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from bot.marketplace.schemas import Envelope
from storage.database import Database
from storage.models import InboxEvent

log = logging.getLogger(__name__)


class Outcome(enum.Enum):
    STORED = "stored"
    DUPLICATE = "duplicate"
    BAD_SIGNATURE = "bad_signature"
    MALFORMED = "malformed"


class WebhookReceiver:
    def __init__(self, db: Database, secret: str) -> None:
        self._db = db
        self._webhook = Webhook(secret)

    async def receive(self, body: bytes, headers: Mapping[str, str]) -> Outcome:
        """Verify and store one delivery. Nothing is stored unless the signature is good."""
        names = ("webhook-id", "webhook-timestamp", "webhook-signature")
        wanted = {name: headers[name] for name in names if name in headers}
        try:
            self._webhook.verify(body, wanted, json_parse=False)
        except (WebhookVerificationError, ValueError) as exc:  # ValueError: undecodable parts
            log.warning("webhook rejected: %s", exc)
            return Outcome.BAD_SIGNATURE
        try:
            envelope = Envelope.model_validate(json.loads(body))
        except (ValueError, ValidationError):
            log.warning("webhook %s has a malformed body", wanted.get("webhook-id"))
            return Outcome.MALFORMED
        if envelope.id != wanted["webhook-id"]:
            log.warning("webhook id %s does not match its body", wanted["webhook-id"])
            return Outcome.MALFORMED

        async with self._db.transaction() as session:
            if await session.get(InboxEvent, envelope.id) is not None:
                return Outcome.DUPLICATE
            session.add(
                InboxEvent(
                    id=envelope.id,
                    type=envelope.type,
                    payload=envelope.model_dump(mode="json"),
                    received_at=datetime.now(UTC),
                    attempts=0,
                )
            )
            try:
                await session.commit()
            except IntegrityError:
                return Outcome.DUPLICATE  # the same delivery raced in through another worker
        return Outcome.STORED
