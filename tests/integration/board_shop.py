"""The shop the board's API tests read and change: two sellers' orders in every state, an owner,
a packer, another seller's owner and an account linked to no seller; and the Mini App's signed
``Authorization`` header for any of them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.app import Runtime
from storage.migrate import upgrade
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


async def open_shop(database_url: str) -> Runtime:
    """The bot's runtime on a migrated database holding the shop (close it with ``aclose``)."""
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
    return runtime
