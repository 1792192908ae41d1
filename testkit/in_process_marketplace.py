"""The sandbox marketplace in-process, as the bot uses it, and a webhook sink for its events."""

from __future__ import annotations

import httpx

from bot.domain.lifecycle import Status
from bot.marketplace.client import HttpMarketplace
from bot.marketplace.sandbox.marketplace import SandboxMarketplace
from bot.marketplace.schemas import Envelope, StatusChangeRequest
from storage.database import Database
from testkit.marketplace_stub import new_webhook_secret

SECRET = new_webhook_secret()
TRACKING = "1051234567890"


class WebhookSink:
    """A webhook endpoint that records deliveries and answers the queued statuses, then 204."""

    def __init__(self, *answers: int) -> None:
        self.answers = list(answers)
        self.deliveries: list[tuple[bytes, dict[str, str]]] = []

    async def __call__(self, body: bytes, headers: dict[str, str]) -> int:
        self.deliveries.append((body, headers))
        return self.answers.pop(0) if self.answers else 204

    def events(self, event_type: str | None = None) -> list[Envelope]:
        """The delivered envelopes, all or of one type, every attempt included."""
        found = [Envelope.model_validate_json(body) for body, _ in self.deliveries]
        return [e for e in found if event_type is None or e.type == event_type]


def new_sandbox(db: Database, sink: WebhookSink, **kwargs: object) -> SandboxMarketplace:
    """A sandbox that verifies deliveries only when asked to and retries webhooks quickly."""
    options: dict[str, object] = {"verify_delay": 3600.0, "retry_delays": (0.01, 0.01)}
    options.update(kwargs)
    return SandboxMarketplace(db, webhook_secret=SECRET, deliver=sink, **options)  # type: ignore[arg-type]


def in_process(sandbox: SandboxMarketplace) -> httpx.ASGITransport:
    """The transport the bot itself uses to reach the sandbox."""
    return httpx.ASGITransport(app=sandbox.app)


def shipped(tracking: str = TRACKING, comment: str | None = None) -> StatusChangeRequest:
    """SHIPPED, with the comment naming the tracking number unless another comment is given."""
    return StatusChangeRequest(
        status=Status.SHIPPED,
        tracking_number=tracking,
        comment=f"Tracking number: {tracking}" if comment is None else comment,
    )


async def complete(api: HttpMarketplace, order_id: str) -> None:
    """Walk a fresh order through PROCESSING and SHIPPED to COMPLETE."""
    for key, change in (
        ("p", StatusChangeRequest(status=Status.PROCESSING)),
        ("s", shipped()),
        ("c", StatusChangeRequest(status=Status.COMPLETE)),
    ):
        await api.change_status(order_id, change, idempotency_key=f"{order_id}-{key}")
