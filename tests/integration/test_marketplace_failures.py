"""The marketplace client when the marketplace fails: errors, outages, dropped or refused
connections and timeouts are "unavailable" and apply nothing; idempotency keys make a retry
after a lost answer apply once."""

from __future__ import annotations

import contextlib
import socket
from collections.abc import Iterator

import pytest

from bot.domain.lifecycle import Status
from bot.marketplace import MarketplaceUnavailable
from bot.marketplace.client import HttpMarketplace
from bot.marketplace.schemas import Order
from testkit.marketplace_stub import API_TOKEN, MarketplaceStub
from tests.integration.test_marketplace_client import PROCESSING


@contextlib.contextmanager
def socket_that_refuses() -> Iterator[str]:
    """A loopback address where nothing listens: connecting is refused at once."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as bound:
        bound.bind(("127.0.0.1", 0))
        yield f"http://127.0.0.1:{bound.getsockname()[1]}"


@pytest.mark.parametrize("status", [503, 500, 429])
async def test_a_server_error_or_throttling_is_unavailable_and_nothing_is_applied(
    client: HttpMarketplace, stub: MarketplaceStub, order: Order, status: int
) -> None:
    stub.fail_next(1, status=status, retry_after=7)

    with pytest.raises(MarketplaceUnavailable) as unavailable:
        await client.change_status(order.id, PROCESSING, idempotency_key="k")

    assert unavailable.value.retry_after == 7
    assert await stub.applied_changes(order.id) == []


async def test_a_marketplace_that_is_down_is_unavailable_until_it_is_back(
    client: HttpMarketplace, stub: MarketplaceStub, order: Order
) -> None:
    stub.down = True
    with pytest.raises(MarketplaceUnavailable):
        await client.get_order(order.id)

    stub.down = False
    assert (await client.get_order(order.id)).id == order.id


async def test_dropped_connections_are_unavailable(
    client: HttpMarketplace, stub: MarketplaceStub, order: Order
) -> None:
    with stub.outage(drop=True), pytest.raises(MarketplaceUnavailable):
        await client.change_status(order.id, PROCESSING, idempotency_key="k")

    assert stub.requests[-1].status is None
    assert await stub.applied_changes(order.id) == []


async def test_a_refused_connection_is_unavailable() -> None:
    with socket_that_refuses() as url:
        client = HttpMarketplace(url, API_TOKEN, timeout=2.0)
        try:
            with pytest.raises(MarketplaceUnavailable):
                await client.get_order("ord_1")
        finally:
            await client.aclose()


async def test_a_slow_marketplace_times_out_as_unavailable(
    stub: MarketplaceStub, order: Order
) -> None:
    stub.latency = 0.5
    client = HttpMarketplace(stub.base_url, API_TOKEN, timeout=0.1)
    try:
        with pytest.raises(MarketplaceUnavailable, match="timed out"):
            await client.get_order(order.id)
    finally:
        await client.aclose()


async def test_the_same_idempotency_key_twice_applies_once(
    client: HttpMarketplace, stub: MarketplaceStub, order: Order
) -> None:
    first = await client.change_status(order.id, PROCESSING, idempotency_key="once")
    second = await client.change_status(order.id, PROCESSING, idempotency_key="once")

    assert first == second
    sent = stub.requests_for(f"/v1/orders/{order.id}/status")
    assert [r.idempotency_key for r in sent] == ["once", "once"]
    assert len(await stub.applied_changes(order.id)) == 1


async def test_an_answer_lost_on_the_way_is_not_applied_again_on_retry(
    client: HttpMarketplace, stub: MarketplaceStub, order: Order
) -> None:
    stub.fail_next(1, status=502, apply=True)
    with pytest.raises(MarketplaceUnavailable):
        await client.change_status(order.id, PROCESSING, idempotency_key="lost")

    remote = await client.change_status(order.id, PROCESSING, idempotency_key="lost")

    assert remote.status is Status.PROCESSING
    assert len(await stub.applied_changes(order.id)) == 1
