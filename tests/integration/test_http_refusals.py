"""Hostile HTTP input gets a 4xx and one problem document, never a 5xx: JSON nested too deeply
for any parser, and seller ids that URL normalisation would collapse."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import httpx
import pytest

from bot.app import Runtime
from storage.migrate import upgrade
from tests.integration.test_http_api import ADMIN, build_runtime
from tests.integration.test_webhook_receiver import SECRET, signed

TELEGRAM_SECRET = "telegram-webhook-secret_1"
NESTED = b'{"update_id": 1, "message": ' + b"[" * 200_000 + b"]" * 200_000 + b"}"
#: deep enough for any parser, small enough for the board's 16 kB limit on a change
NESTED_SMALL = b'{"status": ' + b"[" * 5_000 + b"]" * 5_000 + b"}"


@pytest.fixture
async def webhook_mode(database_url: str) -> AsyncIterator[httpx.AsyncClient]:
    """The HTTP app of a bot in Telegram webhook mode, talking to a real marketplace."""
    runtime: Runtime = build_runtime(
        database_url,
        telegram_webhook_url="https://bot.example/telegram",
        telegram_webhook_secret=TELEGRAM_SECRET,
        chopni_api_url="http://127.0.0.1:9",
        chopni_webhook_secret=SECRET,
    )
    await upgrade(runtime.db.engine)
    transport = httpx.ASGITransport(app=runtime.http)
    async with httpx.AsyncClient(transport=transport, base_url="http://bot") as client:
        yield client
    await runtime.aclose()


async def test_deeply_nested_json_to_telegram_is_refused_with_400(
    webhook_mode: httpx.AsyncClient,
) -> None:
    response = await webhook_mode.post(
        "/telegram",
        content=NESTED,
        headers={"X-Telegram-Bot-Api-Secret-Token": TELEGRAM_SECRET},
    )
    assert response.status_code == 400
    assert response.headers["content-type"] == "application/problem+json"


async def test_deeply_nested_json_in_a_signed_marketplace_event_is_refused_with_400(
    webhook_mode: httpx.AsyncClient,
) -> None:
    body = (
        b'{"id": "evt_deep", "type": "order.updated", "created_at": "2026-11-22T10:00:00Z", '
        b'"data": {"order": ' + b"[" * 200_000 + b"]" * 200_000 + b"}}"
    )
    headers = signed(body, "evt_deep", datetime.now(UTC))
    response = await webhook_mode.post("/webhooks/chopni", content=body, headers=headers)
    assert response.status_code == 400


async def test_deeply_nested_json_to_every_other_route_is_never_a_5xx(
    webhook_mode: httpx.AsyncClient,
) -> None:
    auth = {"Authorization": f"Bearer {ADMIN}", "content-type": "application/json"}
    for path in ("/admin/reminders/run", "/admin/sellers/shop-1/link-codes", "/webhooks/chopni"):
        response = await webhook_mode.post(path, content=NESTED, headers=auth)
        assert response.status_code < 500, path


@pytest.mark.parametrize("seller_id", ["%2E", "%2E%2E", "%2e%2e", "...", ".hidden"])
async def test_seller_ids_the_marketplace_cannot_have_get_422(
    webhook_mode: httpx.AsyncClient, seller_id: str
) -> None:
    response = await webhook_mode.post(
        f"/admin/sellers/{seller_id}/link-codes", headers={"Authorization": f"Bearer {ADMIN}"}
    )
    assert response.status_code == 422
    assert json.loads(response.text)["title"] == "Invalid seller id"


async def test_a_seller_id_with_dots_inside_is_still_a_seller_id(
    webhook_mode: httpx.AsyncClient,
) -> None:
    response = await webhook_mode.post(
        "/admin/sellers/shop.v2..eu/link-codes", headers={"Authorization": f"Bearer {ADMIN}"}
    )
    assert response.status_code == 201


async def test_deeply_nested_json_to_the_boards_status_change_is_a_4xx(
    webhook_mode: httpx.AsyncClient, database_url: str
) -> None:
    from storage.database import Database
    from testkit.board_orders import add_orders, add_sellers, link, order_row
    from testkit.webapp import init_data
    from tests.integration.test_http_api import TOKEN

    db = Database(database_url)
    try:
        await add_sellers(db, "shop-deep")
        await link(db, 601, "shop-deep", locale="en")
        await add_orders(db, [order_row("shop-deep", "300001")])
    finally:
        await db.dispose()
    raw = init_data(TOKEN, 601, auth_date=datetime.now(UTC), language_code="en")
    response = await webhook_mode.post(
        "/app/api/orders/300001/status",
        content=NESTED_SMALL,
        headers={"Authorization": f"tma {raw}", "content-type": "application/json"},
    )
    assert 400 <= response.status_code < 500
