"""How a handler answers: a message in the chat the update came from, a button press
acknowledged, and the one-line alerts for a button that cannot act (forged or out of date,
pressed from an account that is not linked yet, or one whose role does not allow it)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TypeVar

from telegram import CallbackQuery, InlineKeyboardMarkup, Message, Update

from bot.presentation import refusals
from bot.presentation.callback_data import ForgedCallback
from bot.team.roles import Permission
from handlers.who import Who

log = logging.getLogger(__name__)

T = TypeVar("T")


async def reply(update: Update, html: str, markup: InlineKeyboardMarkup | None = None) -> Message:
    """Say something in the chat the update came from (a button press or a message)."""
    chat = update.effective_chat
    assert chat is not None
    return await chat.send_message(html, parse_mode="HTML", reply_markup=markup)


async def pressed(update: Update) -> None:
    """Acknowledge the button press, once: Telegram refuses a second answer to one press."""
    if update.callback_query is not None:
        await update.callback_query.answer()


async def no_longer_valid(query: CallbackQuery, who: Who) -> None:
    """Answer a button this bot cannot act on (any more)."""
    await query.answer(who._("This button is no longer valid."), show_alert=True)


async def forged(query: CallbackQuery, who: Who) -> None:
    """Answer a button whose data this bot never made, and note it in the log."""
    log.warning("forged callback data from user %s", who.user_id)
    await no_longer_valid(query, who)


async def decoded(query: CallbackQuery, who: Who, decode: Callable[[str | None], T]) -> T | None:
    """The pressed button's data; None once a button this bot never made is answered."""
    try:
        return decode(query.data)
    except ForgedCallback:
        await forged(query, who)
        return None


async def link_first(query: CallbackQuery, who: Who) -> None:
    """Answer a button pressed from an account that no seller is linked to."""
    await query.answer(
        who._("Link your account first: send /start with your link code."), show_alert=True
    )


async def not_allowed(query: CallbackQuery, who: Who, permission: Permission) -> None:
    """Answer a button whose action the account's role does not allow."""
    await query.answer(refusals.not_allowed(permission, who._), show_alert=True)


async def step_is_over(query: CallbackQuery, who: Who) -> None:
    """Answer a step's button pressed after its flow ended (finished, cancelled, elsewhere)."""
    await query.answer(who._("This step is over. Open the order again."), show_alert=True)
