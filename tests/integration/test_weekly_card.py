"""The weekly figures of a known week, read from the replica, and the card drawn from them."""

from __future__ import annotations

import io
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta
from typing import Any

from PIL import Image

from bot.board.card import card_for, draw, plot
from bot.board.performance import weeks_ending
from bot.i18n import translator
from storage.database import Database
from testkit.board_orders import add_orders, add_sellers, buyer_wrote, order_row, seller_replied

SELLER = "shop-weekly"
SOFIA = "Europe/Sofia"
#: the known week: Monday 2026-11-23 to Sunday 2026-11-29, Sofia time
MONDAY = date(2026, 11, 23)
WEDNESDAY = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)


async def known_week(db: Database) -> None:
    await add_sellers(db, SELLER)
    due, hour = WEDNESDAY, timedelta(hours=1)

    def row(
        number: str, status: str, shipped: datetime | None, ship_by: datetime = due
    ) -> dict[str, Any]:
        return order_row(SELLER, number, status=status, ship_by=ship_by, shipped_at=shipped)

    await add_orders(
        db,
        [
            # five orders due on Wednesday: three shipped in time (one at the very deadline),
            # one shipped a minute late, one not shipped at all
            row("300001", "SHIPPED", due - 5 * hour),
            row("300002", "COMPLETE", due - 24 * hour),
            row("300003", "SHIPPED", due),
            row("300004", "SHIPPED", due + timedelta(minutes=1)),
            row("300005", "PROCESSING", None),
            # cancelled, and due the week before: neither counts for this week
            row("300006", "CANCELLED", None),
            row("300007", "SHIPPED", due - 300 * hour, ship_by=due - 7 * 24 * hour),
        ],
    )
    # first answers: 30 minutes, 2 hours and 6 hours (median 2 hours); one buyer still waits
    for number, minutes in (("300001", 30), ("300002", 120), ("300003", 360)):
        await buyer_wrote(db, SELLER, number, "Кога?", WEDNESDAY)
        await seller_replied(db, number, WEDNESDAY + timedelta(minutes=minutes))
    await buyer_wrote(db, SELLER, "300004", "Ало?", WEDNESDAY)


async def test_the_figures_of_a_known_week(db: Database) -> None:
    await known_week(db)
    async with db.snapshot() as session:
        weeks = await weeks_ending(session, SELLER, SOFIA, MONDAY)
    assert len(weeks) == 12
    week = weeks[-1]
    assert week.start == MONDAY
    assert (week.due, week.on_time, week.late) == (5, 3, 2)
    assert week.on_time_rate == 0.6
    assert week.first_reply_seconds == 2 * 3600
    assert (week.replies, week.unanswered) == (3, 1)
    before = weeks[-2]
    assert (before.due, before.on_time, before.late) == (1, 1, 0)


async def test_the_card_shows_the_weeks_figures_with_a_verdict(db: Database) -> None:
    await known_week(db)
    async with db.snapshot() as session:
        weeks = await weeks_ending(session, SELLER, SOFIA, MONDAY)
    _ = translator("bg")
    card = card_for(weeks, "bg", _)
    assert card.title == _("Your week, {day}").format(day="23 ноември 2026")
    assert card.verdict == _(
        "Too many orders shipped late: set PROCESSING early and ship before the deadline."
    )
    assert card.on_time_percent[-2:] == [100.0, 60.0]
    assert card.late[-2:] == [0, 2]
    assert card.reply_hours[-1] == 2.0

    figure = plot(card)
    top, late_axis, bottom = figure.axes[0], figure.axes[2], figure.axes[1]
    assert [round(bar.get_height(), 6) for bar in top.patches][-2:] == [100.0, 60.0]
    assert list(late_axis.lines[0].get_ydata())[-2:] == [0, 2]
    assert [bar.get_height() for bar in bottom.patches][-1] == 2.0

    picture = Image.open(io.BytesIO(draw(card)))
    assert picture.format == "PNG" and picture.size == (800, 600)


def test_matplotlib_is_not_loaded_until_a_card_is_drawn() -> None:
    probe = "import sys, bot.app, bot.board.weekly; print('matplotlib' in sys.modules)"
    loaded = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    )
    assert loaded.stdout.strip() == "False"
