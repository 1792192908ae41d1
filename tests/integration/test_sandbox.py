"""The built-in sandbox marketplace, reached as the bot reaches it: the real client in-process."""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import httpx
import pytest
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from bot.domain.lifecycle import Resolution, Status, TransitionRefused
from bot.marketplace import MarketplaceConflict, MarketplaceRejected
from bot.marketplace.client import HttpMarketplace
from bot.marketplace.sandbox import SandboxMarketplace, sign_webhook
from bot.marketplace.schemas import (
    DeliveryVerifiedData,
    Envelope,
    MessageCreatedData,
    OrderEventData,
    ReturnRequestedData,
    StatusChangeRequest,
)
from storage.database import Database
from tests.support.marketplace_stub import new_webhook_secret

SECRET = new_webhook_secret()
SELLER = "seller-1"
TRACKING = "1051234567890"


class Receiver:
    """A webhook endpoint that answers with the queued statuses, then 204."""

    def __init__(self, *answers: int) -> None:
        self.answers = list(answers)
        self.deliveries: list[tuple[bytes, dict[str, str]]] = []

    async def __call__(self, body: bytes, headers: dict[str, str]) -> int:
        self.deliveries.append((body, headers))
        return self.answers.pop(0) if self.answers else 204

    def events(self, event_type: str | None = None) -> list[Envelope]:
        found = [Envelope.model_validate_json(body) for body, _ in self.deliveries]
        return [e for e in found if event_type is None or e.type == event_type]


def new_sandbox(db: Database, receiver: Receiver, **kwargs: object) -> SandboxMarketplace:
    options: dict[str, object] = {"verify_delay": 3600.0, "retry_delays": (0.01, 0.01)}
    options.update(kwargs)
    return SandboxMarketplace(db, webhook_secret=SECRET, deliver=receiver, **options)  # type: ignore[arg-type]


@pytest.fixture
def receiver() -> Receiver:
    return Receiver()


@pytest.fixture
async def sandbox(db: Database, receiver: Receiver) -> AsyncIterator[SandboxMarketplace]:
    sandbox = new_sandbox(db, receiver)
    yield sandbox
    await sandbox.aclose()


@pytest.fixture
async def api(sandbox: SandboxMarketplace) -> AsyncIterator[HttpMarketplace]:
    client = HttpMarketplace("http://sandbox.test", None, transport=transport(sandbox))
    yield client
    await client.aclose()


@pytest.fixture
async def raw(sandbox: SandboxMarketplace) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(
        transport=transport(sandbox), base_url="http://sandbox.test"
    ) as client:
        yield client


def transport(sandbox: SandboxMarketplace) -> httpx.ASGITransport:
    return httpx.ASGITransport(app=sandbox.app)


def shipped(tracking: str = TRACKING, comment: str | None = None) -> StatusChangeRequest:
    return StatusChangeRequest(
        status=Status.SHIPPED,
        tracking_number=tracking,
        comment=f"Tracking number: {tracking}" if comment is None else comment,
    )


async def test_a_demo_order_is_a_valid_paid_order(sandbox: SandboxMarketplace) -> None:
    order = await sandbox.create_demo_order(SELLER)

    assert order.status is Status.PROCESSED
    assert order.seller_id == SELLER
    assert re.fullmatch(r"[1-9]\d{5}", order.number)
    assert order.currency in ("EUR", "BGN")
    assert all(re.search("[а-яА-Я]", item.title) for item in order.items)
    assert Decimal(order.total) == sum(Decimal(i.unit_price) * i.quantity for i in order.items)
    assert order.delivery.carrier in ("econt", "speedy", "bgpost", "dhl")
    assert order.delivery.max_days >= 1
    assert order.preparation_days is not None and 1 <= order.preparation_days <= 3
    assert order.paid_at is not None and order.placed_at <= order.paid_at
    assert order.ship_by == order.paid_at + timedelta(days=order.preparation_days)
    assert re.fullmatch(r"Buyer [0-9A-F]{4}", order.buyer.alias)
    assert order.ship_to is not None and order.ship_to.country == "BG"
    assert order.tracking_number is None and order.delivered_at is None


async def test_demo_order_numbers_increase_one_by_one(sandbox: SandboxMarketplace) -> None:
    numbers = [int((await sandbox.create_demo_order(SELLER)).number) for _ in range(3)]

    assert numbers == [numbers[0], numbers[0] + 1, numbers[0] + 2]


