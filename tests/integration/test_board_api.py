"""The board's HTTP API: who may read what (401, 403, 404), the status changes it queues through
the order service (202, 409, 422), and that no route ever shows another seller's order."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from sqlalchemy import select

from bot.app import Runtime
from bot.i18n import translator
from storage.migrate import upgrade
from storage.models import HistoryEntry, MarketplaceOutbox
from testkit.board_orders import (
    add_orders,
    add_sellers,
    buyer_wrote,
    link,
    order_row,
    seller_replied,
)
from testkit.webapp import init_data
from tests.integration.test_http_api import TOKEN, build_runtime

MINE, THEIRS = "shop-mine", "shop-theirs"
OWNER, STAFF, STRANGER, UNLINKED = 501, 502, 503, 504


def tma(
    user_id: int, *, age: timedelta = timedelta(minutes=5), token: str = TOKEN
) -> dict[str, str]:
    raw = init_data(token, user_id, auth_date=datetime.now(UTC) - age, language_code="en")
    return {"Authorization": f"tma {raw}"}


@pytest.fixture
async def runtime(database_url: str) -> AsyncIterator[Runtime]:
    runtime = build_runtime(database_url)
    await upgrade(runtime.db.engine)
    db = runtime.db
    await add_sellers(db, MINE, THEIRS)
    await link(db, OWNER, MINE, locale="en")
    await link(db, STAFF, MINE, locale="en", role="staff")
    await link(db, STRANGER, THEIRS, locale="en")
    await link(db, UNLINKED, None)
    now = datetime.now(UTC)
    await add_orders(
        db,
        [
            order_row(MINE, "100001", ship_by=now - timedelta(hours=3), buyer="ana"),
            order_row(MINE, "100002", status="PROCESSING", ship_by=now + timedelta(days=5)),
            order_row(MINE, "100003", status="SHIPPED", shipped_at=now, carrier="bgpost"),
            order_row(MINE, "100004", status="COMPLETE", shipped_at=now - timedelta(days=2)),
            order_row(MINE, "100005", status="REFUNDED"),
            order_row(MINE, "100006", status="PROCESSING", ship_by=now + timedelta(days=2)),
            order_row(THEIRS, "200001", ship_by=now - timedelta(hours=3), buyer="ana"),
        ],
    )
    await buyer_wrote(db, MINE, "100002", "Кога ще пристигне?", now - timedelta(minutes=30))
    await buyer_wrote(db, THEIRS, "200001", "Hello?", now - timedelta(minutes=30))
    # answered: the seller replied after the buyer wrote
    await buyer_wrote(db, MINE, "100006", "Има ли го в синьо?", now - timedelta(hours=2))
    await seller_replied(db, "100006", now - timedelta(hours=1))
    yield runtime
    await runtime.aclose()


@pytest.fixture
async def client(runtime: Runtime) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=runtime.http)
    async with httpx.AsyncClient(transport=transport, base_url="http://bot") as test_client:
        yield test_client


async def test_without_initdata_every_route_is_401(client: httpx.AsyncClient) -> None:
    for method, path in [
        ("GET", "/app/api/orders"),
        ("GET", "/app/api/orders/100001"),
        ("POST", "/app/api/orders/100001/status"),
        ("POST", "/app/api/orders/100001/label"),
        ("GET", "/app/api/performance"),
    ]:
        response = await client.request(method, path)
        assert response.status_code == 401, path
        assert response.headers["content-type"] == "application/problem+json"


async def test_forged_initdata_is_401(client: httpx.AsyncClient) -> None:
    forged = tma(OWNER, token="123456:someone-elses-token")
    assert (await client.get("/app/api/orders", headers=forged)).status_code == 401
    raw = tma(OWNER)["Authorization"].replace("%22id%22%3A501", "%22id%22%3A503")
    assert (await client.get("/app/api/orders", headers={"Authorization": raw})).status_code == 401
    basic = {"Authorization": "Bearer " + tma(OWNER)["Authorization"][4:]}
    assert (await client.get("/app/api/orders", headers=basic)).status_code == 401


async def test_initdata_older_than_a_day_is_401(client: httpx.AsyncClient) -> None:
    stale = tma(OWNER, age=timedelta(hours=24, minutes=1))
    assert (await client.get("/app/api/orders", headers=stale)).status_code == 401
    fresh = tma(OWNER, age=timedelta(hours=23, minutes=59))
    assert (await client.get("/app/api/orders", headers=fresh)).status_code == 200


async def test_an_account_linked_to_no_seller_is_403(client: httpx.AsyncClient) -> None:
    for user_id in (UNLINKED, 999):
        response = await client.get("/app/api/orders", headers=tma(user_id))
        assert response.status_code == 403
        assert response.json()["detail"]


async def test_open_orders_come_most_urgent_first_with_what_they_need(
    client: httpx.AsyncClient,
) -> None:
    response = await client.get("/app/api/orders", headers=tma(OWNER))
    assert response.status_code == 200
    orders = response.json()["orders"]
    assert [(o["number"], o["urgency"]) for o in orders] == [
        ("100001", "late"),
        ("100006", "prepare"),
        ("100002", "prepare"),
        ("100003", "in_transit"),
        ("100004", "delivery_check"),
    ]
    assert [o["number"] for o in orders if o["buyer_waiting"]] == ["100002"]


async def test_search_finds_by_number_or_buyer_and_filters_by_status(
    client: httpx.AsyncClient,
) -> None:
    async def numbers(query: str) -> list[str]:
        response = await client.get(f"/app/api/orders?{query}", headers=tma(OWNER))
        return [o["number"] for o in response.json()["orders"]]

    assert await numbers("q=100003") == ["100003"]
    assert await numbers("q=ANA") == ["100001"]
    assert await numbers("q=%25") == []
    assert await numbers("status=processing") == ["100006", "100002"]
    response = await client.get("/app/api/orders?status=LOST", headers=tma(OWNER))
    assert response.status_code == 422


async def test_no_route_shows_an_order_of_another_seller(client: httpx.AsyncClient) -> None:
    mine = tma(OWNER)
    listed = (await client.get("/app/api/orders?q=200001", headers=mine)).json()["orders"]
    assert listed == []
    for path in ("/app/api/orders/200001", "/app/view/orders/200001"):
        response = await client.get(path, headers=mine)
        assert response.status_code == 404
        assert "Hello?" not in response.text
    change = await client.post(
        "/app/api/orders/200001/status", json={"status": "PROCESSING"}, headers=mine
    )
    assert change.status_code == 404
    label = await client.post("/app/api/orders/200001/label", content=b"\xff\xd8", headers=mine)
    assert label.status_code == 404
    board = await client.get("/app/view/board?q=ana", headers=mine)
    assert "200001" not in board.text and "100001" in board.text


async def test_the_order_shows_items_history_and_the_masked_conversation(
    client: httpx.AsyncClient,
) -> None:
    response = await client.get("/app/api/orders/100002", headers=tma(OWNER))
    assert response.status_code == 200
    order = response.json()
    assert order["items"][0]["title"] == "Керамична чаша"
    assert order["delivery"]["carrier"] == "econt"
    assert order["allowed"] == ["SHIPPED", "REFUNDED"]
    assert order["conversation"][0]["text"] == "Кога ще пристигне?"
    assert "Иван" not in response.text  # the shipping address is not on the board


async def _outbox(runtime: Runtime) -> list[MarketplaceOutbox]:
    async with runtime.db.snapshot() as session:
        changes = select(MarketplaceOutbox).where(MarketplaceOutbox.kind == "status_change")
        return list((await session.scalars(changes)).all())


async def test_a_status_change_is_queued_for_the_marketplace_as_a_history_entry(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    response = await client.post(
        "/app/api/orders/100003/status",
        json={"status": "COMPLETE", "comment": "Получено"},
        headers=tma(OWNER),
    )
    assert response.status_code == 202
    assert response.json()["sync"] == "pending"
    [row] = await _outbox(runtime)
    assert row.payload["request"] == {"status": "COMPLETE", "comment": "Получено"}
    async with runtime.db.snapshot() as session:
        entry = await session.scalar(select(HistoryEntry).where(HistoryEntry.id == row.history_id))
    assert entry is not None and entry.actor_telegram_id == OWNER


async def test_shipped_needs_a_tracking_number_of_the_buyers_carrier(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    url = "/app/api/orders/100002/status"
    missing = await client.post(url, json={"status": "SHIPPED"}, headers=tma(OWNER))
    assert missing.status_code == 422
    assert missing.headers["content-type"] == "application/problem+json"
    typo = await client.post(
        url, json={"status": "SHIPPED", "tracking_number": "10516"}, headers=tma(OWNER)
    )
    assert typo.status_code == 422
    wrong = await client.post(
        url, json={"status": "SHIPPED", "tracking_number": "RB123456785BG"}, headers=tma(OWNER)
    )
    assert wrong.status_code == 422
    assert "Econt" in wrong.json()["detail"]
    assert await _outbox(runtime) == []
    good = await client.post(
        url, json={"status": "SHIPPED", "tracking_number": "1051602258993"}, headers=tma(OWNER)
    )
    assert good.status_code == 202
    [row] = await _outbox(runtime)
    assert row.payload["request"]["tracking_number"] == "1051602258993"
    assert row.payload["request"]["carrier"] == "econt"


async def test_refunded_needs_the_resolution_and_the_note(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    url = "/app/api/orders/100001/status"
    for body in (
        {"status": "REFUNDED", "resolution": "refund"},
        {"status": "REFUNDED", "resolution": "refund", "comment": "   "},
        {"status": "REFUNDED", "comment": "Върнах парите"},
        {"status": "REFUNDED", "resolution": "gift", "comment": "Върнах парите"},
    ):
        response = await client.post(url, json=body, headers=tma(OWNER))
        assert response.status_code == 422, body
        assert response.json()["detail"]
    assert await _outbox(runtime) == []


async def test_a_change_the_life_cycle_forbids_is_409_in_the_sellers_language(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    response = await client.post(
        "/app/api/orders/100001/status", json={"status": "COMPLETE"}, headers=tma(OWNER)
    )
    assert response.status_code == 409
    assert response.json()["detail"] == translator("en")(
        "Order {number} is {current}: it can be COMPLETE only after it is SHIPPED."
    ).format(number="100001", current="PROCESSED")
    final = await client.post(
        "/app/api/orders/100005/status", json={"status": "PROCESSING"}, headers=tma(OWNER)
    )
    assert final.status_code == 409
    assert await _outbox(runtime) == []


async def test_staff_may_not_refund(client: httpx.AsyncClient, runtime: Runtime) -> None:
    response = await client.post(
        "/app/api/orders/100001/status",
        json={"status": "REFUNDED", "resolution": "refund", "comment": "Върнах парите"},
        headers=tma(STAFF),
    )
    assert response.status_code == 403
    assert await _outbox(runtime) == []
    allowed = await client.post(
        "/app/api/orders/100001/status", json={"status": "PROCESSING"}, headers=tma(STAFF)
    )
    assert allowed.status_code == 202


async def test_staff_are_offered_only_the_actions_their_role_allows(
    client: httpx.AsyncClient,
) -> None:
    owner = (await client.get("/app/api/orders/100003", headers=tma(OWNER))).json()
    staff = (await client.get("/app/api/orders/100003", headers=tma(STAFF))).json()
    assert owner["allowed"] == ["COMPLETE", "REFUNDED"]
    assert staff["allowed"] == []
    page = await client.get("/app/view/orders/100001", headers=tma(STAFF))
    assert 'data-action="PROCESSING"' in page.text
    assert 'data-action="REFUNDED"' not in page.text


async def test_performance_gives_twelve_weeks(client: httpx.AsyncClient) -> None:
    response = await client.get("/app/api/performance", headers=tma(OWNER))
    assert response.status_code == 200
    weeks = response.json()["weeks"]
    assert len(weeks) == 12
    assert {"on_time_rate", "late_orders", "first_reply_median_seconds"} <= set(weeks[-1])


async def test_the_page_and_its_assets_are_served_without_auth(client: httpx.AsyncClient) -> None:
    page = await client.get("/app/")
    assert page.status_code == 200
    assert '<script src="https://telegram.org/js/telegram-web-app.js"></script>' in page.text
    for asset in ("board.css", "board.js"):
        assert (await client.get(f"/app/static/{asset}")).status_code == 200
    assert (await client.get("/app/static/secret.py")).status_code == 404
    assert (await client.get("/app", follow_redirects=False)).status_code == 308


async def test_a_shipped_comment_too_long_with_its_tracking_line_is_refused_not_a_5xx(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    url = "/app/api/orders/100002/status"
    body = {"status": "SHIPPED", "tracking_number": "1051602258993", "comment": "x" * 1990}
    response = await client.post(url, json=body, headers=tma(OWNER))
    assert response.status_code == 422
    assert "tracking number line" in response.json()["detail"]
    assert await _outbox(runtime) == []
