"""How saved replies look: the owner's list with its buttons, the reasons a reply is refused,
the buttons offered when answering a buyer, and the preview of a filled-in reply."""

from __future__ import annotations

import re
from collections.abc import Sequence
from html import escape

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.domain.masking import MASK
from bot.domain.saved_replies import (
    MAX_REPLY_LENGTH,
    MAX_SAVED_REPLIES,
    PLACEHOLDERS,
    TemplateRefused,
)
from bot.i18n import Gettext
from bot.presentation.callback_data import ForgedCallback, Step, step_data
from bot.presentation.contacts import contact_kind_names
from bot.presentation.limits import MESSAGE_TEXT, clip, visible_length
from bot.team.saved_replies import Saved

#: what a saved-reply button may say: a verb and, except for add and send, a reply id
_DATA = re.compile(r"^sr:(?P<verb>add|edit|up|down|del|use|send)(?::(?P<id>[0-9]{1,12}))?$")
PATTERN = r"^sr:"
MANAGE_PATTERN = r"^sr:(up|down|del):"
FLOW_PATTERN = r"^sr:(add$|edit:)"
USE_PATTERN = r"^sr:use:"
SEND_DATA = "sr:send"
_LABEL = 28
#: how much of each reply the listing shows, so that all of them fit in one message
_LISTED = 150


def data(verb: str, reply_id: int | None = None) -> str:
    return f"sr:{verb}" if reply_id is None else f"sr:{verb}:{reply_id}"


def decode(raw: str | None) -> tuple[str, int | None]:
    """(verb, reply id); anything this bot could not have made is a ForgedCallback."""
    match = _DATA.match(raw or "")
    if match is None:
        raise ForgedCallback(raw)
    verb, reply_id = match["verb"], match["id"]
    needs_id = verb not in ("add", "send")
    if needs_id != (reply_id is not None):
        raise ForgedCallback(raw)
    return verb, int(reply_id) if reply_id else None


def _short(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= _LABEL else flat[: _LABEL - 1] + "…"


def listing(saved: Sequence[Saved], _: Gettext) -> str:
    lines = [
        "💬 <b>"
        + escape(
            _("Saved replies: {count} of {limit}").format(count=len(saved), limit=MAX_SAVED_REPLIES)
        )
        + "</b>"
    ]
    for index, reply in enumerate(saved, start=1):
        # Shortened: twenty whole replies would not fit in one message.
        lines.append(f"{index}. {escape(clip(reply.text, _LISTED))}")
    if not saved:
        lines.append(escape(_("None yet.")))
    lines.append(
        escape(
            _(
                "Placeholders: {order}, {tracking}, {carrier}, {ship_by}, {buyer} are filled in "
                "for the order you answer."
            )
        )
    )
    return "\n".join(lines)


def manage_keyboard(saved: Sequence[Saved], _: Gettext) -> InlineKeyboardMarkup:
    rows = []
    for index, reply in enumerate(saved, start=1):
        rows.append(
            [
                InlineKeyboardButton(f"✏️ {index}", callback_data=data("edit", reply.id)),
                InlineKeyboardButton(f"⬆️ {index}", callback_data=data("up", reply.id)),
                InlineKeyboardButton(f"⬇️ {index}", callback_data=data("down", reply.id)),
                InlineKeyboardButton(f"🗑 {index}", callback_data=data("del", reply.id)),
            ]
        )
    if len(saved) < MAX_SAVED_REPLIES:
        rows.append([InlineKeyboardButton(_("➕ Add a reply"), callback_data=data("add"))])
    return InlineKeyboardMarkup(rows)


def ask_text(_: Gettext) -> str:
    return escape(
        _(
            "Send the text of the reply. You may use {order}, {tracking}, {carrier}, {ship_by} "
            "and {buyer}. /cancel leaves."
        )
    )


def refused(refusal: TemplateRefused, _: Gettext) -> str:
    """Why a reply was not saved or cannot be used for this order."""
    texts = {
        "empty": _("A saved reply needs some text."),
        "too_long": _("A saved reply holds at most {limit} characters."),
        "braces": _("Braces are only for the placeholders, e.g. {example}."),
        "unknown_placeholder": _(
            "{{{name}}} is not a placeholder. Use {order}, {tracking}, {carrier}, {ship_by} "
            "or {buyer}."
        ),
        "contact": _(
            "Not saved: it contains {what}. The marketplace forbids exchanging contact "
            "details with buyers."
        ),
        "missing": _("This order has no {{{name}}} yet, so this reply cannot be used for it."),
    }
    text = texts.get(refusal.reason, texts["braces"])
    # The placeholders are named in braces in the text itself: each one formats to itself.
    literal = {name: "{" + name + "}" for name in PLACEHOLDERS}
    return escape(
        text.format(
            **literal,
            example="{order}",
            limit=MAX_REPLY_LENGTH,
            name=refusal.name,
            what=contact_kind_names(refusal.kinds, _),
        )
    )


def too_many(_: Gettext) -> str:
    return escape(
        _("You have {limit} saved replies already: delete one first.").format(
            limit=MAX_SAVED_REPLIES
        )
    )


def gone(_: Gettext) -> str:
    return escape(_("That saved reply is no longer there. See /replies."))


def compose_keyboard(saved: Sequence[Saved], cancel: str) -> InlineKeyboardMarkup:
    """Under "Write your message to the buyer": one button per saved reply, then Cancel."""
    rows = [
        [InlineKeyboardButton(f"💬 {_short(reply.text)}", callback_data=data("use", reply.id))]
        for reply in saved
    ]
    rows.append([InlineKeyboardButton(cancel, callback_data=step_data(Step.CANCEL))])
    return InlineKeyboardMarkup(rows)


def preview(number: str, text: str, hidden: bool, _: Gettext) -> str:
    head = escape(_("The buyer of order {number} will read:").format(number=number))
    note = ["", "🔒 " + escape(_("Contact details were hidden: {mask}.").format(mask=MASK))]
    # A reply filled in for a long order can outgrow one message: the preview shortens it.
    room = MESSAGE_TEXT - visible_length(f"<b>{head}</b>\n\n") - visible_length("\n".join(note))
    lines = [f"<b>{head}</b>", "", escape(clip(text, room - 1))]
    if hidden:
        lines += note
    return "\n".join(lines)


def preview_keyboard(_: Gettext) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(_("Send to the buyer"), callback_data=SEND_DATA)],
            [InlineKeyboardButton(_("Cancel"), callback_data=step_data(Step.CANCEL))],
        ]
    )
