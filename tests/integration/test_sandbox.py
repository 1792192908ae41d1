"""The sandbox marketplace's REST API, reached as the bot reaches it: the real client in-process."""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import AsyncIterator
from datetime import timedelta
from decimal import Decimal

import httpx
import pytest

from bot.domain.lifecycle import Status, TransitionRefused
from bot.marketplace import MarketplaceConflict, MarketplaceRejected
from bot.marketplace.client import HttpMarketplace
from bot.marketplace.sandbox.marketplace import SandboxMarketplace
from bot.marketplace.schemas import StatusChangeRequest
from testkit.in_process_marketplace import TRACKING, in_process, shipped
from testkit.marketplace_stub import SELLER


@pytest.fixture
async def raw(sandbox: SandboxMarketplace) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(
        transport=in_process(sandbox), base_url="http://sandbox.test"
    ) as client:
        yield client


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
    orders = await asyncio.gather(*(sandbox.create_demo_order(SELLER) for _ in range(8)))

    assert len({order.number for order in orders}) == 8


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