async def test_a_paid_order_is_announced_with_a_correctly_signed_webhook(
    sandbox: SandboxMarketplace, receiver: Receiver
) -> None:
    order = await sandbox.create_demo_order(SELLER)
    await sandbox.wait_idle()

    [(body, headers)] = receiver.deliveries
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
    receiver = Receiver(500, 503)
    sandbox = new_sandbox(db, receiver)
    try:
        await sandbox.create_demo_order(SELLER)
        await sandbox.wait_idle()
    finally:
        await sandbox.aclose()

    assert len(receiver.deliveries) == 3
    assert len({headers["webhook-id"] for _, headers in receiver.deliveries}) == 1
    for body, headers in receiver.deliveries:
        Webhook(SECRET).verify(body, headers)


async def test_the_life_cycle_is_enforced_with_409s_naming_the_current_status(
    sandbox: SandboxMarketplace, api: HttpMarketplace
) -> None:
    order = await sandbox.create_demo_order(SELLER)

    for refused in (StatusChangeRequest(status=Status.COMPLETE), shipped()):
        with pytest.raises(MarketplaceConflict) as conflict:
            await api.change_status(order.id, refused, idempotency_key=f"k-{refused.status}")
        assert conflict.value.current_status is Status.PROCESSED

    processing = StatusChangeRequest(status=Status.PROCESSING)
    await api.change_status(order.id, processing, idempotency_key="k-1")
    with pytest.raises(MarketplaceConflict) as again:
        await api.change_status(order.id, processing, idempotency_key="k-2")
    assert again.value.current_status is Status.PROCESSING

    await sandbox.cancel(order.id)
    with pytest.raises(MarketplaceConflict) as cancelled:
        await api.change_status(order.id, shipped(), idempotency_key="k-3")
    assert cancelled.value.current_status is Status.CANCELLED


async def test_a_refused_change_is_an_rfc_9457_problem(
    sandbox: SandboxMarketplace, raw: httpx.AsyncClient
) -> None:
    order = await sandbox.create_demo_order(SELLER)

    response = await raw.post(
        f"/v1/orders/{order.id}/status",
        json={"status": "COMPLETE"},
        headers={"Idempotency-Key": "a"},
    )

    assert response.status_code == 409
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["current_status"] == "PROCESSED"
    assert response.json()["status"] == 409


@pytest.mark.parametrize(
    "change",
    [
        {"status": "SHIPPED", "comment": "sent today"},
        {"status": "SHIPPED", "tracking_number": TRACKING},
        {"status": "SHIPPED", "tracking_number": TRACKING, "comment": "sent today"},
        {"status": "REFUNDED", "comment": "money back"},
        {"status": "REFUNDED", "resolution": "refund"},
        {"status": "CANCELLED"},
        {"status": "SOLD"},
    ],
)
async def test_a_change_missing_what_it_needs_is_refused_with_422(
    sandbox: SandboxMarketplace, raw: httpx.AsyncClient, change: dict[str, str]
) -> None:
    order = await sandbox.create_demo_order(SELLER)
    path = f"/v1/orders/{order.id}/status"
    await raw.post(path, json={"status": "PROCESSING"}, headers={"Idempotency-Key": "first"})

    response = await raw.post(path, json=change, headers={"Idempotency-Key": "second"})

    assert response.status_code == 422, response.text
    assert (await sandbox.order(order.id)).status is Status.PROCESSING


async def test_shipping_with_the_tracking_number_in_the_comment_is_applied(
    sandbox: SandboxMarketplace, api: HttpMarketplace
) -> None:
    order = await sandbox.create_demo_order(SELLER)
    await api.change_status(
        order.id, StatusChangeRequest(status=Status.PROCESSING), idempotency_key="p"
    )

    remote = await api.change_status(order.id, shipped(), idempotency_key="s")

    assert remote.status is Status.SHIPPED
    assert remote.tracking_number == TRACKING
    history = await sandbox.status_history(order.id)
    assert [entry["status"] for entry in history] == ["PROCESSING", "SHIPPED"]
    assert history[-1]["idempotency_key"] == "s"


async def test_a_post_without_an_idempotency_key_is_refused(
    sandbox: SandboxMarketplace, raw: httpx.AsyncClient
) -> None:
    order = await sandbox.create_demo_order(SELLER)

    response = await raw.post(f"/v1/orders/{order.id}/status", json={"status": "PROCESSING"})

    assert response.status_code == 400
    assert response.headers["content-type"] == "application/problem+json"
    assert (await sandbox.order(order.id)).status is Status.PROCESSED


