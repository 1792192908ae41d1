"""Commands that answer at once: linking, help, language, order lists and cards, the demo."""

from __future__ import annotations

import re
from collections.abc import Sequence
from html import escape

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ParseMode

from bot.domain.identifiers import ORDER_NUMBER_PATTERN
from bot.domain.lifecycle import Status
from bot.i18n import Gettext
from bot.presentation import keyboards, order_card, refusals, views
from bot.presentation.shipping import order_buttons
from bot.sync.orders import OrderNotFound
from bot.team.linking import FAILED_CODES_WINDOW, LinkRefusal, LinkRefused
from bot.team.roles import Role
from handlers.context import Context
from handlers.who import Who, identify
from storage import repositories
from storage.models import TelegramAccount


async def _send(update: Update, text: str, markup: object = None) -> None:
    chat = update.effective_chat
    assert chat is not None
    await chat.send_message(text, parse_mode=ParseMode.HTML, reply_markup=markup)  # type: ignore[arg-type]


def help_text(_: Gettext, linked: bool) -> str:
    if not linked:
        return escape(
            _(
                "I help Chopni sellers run their orders from Telegram.\n"
                "To begin, send /start with the link code from the marketplace "
                "(or open the link it gave you).\n"
                "/language — choose Bulgarian or English"
            )
        )
    return escape(
        _(
            "New sales arrive here. Take each order through its statuses with the buttons, "
            "or with commands:\n"
            "/orders — open orders\n"
            "/order 100234 — details, actions and the Order Status History\n"
            "/processing 100234 — you started preparing it\n"
            "/ship 100234 RR123456785BG — shipped, with the tracking number "
            "(or send a photo of the label)\n"
            "/ship — a shipping run through every PROCESSING order\n"
            "/complete 100234 — the buyer received it\n"
            "/refund 100234 — a dispute settled by refund or exchange\n"
            "/form 100234 — the printable refund form\n"
            "/settings — language, time zone, daily reminder, quiet hours\n"
            "/team — your team; /team invite links a packer\n"
            "/replies — saved replies to buyers\n"
            "/away 2026-12-10 Back on Monday — away mode; /away off ends it\n"
            "/cancel — leave the current step\n"
            "Reply to a buyer's message to answer them."
        )
    )


