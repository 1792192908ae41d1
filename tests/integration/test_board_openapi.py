"""The board answers as bot/openapi.json says: each /app/ route's answers, and its refusals
(401, 403, 404, 409, 422), have a documented status, a documented content type and a body that
fits the documented schema."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
import schemathesis

from bot.board.labels import MAX_LABEL_BYTES
from bot.http import OPENAPI
from storage.migrate import upgrade
from testkit.board_orders import add_orders, add_sellers, buyer_wrote, link, order_row
from testkit.webapp import init_data
from tests.integration.test_http_api import TOKEN, build_runtime

DOCUMENT: dict[str, Any] = json.loads(OPENAPI.read_text())
SCHEMA = schemathesis.openapi.from_dict(DOCUMENT)
SHOP = "shop-documented"
OWNER, STAFF, UNLINKED = 701, 702, 703


def signed(user_id: int) -> dict[str, str]:
    raw = init_data(TOKEN, user_id, auth_date=datetime.now(UTC) - timedelta(minutes=1))
    return {"Authorization": f"tma {raw}"}


def resolved(node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        *_, kind, name = node["$ref"].split("/")
        node = DOCUMENT["components"][kind][name]
    return node


def assert_documented(method: str, path: str, response: httpx.Response) -> None:
    """The answer's status and content type are documented for the route, its body fits."""
    operation = DOCUMENT["paths"][path][method.lower()]
    status = str(response.status_code)
    assert status in operation["responses"], (method, path, status)
    documented = resolved(operation["responses"][status])
    media = response.headers.get("content-type", "").split(";")[0]
    assert media in documented.get("content", {}) or (not media and "content" not in documented)
    SCHEMA[path][method].validate_response(response)


@pytest.fixture
async def client(database_url: str) -> AsyncIterator[httpx.AsyncClient]:
    runtime = build_runtime(database_url)
    await upgrade(runtime.db.engine)
    await add_sellers(runtime.db, SHOP)
    await link(runtime.db, OWNER, SHOP, locale="bg")
    await link(runtime.db, STAFF, SHOP, locale="en", role="staff")
    await link(runtime.db, UNLINKED, None)
    now = datetime.now(UTC)
    await add_orders(
        runtime.db,
        [
            order_row(SHOP, "700001", ship_by=now - timedelta(hours=2)),
            order_row(SHOP, "700002", status="SHIPPED", shipped_at=now, carrier="bgpost"),
        ],
    )
    await buyer_wrote(runtime.db, SHOP, "700001", "Кога?", now - timedelta(minutes=5))
    transport = httpx.ASGITransport(app=runtime.http)
    async with httpx.AsyncClient(transport=transport, base_url="http://bot") as test_client:
        yield test_client
    await runtime.aclose()


async def test_the_page_and_its_files_answer_as_documented(client: httpx.AsyncClient) -> None:
    for path, template, status in [
        ("/app", "/app", 308),
        ("/app/", "/app/", 200),
        ("/app/static/board.js", "/app/static/{name}", 200),
        ("/app/static/board.css", "/app/static/{name}", 200),
        ("/app/static/settings.py", "/app/static/{name}", 404),
    ]:
        response = await client.get(path)
        assert response.status_code == status, path
        assert_documented("GET", template, response)


async def test_the_json_api_answers_as_documented(client: httpx.AsyncClient) -> None:
    owner, staff = signed(OWNER), signed(STAFF)
    calls: list[tuple[str, str, str, dict[str, Any], int]] = [
        ("GET", "/app/api/orders", "/app/api/orders", {"headers": owner}, 200),
        ("GET", "/app/api/orders?status=shipped", "/app/api/orders", {"headers": owner}, 200),
        ("GET", "/app/api/orders?status=LOST", "/app/api/orders", {"headers": owner}, 422),
        ("GET", "/app/api/orders", "/app/api/orders", {}, 401),
        ("GET", "/app/api/orders", "/app/api/orders", {"headers": signed(UNLINKED)}, 403),
        ("GET", "/app/api/orders/700001", "/app/api/orders/{number}", {"headers": owner}, 200),
        ("GET", "/app/api/orders/999999", "/app/api/orders/{number}", {"headers": owner}, 404),
        ("GET", "/app/api/performance", "/app/api/performance", {"headers": owner}, 200),
    ]
    change = "/app/api/orders/{number}/status"
    calls += [
        ("POST", "/app/api/orders/700001/status", change, {"headers": owner, "json": body}, code)
        for body, code in [
            ({"status": "PROCESSING", "comment": "Опаковаме"}, 202),
            ({"status": "COMPLETE"}, 409),
            ({"status": "SHIPPED", "tracking_number": "12"}, 422),
            ({"status": "LOST"}, 422),
            ([], 422),
        ]
    ]
    refund = {"status": "REFUNDED", "resolution": "refund", "comment": "Върнат"}
    calls += [
        ("POST", "/app/api/orders/700002/status", change, {"headers": staff, "json": refund}, 403),
        ("POST", "/app/api/orders/999999/status", change, {"headers": owner, "json": refund}, 404),
    ]
    label = "/app/api/orders/{number}/label"
    too_large = b"\xff" * (MAX_LABEL_BYTES + 1)
    calls += [
        ("POST", f"/app/api/orders/{n}/label", label, {"headers": owner, "content": photo}, code)
        for n, photo, code in [("700001", too_large, 200), ("999999", b"x", 404)]
    ]
    for method, url, template, options, status in calls:
        response = await client.request(method, url, **options)
        assert response.status_code == status, (method, url, response.text)
        assert_documented(method, template, response)


async def test_the_html_fragments_answer_as_documented(client: httpx.AsyncClient) -> None:
    owner = signed(OWNER)
    for url, template, headers, status in [
        ("/app/view/board", "/app/view/board", owner, 200),
        ("/app/view/board?status=LOST", "/app/view/board", owner, 422),
        ("/app/view/board", "/app/view/board", {}, 401),
        ("/app/view/orders/700001", "/app/view/orders/{number}", owner, 200),
        ("/app/view/orders/999999", "/app/view/orders/{number}", owner, 404),
        ("/app/view/performance", "/app/view/performance", signed(UNLINKED), 403),
        ("/app/view/performance", "/app/view/performance", owner, 200),
    ]:
        response = await client.get(url, headers=headers)
        assert response.status_code == status, url
        assert_documented("GET", template, response)