async def test_a_repeated_key_gets_the_first_answer_and_changes_nothing(
    sandbox: SandboxMarketplace, raw: httpx.AsyncClient
) -> None:
    order = await sandbox.create_demo_order(SELLER)
    path = f"/v1/orders/{order.id}/status"
    headers = {"Idempotency-Key": "once"}

    first = await raw.post(path, json={"status": "PROCESSING"}, headers=headers)
    second = await raw.post(path, json={"status": "PROCESSING"}, headers=headers)

    assert first.status_code == second.status_code == 200
    assert first.json() == second.json()
    assert len(await sandbox.status_history(order.id)) == 1


async def test_concurrent_requests_with_one_key_apply_once(
    sandbox: SandboxMarketplace, raw: httpx.AsyncClient
) -> None:
    order = await sandbox.create_demo_order(SELLER)
    path = f"/v1/orders/{order.id}/status"

    responses = await asyncio.gather(
        *(
            raw.post(path, json={"status": "PROCESSING"}, headers={"Idempotency-Key": "same"})
            for _ in range(5)
        )
    )

    assert [r.status_code for r in responses] == [200] * 5
    assert all(r.json() == responses[0].json() for r in responses)
    assert len(await sandbox.status_history(order.id)) == 1


async def test_concurrent_demo_orders_get_distinct_numbers(sandbox: SandboxMarketplace) -> None:
    orders = await asyncio.gather(*(sandbox.create_demo_order(SELLER) for _ in range(5)))

    assert len({order.number for order in orders}) == 5


async def test_a_key_reused_for_a_different_request_is_refused(
    sandbox: SandboxMarketplace, raw: httpx.AsyncClient
) -> None:
    order = await sandbox.create_demo_order(SELLER)
    path = f"/v1/orders/{order.id}/status"
    await raw.post(path, json={"status": "PROCESSING"}, headers={"Idempotency-Key": "k"})

    response = await raw.post(
        path, json={"status": "REFUNDED", "resolution": "refund"}, headers={"Idempotency-Key": "k"}
    )

    assert response.status_code == 422
    assert (await sandbox.order(order.id)).status is Status.PROCESSING


async def test_a_file_over_20_mb_is_refused(raw: httpx.AsyncClient) -> None:
    big = b"\0" * (20 * 1024 * 1024 + 1)

    response = await raw.post(
        "/v1/files", files={"file": ("big.bin", big)}, headers={"Idempotency-Key": "f"}
    )

    assert response.status_code == 413


async def test_a_message_with_a_phone_number_is_refused(
    sandbox: SandboxMarketplace, api: HttpMarketplace
) -> None:
    order = await sandbox.create_demo_order(SELLER)

    with pytest.raises(MarketplaceRejected) as refused:
        await api.send_message(order.id, "Обадете се на 0888 123 456", [], idempotency_key="m")

    assert refused.value.status_code == 422


async def test_a_message_to_the_buyer_carries_its_attachments(
    sandbox: SandboxMarketplace, api: HttpMarketplace
) -> None:
    order = await sandbox.create_demo_order(SELLER)
    photo = await api.upload_file("снимка.jpg", "image/jpeg", b"\xff\xd8\xff", idempotency_key="u")

    sent = await api.send_message(order.id, "Ето снимка", [photo.id], idempotency_key="m")

    assert sent.author == "seller"
    assert sent.attachments == [photo]


async def test_a_buyer_message_is_announced_and_its_attachment_downloads(
    sandbox: SandboxMarketplace, api: HttpMarketplace, receiver: Receiver
) -> None:
    order = await sandbox.create_demo_order(SELLER)

    message = await sandbox.buyer_writes(
        order.id, "Кога ще пристигне?", [("бележка.txt", "text/plain", "здравей".encode())]
    )
    await sandbox.wait_idle()

    [event] = receiver.events("message.created")
    data = event.parsed_data()
    assert isinstance(data, MessageCreatedData)
    assert data.message == message
    assert data.message.author == "buyer"
    assert await api.download_file(message.attachments[0].id) == "здравей".encode()


async def test_a_return_request_is_announced(
    sandbox: SandboxMarketplace, receiver: Receiver
) -> None:
    order = await sandbox.create_demo_order(SELLER)

    await sandbox.request_return(order.id, "exchange", "Грешен размер")
    await sandbox.wait_idle()

    [event] = receiver.events("order.return_requested")
    data = event.parsed_data()
    assert isinstance(data, ReturnRequestedData)
    assert (data.order_id, data.kind, data.reason) == (
        order.id,
        Resolution.EXCHANGE,
        "Грешен размер",
    )