async def start(update: Update, context: Context) -> None:
    """Link the account with a code, or greet a linked seller."""
    who = await identify(update, context)
    _ = who._
    runtime = context.runtime
    user = update.effective_user
    assert user is not None
    code = context.args[0] if context.args else None
    if code:
        try:
            seller_id = await runtime.linker.redeem(
                code,
                user_id=who.user_id,
                chat_id=who.chat_id,
                telegram_locale=user.language_code,
                first_name=user.first_name,
            )
        except LinkRefused as refusal:
            texts = {
                LinkRefusal.UNKNOWN: _(
                    "That link code is not valid. Ask the marketplace for a new one."
                ),
                LinkRefusal.EXPIRED: _(
                    "That link code has expired (codes last 24 hours). Ask for a new one."
                ),
                LinkRefusal.USED: _(
                    "That link code was already used. Each code links one account."
                ),
                LinkRefusal.THROTTLED: _(
                    "Too many link codes that did not work. Wait {minutes} minutes, "
                    "then send the code again."
                ).format(minutes=int(FAILED_CODES_WINDOW.total_seconds() // 60)),
            }
            await _send(update, escape(texts[refusal.reason]))
            return
        who = await identify(update, context)
        if who.role is Role.STAFF:
            linked = _(
                "Linked to seller {seller} as staff. New sales will arrive here: you can see "
                "orders and the shipping address and set PROCESSING and SHIPPED."
            )
        else:
            linked = _("Linked to seller {seller}. New sales will arrive here.")
        await _welcome(
            update,
            context,
            who,
            escape(linked.format(seller=seller_id)) + "\n\n" + help_text(_, linked=True),
        )
        return
    if who.seller_id is not None:
        await _welcome(update, context, who, help_text(_, linked=True))
        return
    if runtime.sandbox is not None:
        seller_id = f"demo-{who.user_id}"
        await runtime.linker.link_directly(
            seller_id,
            user_id=who.user_id,
            chat_id=who.chat_id,
            telegram_locale=user.language_code,
            first_name=user.first_name,
        )
        await _welcome(
            update,
            context,
            who,
            escape(
                _(
                    "Welcome! This bot runs on the built-in sandbox marketplace, so you are "
                    "linked to a demo shop ({seller}). Send /demo for a realistic paid order "
                    "and try every step."
                ).format(seller=seller_id)
            )
            + "\n\n"
            + help_text(_, linked=True),
        )
        return
    await _send(update, help_text(_, linked=False))


def _board_button(context: Context, who: Who) -> InlineKeyboardMarkup | None:
    """The "Open board" button under a linked seller's answer, when PUBLIC_URL offers the board."""
    board = context.runtime.settings.board_url
    return keyboards.open_board(board, who._) if board else None


async def _welcome(update: Update, context: Context, who: Who, text: str) -> None:
    """Answer a seller who linked or started: their chat's menu (and its board button) in their
    language, and the board offered under the answer."""
    await context.runtime.set_chat_commands(who.chat_id, who.locale, linked=True)
    await _send(update, text, _board_button(context, who))


async def help_command(update: Update, context: Context) -> None:
    """Explain what the bot does and list the commands."""
    who = await identify(update, context)
    linked = who.seller_id is not None
    await _send(update, help_text(who._, linked), _board_button(context, who) if linked else None)


async def language(update: Update, context: Context) -> None:
    """Offer Bulgarian or English."""
    who = await identify(update, context)
    await _send(update, escape(who._("Choose your language:")), keyboards.language())


async def choose_language(update: Update, context: Context) -> None:
    """Store the language the seller pressed."""
    query = update.callback_query
    assert query is not None
    locale = (query.data or "").removeprefix("lang:")
    who = await identify(update, context)
    if locale not in ("bg", "en"):
        await query.answer(who._("This button is no longer valid."), show_alert=True)
        return
    async with context.runtime.db.transaction() as session:
        account = await repositories.account(session, who.user_id)
        if account is None:
            account = TelegramAccount(user_id=who.user_id, chat_id=who.chat_id, active=True)
            session.add(account)
        account.locale = locale
        await session.commit()
    await query.answer()
    who = await identify(update, context)
    await context.runtime.set_chat_commands(who.chat_id, locale, linked=who.seller_id is not None)
    await query.edit_message_text(escape(who._("Language set: English.")))


async def orders(update: Update, context: Context) -> None:
    """List the seller's open orders."""
    who = await require_seller(update, context)
    if who is None:
        return
    async with context.runtime.db.snapshot() as session:
        found = await repositories.open_orders(session, who.seller_id or "")
    rows: list[Sequence[InlineKeyboardButton]] = []
    listed = order_buttons(found, who.reader)
    if listed is not None:
        rows.extend(listed.inline_keyboard)
    if (board := _board_button(context, who)) is not None:
        rows.extend(board.inline_keyboard)
    markup = InlineKeyboardMarkup(rows) if rows else None
    await _send(update, views.order_list(found, who.reader), markup)


async def order(update: Update, context: Context) -> None:
    """Show one order: details, actions and its Order Status History."""
    who = await require_seller(update, context)
    if who is None:
        return
    if not context.args:
        await _send(
            update, escape(who._("Which order? For example: {usage}").format(usage="/order 100234"))
        )
        return
    number = context.args[0]
    if not re.match(ORDER_NUMBER_PATTERN, number):
        await _send(update, escape(refusals.bad_number(who._)))
        return
    await send_card(update, context, who, number)


async def send_card(update: Update, context: Context, who: Who, number: str) -> None:
    """Send the order's card, with the newest page of its history."""
    rendered = await render_card(context, who, number)
    if rendered is None:
        await _send(update, escape(refusals.unknown_order(number, who._)))
        return
    await _send(update, *rendered)


async def render_card(
    context: Context, who: Who, number: str, page: int | None = None
) -> tuple[str, InlineKeyboardMarkup] | None:
    """The card's text and buttons at history ``page`` (None: the newest); None if no order."""
    try:
        found = await context.runtime.orders.find(
            who.seller_id or "", number, actor_telegram_id=who.user_id
        )
    except OrderNotFound:
        return None
    async with context.runtime.db.snapshot() as session:
        history = await repositories.history(session, found.id)
        actors = await repositories.first_names(
            session, (e.actor_telegram_id for e in history if e.actor_telegram_id is not None)
        )
    shown = order_card.card(found, history, who.reader, page, actors)
    markup = keyboards.order_actions(
        found.number, Status(found.status), who._, who.role, page=shown.page, pages=shown.pages
    )
    return shown.text, markup


async def demo(update: Update, context: Context) -> None:
    """Create a realistic paid order in the sandbox marketplace."""
    who = await require_seller(update, context)
    if who is None:
        return
    sandbox = context.runtime.sandbox
    if sandbox is None:
        await _send(
            update, escape(who._("/demo works only with the built-in sandbox marketplace."))
        )
        return
    created = await sandbox.create_demo_order(who.seller_id or "")
    await _send(
        update,
        escape(
            who._("Demo order {number} was paid; its notification is on its way.").format(
                number=created.number
            )
        ),
    )


async def cancel_outside(update: Update, context: Context) -> None:
    """/cancel when no step is open."""
    who = await identify(update, context)
    await _send(update, escape(who._("There is nothing to cancel.")))


async def unknown_command(update: Update, context: Context) -> None:
    """Anything that is not a command this bot knows."""
    who = await identify(update, context)
    await _send(update, escape(who._("I do not know that command. See /help.")))


async def plain_text(update: Update, context: Context) -> None:
    """Text outside any step: point to what works."""
    who = await identify(update, context)
    if who.seller_id is None:
        await _send(update, help_text(who._, linked=False))
        return
    await _send(
        update,
        escape(
            who._("To answer a buyer, reply to their message. For your orders: /orders, /help.")
        ),
    )


async def require_seller(update: Update, context: Context) -> Who | None:
    """The speaker, if their account is linked; otherwise tell them how to link it."""
    who = await identify(update, context)
    if who.seller_id is None:
        await _send(update, help_text(who._, linked=False))
        return None
    return who
