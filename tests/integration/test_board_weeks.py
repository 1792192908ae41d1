"""The board's weeks and the weekly card begin where the shop's week begins: Monday for a shop in
Sofia (its seller reading Bulgarian), Sunday for one in New York (its seller reading English)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta

import httpx
import pytest
from sqlalchemy import select

from bot.app import Runtime
from storage.migrate import upgrade
from storage.models import TelegramOutbox, WeeklyCard
from testkit.board_orders import add_orders, add_sellers, link, order_row
from testkit.webapp import init_data
from tests.integration.test_http_api import TOKEN, build_runtime

SOFIA_SHOP, NEW_YORK_SHOP = "shop-sofia", "shop-new-york"
SOFIA_OWNER, NEW_YORK_OWNER = 801, 802
MONDAY, SUNDAY = 0, 6
#: Wednesday 2026-11-25, noon UTC: an order placed and due in that week in both places
WEDNESDAY = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


@pytest.fixture
async def runtime(database_url: str) -> AsyncIterator[Runtime]:
    runtime = build_runtime(database_url)
    await upgrade(runtime.db.engine)
    await add_sellers(runtime.db, SOFIA_SHOP, timezone="Europe/Sofia")
    await add_sellers(runtime.db, NEW_YORK_SHOP, timezone="America/New_York")
    await link(runtime.db, SOFIA_OWNER, SOFIA_SHOP, locale="bg")
    await link(runtime.db, NEW_YORK_OWNER, NEW_YORK_SHOP, locale="en")
    await add_orders(
        runtime.db,
        [
            order_row(shop, number, placed_at=WEDNESDAY, ship_by=WEDNESDAY, shipped_at=WEDNESDAY)
            for shop, number in ((SOFIA_SHOP, "800001"), (NEW_YORK_SHOP, "800002"))
        ],
    )
    yield runtime
    await runtime.aclose()


async def weeks_on_the_board(runtime: Runtime, user_id: int) -> list[date]:
    raw = init_data(TOKEN, user_id, auth_date=datetime.now(UTC) - timedelta(minutes=1))
    transport = httpx.ASGITransport(app=runtime.http)
    async with httpx.AsyncClient(transport=transport, base_url="http://bot") as client:
        answer = await client.get("/app/api/performance", headers={"Authorization": f"tma {raw}"})
    assert answer.status_code == 200
    return [date.fromisoformat(week["week_start"]) for week in answer.json()["weeks"]]


async def cards(runtime: Runtime) -> set[tuple[str, date]]:
    async with runtime.db.snapshot() as session:
        rows = await session.execute(select(WeeklyCard.seller_id, WeeklyCard.week_start))
    return {(seller, week) for seller, week in rows.all()}


async def test_the_boards_weeks_begin_on_monday_in_sofia_and_on_sunday_in_new_york(
    runtime: Runtime,
) -> None:
    sofia = await weeks_on_the_board(runtime, SOFIA_OWNER)
    new_york = await weeks_on_the_board(runtime, NEW_YORK_OWNER)
    assert len(sofia) == len(new_york) == 12
    assert {week.weekday() for week in sofia} == {MONDAY}
    assert {week.weekday() for week in new_york} == {SUNDAY}


async def test_the_card_comes_on_the_first_day_of_the_shops_week(runtime: Runtime) -> None:
    # Sunday 2026-11-29 at 10:00 in New York (15:00 UTC): Sunday evening in Sofia
    new_york_sunday = datetime(2026, 11, 29, 15, 0, tzinfo=UTC)
    assert await runtime.weekly.sweep(new_york_sunday) == 1
    assert await cards(runtime) == {(NEW_YORK_SHOP, date(2026, 11, 22))}
    # Monday 2026-11-30 at 10:00 in Sofia (08:00 UTC): 03:00 on Monday in New York
    sofia_monday = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)
    assert await runtime.weekly.sweep(sofia_monday) == 1
    assert await runtime.weekly.sweep(sofia_monday + timedelta(hours=8)) == 0
    assert await cards(runtime) == {
        (NEW_YORK_SHOP, date(2026, 11, 22)),
        (SOFIA_SHOP, date(2026, 11, 23)),
    }
    async with runtime.db.snapshot() as session:
        queued = (await session.scalars(select(TelegramOutbox.chat_id))).all()
    assert sorted(queued) == [SOFIA_OWNER, NEW_YORK_OWNER]