async def test_cancelling_is_announced_as_an_order_update(
    sandbox: SandboxMarketplace, receiver: Receiver
) -> None:
    order = await sandbox.create_demo_order(SELLER)

    cancelled = await sandbox.cancel(order.id)
    await sandbox.wait_idle()

    assert cancelled.status is Status.CANCELLED
    [event] = receiver.events("order.updated")
    data = event.parsed_data()
    assert isinstance(data, OrderEventData)
    assert data.order.status is Status.CANCELLED


async def test_a_shipped_order_cannot_be_cancelled(
    sandbox: SandboxMarketplace, api: HttpMarketplace
) -> None:
    order = await sandbox.create_demo_order(SELLER)
    await api.change_status(
        order.id, StatusChangeRequest(status=Status.PROCESSING), idempotency_key="p"
    )
    await api.change_status(order.id, shipped(), idempotency_key="s")

    with pytest.raises(TransitionRefused):
        await sandbox.cancel(order.id)


async def complete(api: HttpMarketplace, order_id: str) -> None:
    for key, change in (
        ("p", StatusChangeRequest(status=Status.PROCESSING)),
        ("s", shipped()),
        ("c", StatusChangeRequest(status=Status.COMPLETE)),
    ):
        await api.change_status(order_id, change, idempotency_key=f"{order_id}-{key}")


async def test_delivery_is_verified_after_complete_and_opens_the_return_window(
    db: Database, receiver: Receiver
) -> None:
    sandbox = new_sandbox(db, receiver, verify_delay=0.01)
    api = HttpMarketplace("http://sandbox.test", None, transport=transport(sandbox))
    try:
        order = await sandbox.create_demo_order(SELLER)
        await complete(api, order.id)
        await sandbox.wait_idle()
        remote = await api.get_order(order.id)
    finally:
        await api.aclose()
        await sandbox.aclose()

    [event] = receiver.events("order.delivery_verified")
    data = event.parsed_data()
    assert isinstance(data, DeliveryVerifiedData)
    assert data.order_id == order.id
    assert data.return_window_ends_at - data.delivered_at == timedelta(days=14)
    assert remote.delivered_at == data.delivered_at
    assert remote.return_window_ends_at == data.return_window_ends_at


async def test_state_survives_a_new_sandbox_on_the_same_database(
    db: Database, receiver: Receiver
) -> None:
    first = new_sandbox(db, receiver)
    api = HttpMarketplace("http://sandbox.test", None, transport=transport(first))
    order = await first.create_demo_order(SELLER)
    processing = StatusChangeRequest(status=Status.PROCESSING)
    applied = await api.change_status(order.id, processing, idempotency_key="k")
    await api.aclose()
    await first.aclose()

    second = new_sandbox(db, receiver)
    api = HttpMarketplace("http://sandbox.test", None, transport=transport(second))
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
    db: Database, receiver: Receiver
) -> None:
    first = new_sandbox(db, receiver, verify_delay=3600.0)
    api = HttpMarketplace("http://sandbox.test", None, transport=transport(first))
    order = await first.create_demo_order(SELLER)
    await complete(api, order.id)
    await api.aclose()
    await first.aclose()

    later = datetime.now(UTC) + timedelta(hours=2)
    second = new_sandbox(db, receiver, verify_delay=3600.0, clock=lambda: later)
    try:
        await second.resume()
        await second.wait_idle()
        assert (await second.order(order.id)).delivered_at == later
    finally:
        await second.aclose()
    assert len(receiver.events("order.delivery_verified")) == 1


async def test_an_undelivered_webhook_is_sent_again_after_a_restart(db: Database) -> None:
    refusing = Receiver(503, 503, 503)
    first = new_sandbox(db, refusing)
    await first.create_demo_order(SELLER)
    await first.wait_idle()
    await first.aclose()

    accepting = Receiver()
    second = new_sandbox(db, accepting)
    try:
        await second.resume()
        await second.wait_idle()
    finally:
        await second.aclose()

    [(body, headers)] = accepting.deliveries
    assert headers["webhook-id"] == refusing.deliveries[0][1]["webhook-id"]
    Webhook(SECRET).verify(body, headers)


@pytest.mark.parametrize(
    "query", ["limit=0", "limit=201", "cursor=%%%", "status=SOLD", "updated_since=yesterday"]
)
async def test_a_bad_listing_query_is_refused(raw: httpx.AsyncClient, query: str) -> None:
    response = await raw.get(f"/v1/sellers/{SELLER}/orders?{query}")

    assert response.status_code == 400


async def test_an_unknown_path_is_a_problem(raw: httpx.AsyncClient) -> None:
    response = await raw.get("/v2/nothing")

    assert response.status_code == 404
    assert json.loads(response.content)["status"] == 404


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
