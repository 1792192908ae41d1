"""With PUBLIC_URL set, the chat's menu button and an "Open board" button open the order board;
without it the bot stays chat-only."""

from __future__ import annotations

import pytest

from bot.i18n import translator
from bot.settings import SettingsError, load_settings
from testkit.telegram_stub import TelegramStub
from tests.e2e.conftest import RunningBot, link_demo_seller, started

BOARD = "https://chopni.example/bot/app/"


async def test_the_menu_button_and_open_board_open_the_mini_app(
    telegram: TelegramStub, database_url: str
) -> None:
    running = RunningBot(
        telegram, database_url, overrides={"public_url": "https://chopni.example/bot/"}
    )
    async with started(running):
        default = telegram.menu_buttons.get(None)
        assert default is not None and default["type"] == "web_app"
        assert default["web_app"]["url"] == BOARD
        seller = telegram.user(1201, language_code="en")
        await link_demo_seller(seller)
        await seller.send("/orders")
        listed = await seller.wait_for(lambda m: "Open board" in m.button_texts)
        [[button]] = (listed.reply_markup or {})["inline_keyboard"][-1:]
        assert button["web_app"] == {"url": BOARD}
        await seller.send("/language")
        choice = await seller.wait_for(lambda m: "Български" in " ".join(m.button_texts))
        await seller.press(choice, next(t for t in choice.button_texts if "Български" in t))
        await seller.next_message()
        mine = telegram.menu_buttons.get(seller.user_id)
        assert mine is not None and mine["text"] == translator("bg")("Order board")


async def test_without_public_url_the_bot_is_chat_only(
    telegram: TelegramStub, bot: RunningBot
) -> None:
    assert telegram.menu_buttons.get(None) is None
    seller = telegram.user(1202, language_code="en")
    await link_demo_seller(seller)
    await seller.send("/orders")
    listed = await seller.next_message()
    assert "Open board" not in listed.button_texts


def test_public_url_must_be_https() -> None:
    with pytest.raises(SettingsError, match="PUBLIC_URL"):
        load_settings(public_url="http://chopni.example")
