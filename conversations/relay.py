"""Seller → buyer: answer a buyer by replying to their relayed message, or with "Message buyer".

Two ways in (see relay.mmd):

- a Telegram reply to a relayed buyer message goes to that message's order, found through
  ``RelayLink`` (chat id + the replied-to message id);
- the "Reply" / "Message buyer" button (``Action.REPLY``) opens a short compose step: "Write your
  message to the buyer of order N"; the next text, photo or document goes to that buyer, and
  ``/cancel`` (or the Cancel button) leaves. Any other command or step button leaves too, so a
  status change started meanwhile gets its answers. The step lasts at most ``COMPOSE_TTL``.

What is sent: the text or caption with hidden link targets written out and contact details
masked (the seller is told what was hidden and why), and the photo or document, downloaded and
read in the scanning pool (``bot.relay.files``): the seller is told what was covered in it ("in
your photo: phone numbers"), and a file that cannot be checked is refused with one line, before
anything is queued. It is queued as one marketplace outbox row;
the seller's "⏳" notice turns into "✅" once the marketplace has it. Refused content (contact
cards, locations, voice, video, stickers…) gets one translated line; nothing is ever forwarded.

These handlers run in group -1, ahead of every flow: a message that is not for a buyer passes
on untouched, one that is stops there (``ApplicationHandlerStop``).
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from html import escape
from typing import Any

from telegram import Message, Update
from telegram.error import BadRequest
from telegram.ext import (
    ApplicationHandlerStop,
    BaseHandler,
    CallbackQueryHandler,
    MessageHandler,
    filters,
)

from bot.domain.files import FileRefusal, FileRefused, check_size, safe_filename
from bot.domain.masking import mask_continuing
from bot.domain.relay_text import MARKETPLACE_TEXT_LIMIT
from bot.presentation import keyboards, refusals
from bot.presentation import saved_replies as saved_view
from bot.relay.replies import AlreadyQueued, OutgoingFile
from bot.scanning.jobs import Scanned
from bot.sync.orders import Notice, OrderNotFound
from bot.team.roles import NotAllowed
from conversations import relay_content as content
from conversations.relay_target import (
    COMPOSE,
    after_sent,
    relayed_order,
    target,
)
from handlers.answers import reply
from handlers.context import Context
from handlers.who import Who, identify
from storage.models import Order

#: Buttons that only show something; pressing them keeps the compose step open.
_VIEW_BUTTONS = r"^o:(details|address|form|reply):"
_PRIVATE = filters.ChatType.PRIVATE


async def open_compose(update: Update, context: Context, who: Who, number: str) -> None:
    """Ask for the message to the buyer of order ``number`` (the Action.REPLY button)."""
    _ = who._
    order = await _writable(context, who, number, functools.partial(reply, update))
    if order is None:
        return
    text = _(
        "✍️ Write your message to the buyer of order {number}: text, a photo or a PDF "
        "(with a caption if you like). Contact details are hidden before it is sent. "
        "/cancel leaves."
    ).format(number=order.number)
    saved = await context.runtime.saved_replies.all(
        who.seller_id or "", actor_telegram_id=who.user_id, use=True
    )
    markup = saved_view.compose_keyboard(saved, _("Cancel")) if saved else keyboards.cancel_only(_)
    prompt = await reply(update, escape(text), markup)
    context.user_data[COMPOSE] = {
        "number": order.number,
        "since": datetime.now(UTC).isoformat(),
        "prompt": prompt.message_id,
    }


async def _writable(
    context: Context, who: Who, number: str, say: Callable[[str], Awaitable[object]]
) -> Order | None:
    """The order, if the seller may write to its buyer; otherwise None, once ``say`` said why."""
    try:
        return await context.runtime.replies.writable(
            who.seller_id or "", number, actor_telegram_id=who.user_id
        )
    except NotAllowed as refusal:
        await say(escape(refusals.not_allowed(refusal.permission, who._)))
    except OrderNotFound:
        await say(escape(refusals.unknown_order(number, who._)))
    return None


async def take_message(update: Update, context: Context) -> None:
    """Send a reply or a composed message to the buyer; anything else passes on."""
    message = update.message
    if message is None:
        await _edited(update, context)
        return
    who, number = await target(update, context, message)
    if who is None or number is None:
        return
    _ = who._
    order = await _writable(context, who, number, functools.partial(_answer, message))
    if order is None:
        raise ApplicationHandlerStop
    reason = content.refusal(message)
    if reason is not None:
        await _answer(message, escape(content.refusal_text(reason, _)))
        raise ApplicationHandlerStop
    exposed = content.exposed(message)
    # A number split over messages: "0888", then "123 456".
    masked = mask_continuing(exposed.text, await context.runtime.replies.earlier_texts(order.id))
    text = masked.text.strip()
    if len(text) > MARKETPLACE_TEXT_LIMIT:
        await _answer(message, escape(content.too_long_text(len(text), _)))
        raise ApplicationHandlerStop
    try:
        files, covered = await _files(message, context, number)
    except FileRefused as refused:
        await _answer(message, escape(content.file_refusal_text(refused, _)))
        raise ApplicationHandlerStop from None
    if not text and not files:
        raise ApplicationHandlerStop
    hidden = exposed.hidden | masked.kinds
    if hidden:
        await _answer(message, escape(content.hidden_text(hidden, _)))
    if covered is not None:
        await _answer(message, escape(content.covered_text(covered, _)))
    await _queue(context, who, message, number, text, files)
    after_sent(context, message)
    raise ApplicationHandlerStop


async def _queue(
    context: Context, who: Who, message: Message, number: str, text: str, files: list[OutgoingFile]
) -> None:
    _ = who._
    waiting = _(
        "⏳ Sending to the buyer of order {number}… It goes out as soon as the marketplace answers."
    ).format(number=number)
    notice = await message.reply_html(escape(waiting), do_quote=True)
    try:
        await context.runtime.replies.queue(
            who.seller_id or "",
            number,
            text,
            files,
            source=f"{message.chat_id}-{message.message_id}",
            notice=Notice(who.chat_id, notice.message_id, who.locale),
            actor_telegram_id=who.user_id,
        )
    except NotAllowed as refusal:
        await notice.edit_text(escape(refusals.not_allowed(refusal.permission, _)))
    except AlreadyQueued:
        await notice.edit_text(escape(_("This message was already sent to the buyer.")))
    except OrderNotFound:
        await notice.edit_text(escape(refusals.unknown_order(number, _)))


async def _files(
    message: Message, context: Context, number: str
) -> tuple[list[OutgoingFile], Scanned | None]:
    """The message's photo or document, read and covered in the scanning pool, and what was
    covered in it (None when nothing was); no files when it has none."""
    if message.photo:
        source: Any = message.photo[-1]
    elif message.document is not None:
        source = message.document
    else:
        return [], None
    check_size(source.file_size)
    try:
        telegram_file = await context.bot.get_file(source.file_id)
    except BadRequest as exc:  # Telegram refuses bots files over 20 MB, even of unknown size
        too_big = "too big" in exc.message.lower()
        reason = FileRefusal.TOO_BIG if too_big else FileRefusal.UNREADABLE
        raise FileRefused(reason, exc.message) from exc
    check_size(telegram_file.file_size)
    data = bytes(await telegram_file.download_as_bytearray())
    scanned = await context.runtime.files.check(data)
    check_size(len(scanned.data))
    name = safe_filename(number, 1, scanned.file_type)
    files = [OutgoingFile(source.file_id, name, scanned.content_type)]
    return files, scanned if scanned.covered else None


async def _edited(update: Update, context: Context) -> None:
    """An edited reply to a buyer: the buyer already has the first version."""
    message = update.edited_message
    if message is None or message.reply_to_message is None:
        return
    who = await identify(update, context)
    if who.seller_id is None:
        return
    if await relayed_order(context, who, message.reply_to_message) is None:
        return
    text = who._("Changes to a sent message do not reach the buyer. Send a new message.")
    await _answer(message, escape(text))
    raise ApplicationHandlerStop


async def leave(update: Update, context: Context) -> None:
    """A command or another step button: /cancel closes the step; anything else passes on."""
    if not context.user_data.get(COMPOSE):
        return
    compose = context.user_data.pop(COMPOSE)
    query = update.callback_query
    if query is not None:
        # Only the Cancel button under the prompt cancels this step; another flow's passes on.
        pressed_on = query.message.message_id if query.message is not None else None
        is_cancel = query.data == "s:cancel" and pressed_on == compose.get("prompt")
    else:
        message = update.effective_message
        words = (message.text or "").split() if message is not None else []
        is_cancel = bool(words) and words[0].split("@")[0] == "/cancel"
    if not is_cancel:
        return
    who = await identify(update, context)
    if query is not None:
        await query.answer()
    await reply(update, escape(who._("Cancelled. Nothing was sent to the buyer.")))
    raise ApplicationHandlerStop


async def refuse(update: Update, context: Context) -> None:
    """A contact card, location, voice note… sent outside a reply: say why it goes nowhere."""
    message = update.effective_message
    assert message is not None
    who = await identify(update, context)
    reason = content.refusal(message) or content.Refusal.OTHER
    await _answer(message, escape(content.refusal_text(reason, who._)))


async def stray_file(update: Update, context: Context) -> None:
    """A photo or document outside a reply: say how to send it to a buyer."""
    message = update.effective_message
    assert message is not None
    who = await identify(update, context)
    text = who._(
        "To send this to a buyer, reply to their message, or press “Message buyer” on the "
        "order and send it again."
    )
    await _answer(message, escape(text))


async def _answer(message: Message, html: str) -> None:
    await message.reply_html(html, do_quote=True)


def intercepts() -> list[BaseHandler[Update, Context, None]]:
    """Group -1: replies and composed messages to buyers; leaving the compose step."""
    return [
        MessageHandler(
            _PRIVATE
            & ~filters.COMMAND
            & filters.UpdateType.MESSAGES
            & (content.RELAYABLE | content.REFUSED),
            take_message,
        ),
        MessageHandler(_PRIVATE & filters.COMMAND, leave),
        CallbackQueryHandler(leave, pattern=rf"^(?!{_VIEW_BUTTONS[1:]})"),
    ]


def fallbacks() -> list[BaseHandler[Update, Context, None]]:
    """Group 0, before the generic fallbacks: refused content and files outside a reply."""
    return [
        MessageHandler(_PRIVATE & content.REFUSED, refuse),
        MessageHandler(_PRIVATE & (filters.PHOTO | filters.Document.ALL), stray_file),
    ]
