"""With PUBLIC_URL set, the chat's menu button and an "Open board" button open the order board:
the menu button is the default for private chats and is set in a seller's own language when they
link or start; "Open board" comes with the answer to /start, /help and /orders. Without it the bot
stays chat-only."""

from __future__ import annotations

import httpx
import pytest

from bot.i18n import translator
from bot.settings import SettingsError, load_settings
from testkit.telegram_stub import StubUser, TelegramStub
from testkit.telegram_stub_records import BotMessage
from tests.e2e.conftest import TOKEN, RunningBot, link_demo_seller, started

BOARD = "https://chopni.example/bot/app/"
PUBLIC = {"public_url": "https://chopni.example/bot/"}


def board_button(message: BotMessage) -> dict[str, object]:
    """The answer's last button, which opens the board."""
    [[button]] = (message.reply_markup or {})["inline_keyboard"][-1:]
    return dict(button)


def chat_menu_button(telegram: TelegramStub, user: StubUser) -> dict[str, object] | None:
    return telegram.menu_buttons.get(user.user_id)


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


async def test_start_offers_the_board_and_sets_the_chats_menu_button_in_each_language(
    telegram: TelegramStub, database_url: str
) -> None:
    async with started(RunningBot(telegram, database_url, overrides=PUBLIC)):
        for user_id, language in ((1203, "bg"), (1204, "en")):
            _ = translator(language)
            seller = telegram.user(user_id, language_code=language)
            await seller.send("/start")
            welcome = await seller.wait_for(lambda m: "/demo" in (m.text or ""))
            assert board_button(welcome) == {"text": _("Open board"), "web_app": {"url": BOARD}}
            assert chat_menu_button(telegram, seller) == {
                "type": "web_app",
                "text": _("Order board"),
                "web_app": {"url": BOARD},
            }
            await seller.send("/help")
            helped = await seller.next_message()
            assert board_button(helped)["web_app"] == {"url": BOARD}


async def test_linking_with_a_code_sets_the_menu_button_and_offers_the_board(
    telegram: TelegramStub, database_url: str
) -> None:
    running = RunningBot(telegram, database_url, overrides=PUBLIC)
    async with started(running):
        issued = await running.rt.linker.issue("shop-board-buttons")
        seller = telegram.user(1205, language_code="bg")
        await seller.send(f"/start {issued.code}")
        linked = await seller.next_message()
        _ = translator("bg")
        assert "shop-board-buttons" in (linked.text or "")
        assert board_button(linked)["text"] == _("Open board")
        menu = chat_menu_button(telegram, seller)
        assert menu is not None and menu["text"] == _("Order board")
        # a second /start, with the code already used, greets the linked seller the same way
        await seller.send("/start")
        again = await seller.next_message()
        assert board_button(again)["web_app"] == {"url": BOARD}


async def test_without_public_url_the_bot_is_chat_only(
    telegram: TelegramStub, bot: RunningBot
) -> None:
    assert telegram.menu_buttons.get(None) is None
    seller = telegram.user(1202, language_code="en")
    await seller.send("/start")
    welcome = await seller.wait_for(lambda m: "/demo" in (m.text or ""))
    assert welcome.reply_markup is None
    assert chat_menu_button(telegram, seller) is None
    await seller.send("/orders")
    listed = await seller.next_message()
    assert "Open board" not in listed.button_texts
    await seller.send("/help")
    assert (await seller.next_message()).reply_markup is None


async def test_the_bot_api_stand_in_refuses_a_menu_button_telegram_would_refuse(
    telegram: TelegramStub,
) -> None:
    url = f"{telegram.api_root}/bot{TOKEN}/setChatMenuButton"
    answers = []
    async with httpx.AsyncClient() as client:
        for params in (
            {"menu_button": {"type": "web_app", "text": "Board", "web_app": {"url": "http://x/"}}},
            {"menu_button": {"type": "web_app", "text": " ", "web_app": {"url": BOARD}}},
            {"menu_button": {"type": "board"}},
            {"chat_id": -100, "menu_button": {"type": "commands"}},
        ):
            answers.append((await client.post(url, json=params)).status_code)
        assert answers == [400, 400, 400, 400]
        assert telegram.menu_buttons == {}
        mine = {"chat_id": 1206, "menu_button": {"type": "commands"}}
        assert (await client.post(url, json=mine)).json() == {"ok": True, "result": True}
    assert telegram.menu_buttons == {1206: {"type": "commands"}}


def test_public_url_must_be_https() -> None:
    with pytest.raises(SettingsError, match="PUBLIC_URL"):
        load_settings(public_url="http://chopni.example")
