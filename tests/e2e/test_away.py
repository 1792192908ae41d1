"""Away mode through the real bot, on a controlled clock: each buyer gets the away message once
per order per day through the marketplace, the digest pauses, sales still arrive marked, and it
ends by itself on its date."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from storage.models import SandboxRecord, Seller
from testkit.clock import Clock
from testkit.telegram_stub import StubUser, TelegramStub
from tests.e2e.conftest import RunningBot
from tests.e2e.helpers import paid_demo_order
from tests.e2e.test_digest import _overdue
from tests.e2e.test_team import answer_containing, invite_packer

AWAY = "Back on Monday, thank you for waiting!"


async def away_replies(bot: RunningBot, order_id: str) -> list[str]:
    await bot.settle()
    async with bot.rt.db.snapshot() as session:
        rows = await session.scalars(
            select(SandboxRecord).where(
                SandboxRecord.kind == "message", SandboxRecord.parent == order_id
            )
        )
        return [r.data["text"] for r in rows.all() if r.data.get("author") == "seller"]


async def test_away_answers_once_a_day_pauses_the_digest_and_ends_on_its_date(
    bot: RunningBot, english_seller: StubUser
) -> None:
    assert bot.rt.sandbox is not None
    clock = Clock(datetime.now(UTC))
    bot.rt.away.clock = clock
    order, _sale = await paid_demo_order(bot, english_seller)
    # The demo shop keeps DEFAULT_TIMEZONE, Europe/Sofia: its calendar decides the days.
    back = (clock.now.astimezone(ZoneInfo("Europe/Sofia")) + timedelta(days=2)).date()
    await english_seller.send(f"/away {back:%d.%m.%Y} {AWAY}")
    await english_seller.wait_for(lambda m: "Away until" in (m.text or ""))

    await bot.rt.sandbox.buyer_writes(order.id, "Hello, is it in stock?")
    await bot.rt.sandbox.buyer_writes(order.id, "And in blue?")
    await english_seller.wait_for(lambda m: "And in blue?" in (m.text or ""))
    assert await away_replies(bot, order.id) == [AWAY]

    clock.advance(timedelta(days=1).total_seconds())
    await bot.rt.sandbox.buyer_writes(order.id, "Any news?")
    await english_seller.wait_for(lambda m: "Any news?" in (m.text or ""))
    assert await away_replies(bot, order.id) == [AWAY, AWAY]

    await _overdue(bot, order.id)
    assert (await bot.admin("POST", "/admin/reminders/run")).json() == {"sent": 0}
    assert not [m for m in english_seller.messages if "Orders that need you" in (m.text or "")]
    _second, sale = await paid_demo_order(bot, english_seller)
    assert "While you are away" in (sale.text or "")
    assert "New sale" in (sale.text or "")

    clock.advance(timedelta(days=1).total_seconds())
    assert await bot.rt.away.expire() == 1
    await english_seller.wait_for(lambda m: "Away mode ended" in (m.text or ""))
    await bot.rt.sandbox.buyer_writes(order.id, "Hello again")
    await english_seller.wait_for(lambda m: "Hello again" in (m.text or ""))
    assert await away_replies(bot, order.id) == [AWAY, AWAY]
    # The digest is back: today's goes out now (or went out with the bot's own periodic sweep).
    await bot.admin("POST", "/admin/reminders/run")
    await bot.settle()
    [digest] = [m for m in english_seller.messages if "Orders that need you" in (m.text or "")]
    assert order.number in (digest.text or "")
    assert await bot.rt.away.expire() == 0


async def test_a_bad_date_or_a_contact_in_the_message_is_refused_with_the_reason(
    bot: RunningBot, english_seller: StubUser
) -> None:
    await english_seller.send("/away tomorrow Back soon")
    assert "2026-12-10 or 10.12.2026" in ((await english_seller.next_message()).text or "")
    await english_seller.send("/away 01.01.2020 Back soon")
    assert "already come" in ((await english_seller.next_message()).text or "")
    later = (datetime.now(UTC) + timedelta(days=5)).date()
    await english_seller.send(f"/away {later:%Y-%m-%d} Call me on 0888 123 456")
    assert "contact details" in ((await english_seller.next_message()).text or "")
    await english_seller.send(f"/away {later:%Y-%m-%d}")
    assert "Add the message" in ((await english_seller.next_message()).text or "")
    async with bot.rt.db.snapshot() as session:
        shop = await session.get(Seller, f"demo-{english_seller.user_id}")
    assert shop is not None and shop.away_until is None
    await english_seller.send("/away off")
    assert "was not on" in ((await english_seller.next_message()).text or "")


async def test_away_mode_is_turned_on_and_off_from_settings(
    bot: RunningBot, english_seller: StubUser
) -> None:
    await english_seller.send("/settings")
    screen = await english_seller.wait_for(lambda m: "🌴 Turn away mode on" in m.button_texts)
    await english_seller.press(screen, "🌴 Turn away mode on")
    await english_seller.wait_for(lambda m: "Until when" in (m.text or ""))
    await english_seller.send("31.12.2999 Back one day")
    assert "at most" in ((await english_seller.next_message()).text or "")
    back = (datetime.now(UTC) + timedelta(days=3)).date()
    await english_seller.send(f"{back:%Y-%m-%d} {AWAY}")
    await english_seller.wait_for(lambda m: "Away until" in (m.text or ""))
    await english_seller.send("/settings")
    screen = await english_seller.wait_for(lambda m: "End away mode" in m.button_texts)
    assert AWAY in (screen.text or "")
    await english_seller.press(screen, "End away mode")
    await english_seller.wait_for(lambda m: "🌴 Turn away mode on" in m.button_texts)
    assert await bot.rt.away.current(f"demo-{english_seller.user_id}") is None


async def test_staff_cannot_turn_away_mode_or_the_shop_settings(
    bot: RunningBot, telegram: TelegramStub, english_seller: StubUser
) -> None:
    packer = await invite_packer(english_seller, telegram)
    later = (datetime.now(UTC) + timedelta(days=5)).date()
    await packer.send(f"/away {later:%Y-%m-%d} {AWAY}")
    assert "away mode" in ((await packer.next_message()).text or "")
    await packer.send("/settings")
    screen = await packer.wait_for(lambda m: "Time zone" in (m.text or ""))
    assert screen.button_texts == ["🇧🇬 Български", "🇬🇧 English"]  # the shop's are the owner's
    await packer.press_data(screen, "set:away:on")  # forged: the button is not offered
    await answer_containing(packer, "turns away mode on or off")
    await packer.press_data(screen, "set:tz:Europe/London")
    await answer_containing(packer, "changes the shop")
    await packer.press(screen, "🇧🇬 Български")  # the language is the account's own
    async with bot.rt.db.snapshot() as session:
        shop = await session.get(Seller, f"demo-{english_seller.user_id}")
    assert shop is not None
    assert (shop.away_until, shop.timezone) == (None, None)
