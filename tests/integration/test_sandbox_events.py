"""The sandbox marketplace's active part: signed webhooks, delivery verification, restarts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from bot.domain.lifecycle import Resolution, Status
from bot.marketplace.client import HttpMarketplace
from bot.marketplace.sandbox.marketplace import SandboxMarketplace, sign_webhook
from bot.marketplace.schemas import (
    DeliveryVerifiedData,
    Envelope,
    MessageCreatedData,
    OrderEventData,
    ReturnRequestedData,
    StatusChangeRequest,
)
from storage.database import Database
from testkit.in_process_marketplace import SECRET, WebhookSink, complete, in_process, new_sandbox
from testkit.marketplace_stub import SELLER, new_webhook_secret


async def test_a_paid_order_is_announced_with_a_correctly_signed_webhook(
    sandbox: SandboxMarketplace, sink: WebhookSink
) -> None:
    order = await sandbox.create_demo_order(SELLER)
    await sandbox.wait_idle()

    [(body, headers)] = sink.deliveries
    Webhook(SECRET).verify(body, headers)
    with pytest.raises(WebhookVerificationError):
        Webhook(new_webhook_secret()).verify(body, headers)
    envelope = Envelope.model_validate_json(body)
    assert envelope.id == headers["webhook-id"]
    assert envelope.type == "order.processed"
    data = envelope.parsed_data()
    assert isinstance(data, OrderEventData)
    assert data.order == order


async def test_a_failed_delivery_is_retried_with_the_same_id(db: Database) -> None:
    sink = WebhookSink(500, 503)
    sandbox = new_sandbox(db, sink)
    try:
        await sandbox.create_demo_order(SELLER)
        await sandbox.wait_idle()
    finally:
        await sandbox.aclose()

    assert len(sink.deliveries) == 3
    assert len({headers["webhook-id"] for _, headers in sink.deliveries}) == 1
    for body, headers in sink.deliveries:
        Webhook(SECRET).verify(body, headers)


async def test_a_buyer_message_is_announced_and_its_attachment_downloads(
    sandbox: SandboxMarketplace, api: HttpMarketplace, sink: WebhookSink
) -> None:
    order = await sandbox.create_demo_order(SELLER)

    message = await sandbox.buyer_writes(
        order.id, "Кога ще пристигне?", [("бележка.txt", "text/plain", "здравей".encode())]
    )
    await sandbox.wait_idle()

    [event] = sink.events("message.created")
    data = event.parsed_data()
    assert isinstance(data, MessageCreatedData)
    assert data.message == message
    assert data.message.author == "buyer"
    assert await api.download_file(message.attachments[0].id) == "здравей".encode()


async def test_a_return_request_is_announced(
    sandbox: SandboxMarketplace, sink: WebhookSink
) -> None:
    order = await sandbox.create_demo_order(SELLER)

    await sandbox.request_return(order.id, "exchange", "Грешен размер")
    await sandbox.wait_idle()

    [event] = sink.events("order.return_requested")
    data = event.parsed_data()
    assert isinstance(data, ReturnRequestedData)
    assert (data.order_id, data.kind, data.reason) == (
        order.id,
        Resolution.EXCHANGE,
        "Грешен размер",
    )


async def test_cancelling_is_announced_as_an_order_update(
    sandbox: SandboxMarketplace, sink: WebhookSink
) -> None:
    order = await sandbox.create_demo_order(SELLER)

    cancelled = await sandbox.cancel(order.id)
    await sandbox.wait_idle()

    assert cancelled.status is Status.CANCELLED
    [event] = sink.events("order.updated")
    data = event.parsed_data()
    assert isinstance(data, OrderEventData)
    assert data.order.status is Status.CANCELLED


async def test_delivery_is_verified_after_complete_and_opens_the_return_window(
    db: Database, sink: WebhookSink
) -> None:
    sandbox = new_sandbox(db, sink, verify_delay=0.01)
    api = HttpMarketplace("http://sandbox.test", None, transport=in_process(sandbox))
    try:
        order = await sandbox.create_demo_order(SELLER)
        await complete(api, order.id)
        await sandbox.wait_idle()
        remote = await api.get_order(order.id)
    finally:
        await api.aclose()
        await sandbox.aclose()

    [event] = sink.events("order.delivery_verified")
    data = event.parsed_data()
    assert isinstance(data, DeliveryVerifiedData)
    assert data.order_id == order.id
    assert data.return_window_ends_at - data.delivered_at == timedelta(days=14)
    assert remote.delivered_at == data.delivered_at
    assert remote.return_window_ends_at == data.return_window_ends_at


async def test_state_survives_a_new_sandbox_on_the_same_database(
    db: Database, sink: WebhookSink
) -> None:
    first = new_sandbox(db, sink)
    api = HttpMarketplace("http://sandbox.test", None, transport=in_process(first))
    order = await first.create_demo_order(SELLER)
    processing = StatusChangeRequest(status=Status.PROCESSING)
    applied = await api.change_status(order.id, processing, idempotency_key="k")
    await api.aclose()
    await first.aclose()

    second = new_sandbox(db, sink)
    api = HttpMarketplace("http://sandbox.test", None, transport=in_process(second))
    try:
        assert (await api.get_order(order.id)).status is Status.PROCESSING
        replayed = await api.change_status(order.id, processing, idempotency_key="k")
        assert replayed == applied
        assert len(await second.status_history(order.id)) == 1
        after = await second.create_demo_order(SELLER)
        assert int(after.number) == int(order.number) + 1
    finally:
        await api.aclose()
        await second.aclose()


async def test_a_verification_pending_at_shutdown_runs_after_a_restart(
    db: Database, sink: WebhookSink
) -> None:
    first = new_sandbox(db, sink, verify_delay=3600.0)
    api = HttpMarketplace("http://sandbox.test", None, transport=in_process(first))
    order = await first.create_demo_order(SELLER)
    await complete(api, order.id)
    await api.aclose()
    await first.aclose()

    later = datetime.now(UTC) + timedelta(hours=2)
    second = new_sandbox(db, sink, verify_delay=3600.0, clock=lambda: later)
    try:
        await second.resume()
        await second.wait_idle()
        assert (await second.order(order.id)).delivered_at == later
    finally:
        await second.aclose()
    assert len(sink.events("order.delivery_verified")) == 1


async def test_an_undelivered_webhook_is_sent_again_after_a_restart(db: Database) -> None:
    refusing = WebhookSink(503, 503, 503)
    first = new_sandbox(db, refusing)
    await first.create_demo_order(SELLER)
    await first.wait_idle()
    await first.aclose()

    accepting = WebhookSink()
    second = new_sandbox(db, accepting)
    try:
        await second.resume()
        await second.wait_idle()
    finally:
        await second.aclose()

    [(body, headers)] = accepting.deliveries
    assert headers["webhook-id"] == refusing.deliveries[0][1]["webhook-id"]
    Webhook(SECRET).verify(body, headers)


def test_sign_webhook_makes_standard_webhooks_headers() -> None:
    body = b'{"id":"evt_1","type":"order.updated","created_at":"2026-01-01T00:00:00Z"}'
    now = datetime.now(UTC)

    headers = sign_webhook(SECRET, "evt_1", body, now)

    assert headers["webhook-id"] == "evt_1"
    assert headers["webhook-timestamp"] == str(int(now.timestamp()))
    assert headers["webhook-signature"].startswith("v1,")
    Webhook(SECRET).verify(body, headers)
    with pytest.raises(WebhookVerificationError):
        Webhook(SECRET).verify(body + b" ", headers)
