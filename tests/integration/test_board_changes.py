"""The status changes the board queues through the order service: 202 with a history entry and
an outbox row, 409 for what the life cycle forbids, 422 for what a change lacks, 403 for what a
packer may not do."""

from __future__ import annotations

import httpx
from sqlalchemy import select

from bot.app import Runtime
from bot.i18n import translator
from storage.models import HistoryEntry, MarketplaceOutbox
from tests.integration.board_shop import OWNER, STAFF, tma


async def _outbox(runtime: Runtime) -> list[MarketplaceOutbox]:
    async with runtime.db.snapshot() as session:
        changes = select(MarketplaceOutbox).where(MarketplaceOutbox.kind == "status_change")
        return list((await session.scalars(changes)).all())


async def test_a_status_change_is_queued_for_the_marketplace_as_a_history_entry(
    board: httpx.AsyncClient, board_runtime: Runtime
) -> None:
    response = await board.post(
        "/app/api/orders/100003/status",
        json={"status": "COMPLETE", "comment": "Получено"},
        headers=tma(OWNER),
    )
    assert response.status_code == 202
    assert response.json()["sync"] == "pending"
    [row] = await _outbox(board_runtime)
    assert row.payload["request"] == {"status": "COMPLETE", "comment": "Получено"}
    async with board_runtime.db.snapshot() as session:
        entry = await session.scalar(select(HistoryEntry).where(HistoryEntry.id == row.history_id))
    assert entry is not None and entry.actor_telegram_id == OWNER


async def test_shipped_needs_a_tracking_number_of_the_buyers_carrier(
    board: httpx.AsyncClient, board_runtime: Runtime
) -> None:
    url = "/app/api/orders/100002/status"
    missing = await board.post(url, json={"status": "SHIPPED"}, headers=tma(OWNER))
    assert missing.status_code == 422
    assert missing.headers["content-type"] == "application/problem+json"
    typo = await board.post(
        url, json={"status": "SHIPPED", "tracking_number": "10516"}, headers=tma(OWNER)
    )
    assert typo.status_code == 422
    wrong = await board.post(
        url, json={"status": "SHIPPED", "tracking_number": "RB123456785BG"}, headers=tma(OWNER)
    )
    assert wrong.status_code == 422
    assert "Econt" in wrong.json()["detail"]
    assert await _outbox(board_runtime) == []
    good = await board.post(
        url, json={"status": "SHIPPED", "tracking_number": "1051602258993"}, headers=tma(OWNER)
    )
    assert good.status_code == 202
    [row] = await _outbox(board_runtime)
    assert row.payload["request"]["tracking_number"] == "1051602258993"
    assert row.payload["request"]["carrier"] == "econt"


async def test_refunded_needs_the_resolution_and_the_note(
    board: httpx.AsyncClient, board_runtime: Runtime
) -> None:
    url = "/app/api/orders/100001/status"
    for body in (
        {"status": "REFUNDED", "resolution": "refund"},
        {"status": "REFUNDED", "resolution": "refund", "comment": "   "},
        {"status": "REFUNDED", "comment": "Върнах парите"},
        {"status": "REFUNDED", "resolution": "gift", "comment": "Върнах парите"},
    ):
        response = await board.post(url, json=body, headers=tma(OWNER))
        assert response.status_code == 422, body
        assert response.json()["detail"]
    assert await _outbox(board_runtime) == []


async def test_a_change_the_life_cycle_forbids_is_409_in_the_sellers_language(
    board: httpx.AsyncClient, board_runtime: Runtime
) -> None:
    response = await board.post(
        "/app/api/orders/100001/status", json={"status": "COMPLETE"}, headers=tma(OWNER)
    )
    assert response.status_code == 409
    assert response.json()["detail"] == translator("en")(
        "Order {number} is {current}: it can be COMPLETE only after it is SHIPPED."
    ).format(number="100001", current="PROCESSED")
    final = await board.post(
        "/app/api/orders/100005/status", json={"status": "PROCESSING"}, headers=tma(OWNER)
    )
    assert final.status_code == 409
    assert await _outbox(board_runtime) == []


async def test_staff_may_not_refund(board: httpx.AsyncClient, board_runtime: Runtime) -> None:
    response = await board.post(
        "/app/api/orders/100001/status",
        json={"status": "REFUNDED", "resolution": "refund", "comment": "Върнах парите"},
        headers=tma(STAFF),
    )
    assert response.status_code == 403
    assert await _outbox(board_runtime) == []
    allowed = await board.post(
        "/app/api/orders/100001/status", json={"status": "PROCESSING"}, headers=tma(STAFF)
    )
    assert allowed.status_code == 202


async def test_staff_are_offered_only_the_actions_their_role_allows(
    board: httpx.AsyncClient,
) -> None:
    owner = (await board.get("/app/api/orders/100003", headers=tma(OWNER))).json()
    staff = (await board.get("/app/api/orders/100003", headers=tma(STAFF))).json()
    assert owner["allowed"] == ["COMPLETE", "REFUNDED"]
    assert staff["allowed"] == []
    page = await board.get("/app/view/orders/100001", headers=tma(STAFF))
    assert 'data-action="PROCESSING"' in page.text
    assert 'data-action="REFUNDED"' not in page.text


async def test_a_shipped_comment_too_long_with_its_tracking_line_is_refused_not_a_5xx(
    board: httpx.AsyncClient, board_runtime: Runtime
) -> None:
    url = "/app/api/orders/100002/status"
    body = {"status": "SHIPPED", "tracking_number": "1051602258993", "comment": "x" * 1990}
    response = await board.post(url, json=body, headers=tma(OWNER))
    assert response.status_code == 422
    assert "tracking number line" in response.json()["detail"]
    assert await _outbox(board_runtime) == []
