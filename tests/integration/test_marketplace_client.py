"""The real marketplace client against the loopback marketplace, over real HTTP (outages,
lost answers and retries: test_marketplace_failures.py)."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs

import httpx
import pytest
from standardwebhooks.webhooks import Webhook

from bot.domain.lifecycle import Status
from bot.marketplace import (
    MarketplaceConflict,
    MarketplaceRejected,
    MarketplaceUnavailable,
)
from bot.marketplace.client import HttpMarketplace, MarketplaceBadAnswer, retry_after_seconds
from bot.marketplace.schemas import Order, StatusChangeRequest
from testkit.marketplace_stub import API_TOKEN, SELLER, MarketplaceStub, new_webhook_secret

TRACKING = "1051234567890"
PROCESSING = StatusChangeRequest(status=Status.PROCESSING)


async def test_an_order_is_read_as_the_marketplace_has_it(
    client: HttpMarketplace, order: Order
) -> None:
    assert await client.get_order(order.id) == order


async def test_an_unknown_order_is_rejected_as_not_found(client: HttpMarketplace) -> None:
    with pytest.raises(MarketplaceRejected) as rejected:
        await client.get_order("ord_NOPE")

    assert rejected.value.status_code == 404


async def test_listing_pages_through_every_order_newest_first(
    client: HttpMarketplace, stub: MarketplaceStub
) -> None:
    created = {(await stub.sandbox.create_demo_order(SELLER)).id for _ in range(5)}
    await stub.sandbox.create_demo_order("another-seller")

    seen: list[Order] = []
    cursor: str | None = None
    pages = 0
    while True:
        page, cursor = await client.list_seller_orders(SELLER, cursor=cursor, limit=2)
        seen += page
        pages += 1
        if cursor is None:
            break

    assert pages == 3
    assert {o.id for o in seen} == created
    assert [o.placed_at for o in seen] == sorted((o.placed_at for o in seen), reverse=True)
    queries = [parse_qs(r.query) for r in stub.requests_for(f"/v1/sellers/{SELLER}")]
    assert all(q["limit"] == ["2"] for q in queries)
    assert "cursor" not in queries[0] and all("cursor" in q for q in queries[1:])


async def test_listing_filters_by_updated_since_and_status(
    client: HttpMarketplace, stub: MarketplaceStub, order: Order
) -> None:
    await stub.sandbox.create_demo_order(SELLER)
    changed = await client.change_status(order.id, PROCESSING, idempotency_key="k")
    assert changed.updated_at is not None

    recent, _ = await client.list_seller_orders(SELLER, updated_since=changed.updated_at)
    processing, _ = await client.list_seller_orders(SELLER, status=Status.PROCESSING)
    future, _ = await client.list_seller_orders(
        SELLER, updated_since=datetime.now(UTC) + timedelta(hours=1)
    )

    assert [o.id for o in recent] == [order.id]
    assert [o.id for o in processing] == [order.id]
    assert future == []
    since = parse_qs(stub.requests_for("/v1/sellers/")[0].query)["updated_since"][0]
    assert since.endswith("Z")
    assert datetime.fromisoformat(since) == changed.updated_at


async def test_a_status_change_is_applied_and_the_order_returned(
    client: HttpMarketplace, stub: MarketplaceStub, order: Order
) -> None:
    await client.change_status(order.id, PROCESSING, idempotency_key="p-1")
    shipped = StatusChangeRequest(
        status=Status.SHIPPED,
        tracking_number=TRACKING,
        carrier="econt",
        comment=f"Tracking number: {TRACKING} (econt)",
    )

    remote = await client.change_status(order.id, shipped, idempotency_key="s-1")

    assert remote.status is Status.SHIPPED
    assert remote.tracking_number == TRACKING
    [sent] = stub.requests_for(f"/v1/orders/{order.id}/status", "POST")[1:]
    assert sent.idempotency_key == "s-1"
    assert sent.json == shipped.to_json()
    changes = await stub.applied_changes(order.id)
    assert [c["status"] for c in changes] == ["PROCESSING", "SHIPPED"]


async def test_a_change_the_life_cycle_forbids_is_a_conflict_with_the_current_status(
    client: HttpMarketplace, order: Order
) -> None:
    with pytest.raises(MarketplaceConflict) as conflict:
        await client.change_status(
            order.id, StatusChangeRequest(status=Status.COMPLETE), idempotency_key="c"
        )

    assert conflict.value.current_status is Status.PROCESSED
    assert conflict.value.detail


async def test_shipping_without_the_tracking_number_in_the_comment_is_rejected(
    client: HttpMarketplace, order: Order
) -> None:
    await client.change_status(order.id, PROCESSING, idempotency_key="p")
    change = StatusChangeRequest(status=Status.SHIPPED, tracking_number=TRACKING, comment="sent")

    with pytest.raises(MarketplaceRejected) as rejected:
        await client.change_status(order.id, change, idempotency_key="s")

    assert rejected.value.status_code == 422
    assert rejected.value.detail


async def test_a_file_uploads_and_downloads_byte_for_byte(
    client: HttpMarketplace, stub: MarketplaceStub, order: Order
) -> None:
    data = bytes(range(256)) * 1000

    attachment = await client.upload_file(
        "касова бележка.pdf", "application/pdf", data, idempotency_key="u"
    )
    message = await client.send_message(
        order.id, "Прилагам бележката", [attachment.id], idempotency_key="m"
    )

    assert (attachment.filename, attachment.content_type) == (
        "касова бележка.pdf",
        "application/pdf",
    )
    assert attachment.size == len(data)
    assert await client.download_file(attachment.id) == data
    assert message.attachments == [attachment]
    [upload] = stub.requests_for("/v1/files", "POST")
    assert upload.idempotency_key == "u"
    assert upload.headers["content-type"].startswith("multipart/form-data")


async def test_every_request_carries_the_bearer_token_and_every_post_a_key(
    client: HttpMarketplace, stub: MarketplaceStub, order: Order
) -> None:
    await client.get_order(order.id)
    await client.change_status(order.id, PROCESSING, idempotency_key="k-1")
    await client.send_message(order.id, "Благодаря!", [], idempotency_key="k-2")

    assert {r.headers["authorization"] for r in stub.requests} == {f"Bearer {API_TOKEN}"}
    posts = [r for r in stub.requests if r.method == "POST"]
    assert [r.idempotency_key for r in posts] == ["k-1", "k-2"]


async def test_a_wrong_token_is_rejected(database_url: str) -> None:
    secret = new_webhook_secret()
    async with MarketplaceStub(database_url, webhook_secret=secret, api_token=API_TOKEN) as stub:
        order = await stub.sandbox.create_demo_order(SELLER)
        good = HttpMarketplace(stub.base_url, API_TOKEN)
        bad = HttpMarketplace(stub.base_url, "not-the-token")
        try:
            assert (await good.get_order(order.id)).id == order.id
            with pytest.raises(MarketplaceRejected) as rejected:
                await bad.get_order(order.id)
        finally:
            await good.aclose()
            await bad.aclose()

    assert rejected.value.status_code == 401


async def test_the_token_never_reaches_the_log(
    stub: MarketplaceStub, order: Order, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    client = HttpMarketplace(stub.base_url, API_TOKEN)
    stub.fail_next(1, status=503)
    try:
        with pytest.raises(MarketplaceUnavailable):
            await client.change_status(order.id, PROCESSING, idempotency_key="k")
        await client.get_order(order.id)
    finally:
        await client.aclose()

    assert caplog.records
    assert API_TOKEN not in caplog.text
    assert API_TOKEN not in repr(client)


async def test_webhooks_go_out_as_signed_http_posts_and_are_retried(database_url: str) -> None:
    secret = new_webhook_secret()
    async with MarketplaceStub(database_url, webhook_secret=secret) as stub:
        stub.webhook_url = f"{stub.base_url}/hooks/chopni"  # answered 404 by the stub itself
        order = await stub.sandbox.create_demo_order(SELLER)
        await stub.sandbox.wait_idle()

    posts = stub.requests_for("/hooks/chopni", "POST")
    assert len(posts) == len(stub.webhooks) == 4
    assert {attempt.status for attempt in stub.webhooks} == {404}
    for post in posts:
        Webhook(secret).verify(post.body, post.headers)
        assert post.json["type"] == "order.processed"
        assert post.json["data"]["order"]["id"] == order.id
    assert len({post.headers["webhook-id"] for post in posts}) == 1


async def test_a_2xx_with_an_invalid_body_is_a_bad_answer_to_retry() -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"id": "ord_1", "status": "LOST"})

    client = HttpMarketplace(
        "http://marketplace.test", API_TOKEN, transport=httpx.MockTransport(answer)
    )
    try:
        with pytest.raises(MarketplaceBadAnswer) as bad:
            await client.get_order("ord_1")
    finally:
        await client.aclose()

    assert isinstance(bad.value, MarketplaceUnavailable)


async def test_a_post_needs_an_idempotency_key(client: HttpMarketplace, order: Order) -> None:
    with pytest.raises(ValueError, match="Idempotency-Key"):
        await client.change_status(order.id, PROCESSING, idempotency_key="")


def test_retry_after_is_read_as_seconds_or_as_a_date() -> None:
    now = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)

    assert retry_after_seconds("120", now) == 120
    assert retry_after_seconds("Sun, 01 Mar 2026 12:00:30 GMT", now) == 30
    assert retry_after_seconds("soon", now) is None
    assert retry_after_seconds(None, now) is None
