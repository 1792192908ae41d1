"""Choosing quiet hours in /settings: one command and one tap; the README counts them."""

from __future__ import annotations

from storage import repositories
from testkit.taps import Counted
from testkit.telegram_stub import StubUser
from tests.e2e.conftest import RunningBot


async def test_quiet_hours_are_chosen_with_one_tap_in_settings(
    bot: RunningBot, english_seller: StubUser
) -> None:
    seller = Counted(english_seller)
    await seller.send("/settings")
    screen = await english_seller.wait_for(lambda m: "Quiet hours" in (m.text or ""))
    assert "22:00–08:00" in (screen.text or "")  # the default
    await seller.press(screen, "🌙 23–07")
    redrawn = await english_seller.wait_for(lambda m: "23:00–07:00" in (m.text or ""))
    assert "• 23–07" in redrawn.button_texts

    assert (seller.taps, seller.typed) == (1, len("/settings"))
    async with bot.rt.db.snapshot() as session:
        stored = await repositories.seller(session, f"demo-{english_seller.user_id}")
    assert stored is not None
    assert (stored.quiet_start, stored.quiet_end, stored.quiet_enabled) == (23, 7, True)


async def test_quiet_hours_can_be_typed_switched_off_and_a_bad_window_gets_one_line(
    bot: RunningBot, english_seller: StubUser
) -> None:
    await english_seller.send("/settings quiet 21-06")
    await english_seller.wait_for(lambda m: "21:00–06:00" in (m.text or ""))
    await english_seller.send("/settings quiet 25-06")
    refusal = await english_seller.next_message()
    assert "/settings quiet 23-07" in (refusal.text or "")
    await english_seller.send("/settings")
    screen = await english_seller.wait_for(lambda m: "Quiet hours" in (m.text or ""))
    await english_seller.press(screen, "No quiet hours")
    await english_seller.wait_for(lambda m: "Quiet hours: off" in (m.text or ""))
