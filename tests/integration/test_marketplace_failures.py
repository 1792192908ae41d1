"""The marketplace client when the marketplace fails: errors, outages, dropped or refused
connections and timeouts are "unavailable" and apply nothing; idempotency keys make a retry
after a lost answer apply once."""

from __future__ import annotations

import contextlib
import socket
from collections.abc import AsyncIterator, Iterator

import pytest

from bot.domain.lifecycle import Status
from bot.marketplace import MarketplaceUnavailable
from bot.marketplace.client import HttpMarketplace
from bot.marketplace.schemas import Order
from testkit.marketplace_stub import MarketplaceStub
from tests.integration.test_marketplace_client import PROCESSING, SELLER, TOKEN, new_stub


@contextlib.contextmanager
def socket_that_refuses() -> Iterator[str]:
    """A loopback address where nothing listens: connecting is refused at once."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as bound:
        bound.bind(("127.0.0.1", 0))
        yield f"http://127.0.0.1:{bound.getsockname()[1]}"


@pytest.fixture
async def marketplace(database_url: str) -> AsyncIterator[MarketplaceStub]:
    async with new_stub(database_url) as stub:
        yield stub


@pytest.fixture
async def client(marketplace: MarketplaceStub) -> AsyncIterator[HttpMarketplace]:
    client = HttpMarketplace(marketplace.base_url, TOKEN, timeout=5.0)
    yield client
    await client.aclose()


@pytest.fixture
async def order(marketplace: MarketplaceStub) -> Order:
    return await marketplace.sandbox.create_demo_order(SELLER)


@pytest.mark.parametrize("status", [503, 500, 429])
async def test_a_server_error_or_throttling_is_unavailable_and_nothing_is_applied(
    client: HttpMarketplace, marketplace: MarketplaceStub, order: Order, status: int
) -> None:
    marketplace.fail_next(1, status=status, retry_after=7)

    with pytest.raises(MarketplaceUnavailable) as unavailable:
        await client.change_status(order.id, PROCESSING, idempotency_key="k")

    assert unavailable.value.retry_after == 7
    assert await marketplace.applied_changes(order.id) == []


async def test_a_marketplace_that_is_down_is_unavailable_until_it_is_back(
    client: HttpMarketplace, marketplace: MarketplaceStub, order: Order
) -> None:
    marketplace.down = True
    with pytest.raises(MarketplaceUnavailable):
        await client.get_order(order.id)

    marketplace.down = False
    assert (await client.get_order(order.id)).id == order.id


async def test_dropped_connections_are_unavailable(
    client: HttpMarketplace, marketplace: MarketplaceStub, order: Order
) -> None:
    with marketplace.outage(drop=True), pytest.raises(MarketplaceUnavailable):
        await client.change_status(order.id, PROCESSING, idempotency_key="k")

    assert marketplace.requests[-1].status is None
    assert await marketplace.applied_changes(order.id) == []


async def test_a_refused_connection_is_unavailable() -> None:
    with socket_that_refuses() as url:
        client = HttpMarketplace(url, TOKEN, timeout=2.0)
        try:
            with pytest.raises(MarketplaceUnavailable):
                await client.get_order("ord_1")
        finally:
            await client.aclose()


async def test_a_slow_marketplace_times_out_as_unavailable(
    marketplace: MarketplaceStub, order: Order
) -> None:
    marketplace.latency = 0.5
    client = HttpMarketplace(marketplace.base_url, TOKEN, timeout=0.1)
    try:
        with pytest.raises(MarketplaceUnavailable, match="timed out"):
            await client.get_order(order.id)
    finally:
        await client.aclose()


async def test_the_same_idempotency_key_twice_applies_once(
    client: HttpMarketplace, marketplace: MarketplaceStub, order: Order
) -> None:
    first = await client.change_status(order.id, PROCESSING, idempotency_key="once")
    second = await client.change_status(order.id, PROCESSING, idempotency_key="once")

    assert first == second
    sent = marketplace.requests_for(f"/v1/orders/{order.id}/status")
    assert [r.idempotency_key for r in sent] == ["once", "once"]
    assert len(await marketplace.applied_changes(order.id)) == 1


async def test_an_answer_lost_on_the_way_is_not_applied_again_on_retry(
    client: HttpMarketplace, marketplace: MarketplaceStub, order: Order
) -> None:
    marketplace.fail_next(1, status=502, apply=True)
    with pytest.raises(MarketplaceUnavailable):
        await client.change_status(order.id, PROCESSING, idempotency_key="lost")

    remote = await client.change_status(order.id, PROCESSING, idempotency_key="lost")

    assert remote.status is Status.PROCESSING
    assert len(await marketplace.applied_changes(order.id)) == 1
