"""The board's HTTP API as it is read: who may read what (401, 403, 404), the orders most urgent
first, search, an order's conversation, the weekly figures and the page itself; and that no
route ever shows another seller's order (the changes it queues: test_board_changes.py)."""

from __future__ import annotations

from datetime import timedelta

import httpx

from tests.integration.board_shop import OWNER, UNLINKED, tma


async def test_without_initdata_every_route_is_401(board: httpx.AsyncClient) -> None:
    for method, path in [
        ("GET", "/app/api/orders"),
        ("GET", "/app/api/orders/100001"),
        ("POST", "/app/api/orders/100001/status"),
        ("POST", "/app/api/orders/100001/label"),
        ("GET", "/app/api/performance"),
    ]:
        response = await board.request(method, path)
        assert response.status_code == 401, path
        assert response.headers["content-type"] == "application/problem+json"


async def test_forged_initdata_is_401(board: httpx.AsyncClient) -> None:
    forged = tma(OWNER, token="123456:someone-elses-token")
    assert (await board.get("/app/api/orders", headers=forged)).status_code == 401
    raw = tma(OWNER)["Authorization"].replace("%22id%22%3A501", "%22id%22%3A503")
    assert (await board.get("/app/api/orders", headers={"Authorization": raw})).status_code == 401
    basic = {"Authorization": "Bearer " + tma(OWNER)["Authorization"][4:]}
    assert (await board.get("/app/api/orders", headers=basic)).status_code == 401


async def test_initdata_older_than_a_day_is_401(board: httpx.AsyncClient) -> None:
    stale = tma(OWNER, age=timedelta(hours=24, minutes=1))
    assert (await board.get("/app/api/orders", headers=stale)).status_code == 401
    fresh = tma(OWNER, age=timedelta(hours=23, minutes=59))
    assert (await board.get("/app/api/orders", headers=fresh)).status_code == 200


async def test_an_account_linked_to_no_seller_is_403(board: httpx.AsyncClient) -> None:
    for user_id in (UNLINKED, 999):
        response = await board.get("/app/api/orders", headers=tma(user_id))
        assert response.status_code == 403
        assert response.json()["detail"]


async def test_open_orders_come_most_urgent_first_with_what_they_need(
    board: httpx.AsyncClient,
) -> None:
    response = await board.get("/app/api/orders", headers=tma(OWNER))
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
    board: httpx.AsyncClient,
) -> None:
    async def numbers(query: str) -> list[str]:
        response = await board.get(f"/app/api/orders?{query}", headers=tma(OWNER))
        return [o["number"] for o in response.json()["orders"]]

    assert await numbers("q=100003") == ["100003"]
    assert await numbers("q=ANA") == ["100001"]
    assert await numbers("q=%25") == []
    assert await numbers("status=processing") == ["100006", "100002"]
    response = await board.get("/app/api/orders?status=LOST", headers=tma(OWNER))
    assert response.status_code == 422


async def test_no_route_shows_an_order_of_another_seller(board: httpx.AsyncClient) -> None:
    mine = tma(OWNER)
    listed = (await board.get("/app/api/orders?q=200001", headers=mine)).json()["orders"]
    assert listed == []
    for path in ("/app/api/orders/200001", "/app/view/orders/200001"):
        response = await board.get(path, headers=mine)
        assert response.status_code == 404
        assert "Hello?" not in response.text
    change = await board.post(
        "/app/api/orders/200001/status", json={"status": "PROCESSING"}, headers=mine
    )
    assert change.status_code == 404
    label = await board.post("/app/api/orders/200001/label", content=b"\xff\xd8", headers=mine)
    assert label.status_code == 404
    page = await board.get("/app/view/board?q=ana", headers=mine)
    assert "200001" not in page.text and "100001" in page.text


async def test_the_order_shows_items_history_and_the_masked_conversation(
    board: httpx.AsyncClient,
) -> None:
    response = await board.get("/app/api/orders/100002", headers=tma(OWNER))
    assert response.status_code == 200
    order = response.json()
    assert order["items"][0]["title"] == "Керамична чаша"
    assert order["delivery"]["carrier"] == "econt"
    assert order["allowed"] == ["SHIPPED", "REFUNDED"]
    assert order["conversation"][0]["text"] == "Кога ще пристигне?"
    assert "Иван" not in response.text  # the shipping address is not on the board


async def test_performance_gives_twelve_weeks(board: httpx.AsyncClient) -> None:
    response = await board.get("/app/api/performance", headers=tma(OWNER))
    assert response.status_code == 200
    weeks = response.json()["weeks"]
    assert len(weeks) == 12
    assert {"on_time_rate", "late_orders", "first_reply_median_seconds"} <= set(weeks[-1])


async def test_the_page_and_its_assets_are_served_without_auth(
    board: httpx.AsyncClient,
) -> None:
    page = await board.get("/app/")
    assert page.status_code == 200
    assert '<script src="https://telegram.org/js/telegram-web-app.js"></script>' in page.text
    for asset in ("board.css", "board.js"):
        assert (await board.get(f"/app/static/{asset}")).status_code == 200
    assert (await board.get("/app/static/secret.py")).status_code == 404
    assert (await board.get("/app", follow_redirects=False)).status_code == 308
