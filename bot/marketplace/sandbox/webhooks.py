"""The sandbox marketplace's outgoing webhooks, signed the Standard Webhooks way.

:func:`sign_webhook` makes the three headers for one delivery attempt; :class:`WebhookEmitter`
delivers stored events in background tasks and retries a non-2xx answer a few times with a short
backoff. An event that still failed stays pending in the store; it is offered again together
with the next event, and after a restart when the sandbox resumes (see
:mod:`bot.marketplace.sandbox.marketplace`).
"""

from __future__ import annotations

import asyncio
import json
import logging
import math
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime
from typing import Any

from standardwebhooks.webhooks import Webhook

log = logging.getLogger(__name__)

#: posts one signed body with its headers somewhere and returns the HTTP status
Deliver = Callable[[bytes, dict[str, str]], Awaitable[int]]

DEFAULT_RETRY_DELAYS = (0.2, 0.5, 1.0, 2.0, 4.0)


def sign_webhook(secret: str, msg_id: str, body: bytes, timestamp: datetime) -> dict[str, str]:
    """The headers of one delivery of ``body``: ``webhook-id``, ``-timestamp``, ``-signature``."""
    moment = timestamp.astimezone(UTC)
    signature = Webhook(secret).sign(msg_id, moment, body.decode())
    return {
        "content-type": "application/json",
        "webhook-id": msg_id,
        "webhook-timestamp": str(math.floor(moment.timestamp())),
        "webhook-signature": signature,
    }


def envelope(event_id: str, event_type: str, data: dict[str, Any], created_at: str) -> bytes:
    """The JSON body of an event: ``{id, type, created_at, data}``."""
    document = {"id": event_id, "type": event_type, "created_at": created_at, "data": data}
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()


class WebhookEmitter:
    """Background delivery of events, each signed afresh for every attempt."""

    def __init__(
        self,
        secret: str,
        deliver: Deliver,
        *,
        on_delivered: Callable[[str], Awaitable[None]],
        retry_delays: Sequence[float] = DEFAULT_RETRY_DELAYS,
    ) -> None:
        Webhook(secret)  # refuse a malformed secret now rather than at the first event
        self._secret = secret
        self._deliver = deliver
        self._on_delivered = on_delivered
        self._retry_delays = tuple(retry_delays)
        self._tasks: dict[str, asyncio.Task[bool]] = {}
        #: events whose attempts ran out; offered again with the next event
        self._stalled: dict[str, bytes] = {}

    @property
    def tasks(self) -> list[asyncio.Task[bool]]:
        return list(self._tasks.values())

    def send(self, event_id: str, body: bytes) -> None:
        """Start delivering one stored event, and try again those that ran out of attempts."""
        self._start(event_id, body)
        for stalled_id, stalled_body in list(self._stalled.items()):
            self._start(stalled_id, stalled_body)

    def _start(self, event_id: str, body: bytes) -> None:
        self._stalled.pop(event_id, None)
        if event_id in self._tasks:
            return
        task = asyncio.create_task(self._run(event_id, body), name=f"sandbox-webhook-{event_id}")
        self._tasks[event_id] = task
        task.add_done_callback(lambda _: self._tasks.pop(event_id, None))

    async def _run(self, event_id: str, body: bytes) -> bool:
        for attempt, delay in enumerate((0.0, *self._retry_delays)):
            if delay:
                await asyncio.sleep(delay)
            # Real time, not the sandbox's clock: receivers check it against their own.
            headers = sign_webhook(self._secret, event_id, body, datetime.now(UTC))
            try:
                status = await self._deliver(body, headers)
            except Exception as exc:
                log.info("webhook %s attempt %d failed: %r", event_id, attempt + 1, exc)
                continue
            if 200 <= status < 300:
                try:
                    await self._on_delivered(event_id)
                except Exception:
                    log.exception("could not mark webhook %s delivered", event_id)
                return True
            log.info("webhook %s attempt %d answered %d", event_id, attempt + 1, status)
        log.warning("webhook %s is still pending after %d attempts", event_id, attempt + 1)
        self._stalled[event_id] = body
        return False

    async def aclose(self) -> None:
        tasks = self.tasks
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
