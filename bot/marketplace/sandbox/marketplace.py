"""The built-in sandbox marketplace, used when ``CHOPNI_API_URL`` is unset.

``SandboxMarketplace.app`` serves the REST paths of chopni-platform.openapi.yaml; the bot reaches
it with the real :class:`~bot.marketplace.client.HttpMarketplace` through
``httpx.ASGITransport(app=sandbox.app)``, so there is no second code path. The sandbox also plays
the marketplace's active part: it pays demo orders, lets the buyer write, ask for a return or
have the order cancelled, verifies delivery ``verify_delay`` seconds after a COMPLETE, and
announces all of it with signed webhooks through the injected ``deliver``.

Everything is kept in the bot's database, so a restart loses nothing: webhooks not yet delivered
and verifications not yet done are picked up again by :meth:`SandboxMarketplace.resume`, which
runs before the first request or action of a new instance (and may be called at start-up). A
verification whose time passed while the bot was down runs at once.

The sandbox writes to the same database as its caller. On SQLite a caller must therefore not
hold a write transaction while it waits for a sandbox answer that needs one: the sandbox would
wait for that lock until the busy timeout.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.exc import IntegrityError
from starlette.applications import Starlette

from bot.domain.lifecycle import Resolution, Status, TransitionRefused
from bot.marketplace.sandbox.api import MAX_FILE_BYTES, SandboxApi
from bot.marketplace.sandbox.data import demo_order, iso, new_id
from bot.marketplace.sandbox.store import Document, SandboxStore, Unit
from bot.marketplace.sandbox.webhooks import (
    DEFAULT_RETRY_DELAYS,
    Deliver,
    WebhookEmitter,
    sign_webhook,
)
from bot.marketplace.schemas import Message, Order
from storage.database import Database

__all__ = ["Deliver", "SandboxMarketplace", "UnknownOrder", "sign_webhook"]

log = logging.getLogger(__name__)

RETURN_WINDOW = timedelta(days=14)
CANCELLABLE = (Status.PROCESSED, Status.PROCESSING)


class UnknownOrder(LookupError):
    """The sandbox has no order with this id."""


def _utcnow() -> datetime:
    return datetime.now(UTC)


class SandboxMarketplace:
    """A marketplace in the bot's own process and database; see the module docstring."""

    def __init__(
        self,
        db: Database,
        *,
        webhook_secret: str,
        deliver: Deliver,
        verify_delay: float = 30.0,
        clock: Callable[[], datetime] = _utcnow,
        api_token: str | None = None,
        retry_delays: Sequence[float] = DEFAULT_RETRY_DELAYS,
        rng: random.Random | None = None,
    ) -> None:
        self._clock = clock
        self._rng = rng or random.Random()
        self._store = SandboxStore(
            db, clock=clock, verify_delay=verify_delay, after_commit=self._after_commit
        )
        self._emitter = WebhookEmitter(
            webhook_secret,
            deliver,
            on_delivered=self._store.mark_delivered,
            retry_delays=retry_delays,
        )
        self._verifications: dict[str, asyncio.Task[None]] = {}
        self._resume_lock = asyncio.Lock()
        self._resumed = False
        self._closed = False
        self.app: Starlette = SandboxApi(
            self._store, api_token=api_token, before_request=self.resume
        ).build()

    async def resume(self) -> None:
        """Deliver the webhooks and run the verifications that a previous run left pending."""
        if self._resumed:
            return
        async with self._resume_lock:
            if self._resumed:
                return
            events = await self._store.pending_events()
            verifications = await self._store.pending_verifications()
            self._resumed = True
        if events or verifications:
            log.info(
                "sandbox resumes %d webhooks and %d verifications", len(events), len(verifications)
            )
        for event_id, body in events:
            self._emitter.send(event_id, body)
        for order_id, due in verifications:
            self._verify_at(order_id, due)

    async def create_demo_order(self, seller_id: str) -> Order:
        """Pay a realistic order for ``seller_id``; announces ``order.processed``."""
        await self.resume()
        for attempt in (1, 2, 3):
            try:
                async with self._store.unit() as unit:
                    number = await unit.next_number()
                    order_id, now = new_id("ord"), unit.now
                    order = demo_order(
                        seller_id, order_id=order_id, number=number, now=now, rng=self._rng
                    )
                    await unit.add_order(order)
                    await unit.emit("order.processed", {"order": order})
                    await unit.commit()
                return Order.model_validate(order)
            except IntegrityError:
                # Another process created the number counter at the same moment.
                if attempt == 3:
                    raise
        raise AssertionError("unreachable")

    async def buyer_writes(
        self, order_id: str, text: str, attachments: Sequence[tuple[str, str, bytes]] = ()
    ) -> Message:
        """The buyer writes about an order, with (filename, content type, bytes) attachments."""
        if any(len(data) > MAX_FILE_BYTES for _, _, data in attachments):
            raise ValueError("an attachment may have at most 20 MB")
        await self.resume()
        async with self._store.unit() as unit:
            await self._order(unit, order_id)
            files = [await unit.add_file(*attachment) for attachment in attachments]
            message = {
                "id": new_id("msg"),
                "order_id": order_id,
                "author": "buyer",
                "text": text,
                "sent_at": iso(unit.now),
                "attachments": files,
            }
            await unit.add_message(message)
            await unit.emit("message.created", {"message": message})
            await unit.commit()
        return Message.model_validate(message)

    async def request_return(self, order_id: str, kind: str, reason: str) -> None:
        """The buyer asks for a ``refund`` or an ``exchange``; announces it."""
        resolution = Resolution(kind)
        await self.resume()
        async with self._store.unit() as unit:
            doc = await self._order(unit, order_id, lock=True)
            status = Status(doc["order"]["status"])
            if status.is_final:
                raise TransitionRefused("final", status, Status.REFUNDED)
            doc["returns"].append({"kind": resolution.value, "reason": reason, "at": iso(unit.now)})
            await unit.save_order(doc, touch=False)
            data = {"order_id": order_id, "kind": resolution.value, "reason": reason}
            await unit.emit("order.return_requested", data)
            await unit.commit()

    async def cancel(self, order_id: str) -> Order:
        """The marketplace cancels an order that has not shipped; announces ``order.updated``."""
        await self.resume()
        async with self._store.unit() as unit:
            doc = await self._order(unit, order_id, lock=True)
            status = Status(doc["order"]["status"])
            if status not in CANCELLABLE:
                reason = "final" if status.is_final else "already_shipped"
                raise TransitionRefused(reason, status, Status.CANCELLED)
            change = {"status": Status.CANCELLED.value, "comment": "Cancelled by the marketplace"}
            unit.record_change(doc, change, source="marketplace")
            await unit.save_order(doc)
            await unit.emit("order.updated", {"order": doc["order"]})
            await unit.commit()
        return Order.model_validate(doc["order"])

    async def order(self, order_id: str) -> Order:
        """The order as the marketplace has it now."""
        doc = await self._store.order(order_id)
        if doc is None:
            raise UnknownOrder(order_id)
        return Order.model_validate(doc["order"])

    async def status_history(self, order_id: str) -> list[dict[str, Any]]:
        """The Order Status History as applied, oldest first, with each change's source."""
        doc = await self._store.order(order_id)
        if doc is None:
            raise UnknownOrder(order_id)
        return list(doc["history"])

    async def wait_idle(self) -> None:
        """Wait until no webhook delivery or verification is under way."""
        while tasks := [*self._emitter.tasks, *self._verifications.values()]:
            await asyncio.gather(*tasks, return_exceptions=True)

    async def aclose(self) -> None:
        """Stop the background work; whatever is unfinished stays pending in the database."""
        self._closed = True
        tasks = list(self._verifications.values())
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await self._emitter.aclose()

    @staticmethod
    async def _order(unit: Unit, order_id: str, *, lock: bool = False) -> Document:
        doc = await unit.order(order_id, lock=lock)
        if doc is None:
            raise UnknownOrder(order_id)
        return doc

    def _after_commit(self, unit: Unit) -> None:
        if self._closed:
            return
        for event_id, body in unit.events:
            self._emitter.send(event_id, body)
        for order_id, due in unit.verifications:
            self._verify_at(order_id, due)

    def _verify_at(self, order_id: str, due: datetime) -> None:
        if order_id in self._verifications:
            return
        task = asyncio.create_task(self._verify_when_due(order_id, due), name=f"verify-{order_id}")
        self._verifications[order_id] = task
        task.add_done_callback(lambda _: self._verifications.pop(order_id, None))

    async def _verify_when_due(self, order_id: str, due: datetime) -> None:
        delay = (due - self._clock()).total_seconds()
        if delay > 0:
            await asyncio.sleep(delay)
        try:
            await self._verify(order_id)
        except Exception:
            log.exception("sandbox could not verify the delivery of %s; it stays pending", order_id)

    async def _verify(self, order_id: str) -> None:
        """Verify the delivery of a COMPLETE order: the return window starts now."""
        async with self._store.unit() as unit:
            if not await unit.take_verification(order_id):
                return
            doc = await unit.order(order_id, lock=True)
            order = doc["order"] if doc is not None else {}
            if order.get("status") == Status.COMPLETE and order.get("delivered_at") is None:
                assert doc is not None
                order["delivered_at"] = iso(unit.now)
                order["return_window_ends_at"] = iso(unit.now + RETURN_WINDOW)
                await unit.save_order(doc)
                data = {
                    "order_id": order_id,
                    "delivered_at": order["delivered_at"],
                    "return_window_ends_at": order["return_window_ends_at"],
                }
                await unit.emit("order.delivery_verified", data)
            await unit.commit()
