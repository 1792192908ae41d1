"""Guessing link codes is slowed down: after five /start codes that linked nothing within ten
minutes, the account's next codes are refused with one translated line, good ones included,
until the window has passed; other accounts are not affected. Kept in the database, so every
process and a restart see the same count."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.team.linking import FAILED_CODES_WINDOW, MAX_FAILED_CODES
from testkit.telegram_stub import TelegramStub
from tests.e2e.conftest import RunningBot

WRONG = "That link code is not valid. Ask the marketplace for a new one."
THROTTLED = "Too many link codes that did not work. Wait 10 minutes, then send the code again."


async def issue(bot: RunningBot, seller_id: str) -> str:
    response = await bot.admin("POST", f"/admin/sellers/{seller_id}/link-codes")
    assert response.status_code == 201
    return str(response.json()["code"])


async def test_failed_codes_are_throttled_per_account_until_the_window_passes(
    bot: RunningBot, telegram: TelegramStub
) -> None:
    guesser = telegram.user(5001, language_code="en")
    for attempt in range(MAX_FAILED_CODES):
        await guesser.send(f"/start WRONGCODE{attempt:04}")
        assert (await guesser.next_message()).text == WRONG

    good = await issue(bot, "shop-throttled")
    await guesser.send(f"/start {good}")
    assert (await guesser.next_message()).text == THROTTLED
    # The count survives a restart: it is in the database, not in a process.
    await bot.restart()
    await guesser.send(f"/start {good}")
    assert (await guesser.next_message()).text == THROTTLED

    # Another account is not slowed down by this one's failures.
    other = telegram.user(5002, language_code="en")
    await other.send(f"/start {await issue(bot, 'shop-other')}")
    assert "Linked to seller shop-other" in ((await other.next_message()).text or "")

    # Once the window has passed, the good code links.
    later = datetime.now(UTC) + FAILED_CODES_WINDOW + timedelta(seconds=1)
    bot.rt.linker._clock = lambda: later
    await guesser.send(f"/start {good}")
    assert "Linked to seller shop-throttled" in ((await guesser.next_message()).text or "")


async def test_the_throttle_line_is_translated(bot: RunningBot, telegram: TelegramStub) -> None:
    guesser = telegram.user(5003, language_code="bg")
    for attempt in range(MAX_FAILED_CODES + 1):
        await guesser.send(f"/start WRONG{attempt}")
        answer = await guesser.next_message()
    assert answer.text is not None and "10" in answer.text
    assert answer.text != THROTTLED and len(answer.text.splitlines()) == 1
