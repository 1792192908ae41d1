"""The weekly card reaches the seller's chat as a picture once a week, on the first day of the
week at the reminder hour, and not at all when switched off or when the week had no orders."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from io import BytesIO

from PIL import Image

from bot.i18n import translator
from testkit.telegram_stub import StubUser
from tests.e2e.conftest import RunningBot
from tests.e2e.helpers import paid_demo_order


def monday_after(moment: datetime) -> datetime:
    """10:00 in Sofia on the first Monday after ``moment`` (08:00 UTC in winter)."""
    day = moment.date() + timedelta(days=7 - moment.weekday())
    return datetime(day.year, day.month, day.day, 8, 0, tzinfo=UTC)


def cards(user: StubUser) -> list[object]:
    return [m for m in user.messages if m.method == "sendPhoto"]


async def test_the_card_arrives_once_on_monday_at_the_reminder_hour(
    bot: RunningBot, seller: StubUser
) -> None:
    order, _sale = await paid_demo_order(bot, seller)
    monday = monday_after(order.placed_at)
    weekly = bot.rt.weekly
    assert await weekly.sweep(monday - timedelta(hours=2)) == 0  # 08:00 local: before 9
    assert await weekly.sweep(monday - timedelta(days=1)) == 0  # Sunday
    assert await weekly.sweep(monday) == 1
    card = await seller.wait_for(lambda m: m.method == "sendPhoto", timeout=30)
    assert card.photo is not None
    assert Image.open(BytesIO(card.photo)).format in ("PNG", "JPEG")
    _ = translator("bg")
    assert _("Your week in numbers: on time {rate}, late {late}, first answer {reply}.").split("{")[
        0
    ] in (card.text or "")
    for later in (monday + timedelta(hours=5), monday + timedelta(days=1), monday):
        assert await weekly.sweep(later) == 0
    await bot.settle()
    assert len(cards(seller)) == 1
    # a week in which no order was placed or due: no card (the order may be due in the week
    # after the one it was placed in, which then has a card of its own)
    last = max(order.placed_at, order.ship_by or order.placed_at)
    if monday_after(last) > monday:
        assert await weekly.sweep(monday_after(last)) == 1
    assert await weekly.sweep(monday_after(last) + timedelta(weeks=1)) == 0


async def test_no_card_when_switched_off_in_settings(bot: RunningBot, seller: StubUser) -> None:
    order, _sale = await paid_demo_order(bot, seller)
    await seller.send("/settings")
    _ = translator("bg")
    screen = await seller.wait_for(lambda m: _("Turn the weekly card off") in m.button_texts)
    await seller.press(screen, _("Turn the weekly card off"))
    await seller.wait_for(lambda m: _("Turn the weekly card on") in m.button_texts)
    assert await bot.rt.weekly.sweep(monday_after(order.placed_at)) == 0
    await bot.settle()
    assert cards(seller) == []
