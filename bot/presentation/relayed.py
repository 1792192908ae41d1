"""How a buyer's message looks in Telegram: a header naming the order and the buyer's alias, the
masked text split over several messages when long, then each attachment as a photo or a document
with a "Reply" button. Implements :class:`bot.relay.incoming.RenderBuyerMessage`."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from html import escape
from typing import Any

from bot.delivery.notify import Recipient
from bot.domain.files import FileRefusal, safe_filename, send_as_photo, type_for_content_type
from bot.domain.relay_text import TELEGRAM_TEXT_LIMIT, split_text, utf16_len
from bot.marketplace import schemas
from bot.presentation import keyboards
from bot.presentation.file_notes import refusal_reason
from bot.presentation.limits import clip
from bot.presentation.views import ALIAS, Reader
from bot.relay.incoming import Outgoing
from bot.team.roles import Role
from storage.models import Order

#: Room kept in the header for a part counter such as " (12/13)".
_PART_COUNTER_ROOM = len(" (99/99)")


def render_buyer_message(
    message: schemas.Message, order: Order, masked: str, to: Recipient, chat_id: int
) -> list[Outgoing]:
    """The messages one seller account gets for one buyer message, in sending order."""
    _ = Reader.of(to)._
    if message.author == "staff":
        title = _("Message from the marketplace about order {number}")
    else:
        title = _("Message from {buyer} about order {number}")
    title = title.format(number=order.number, buyer=clip(order.buyer_alias, ALIAS))
    relayable = [a for a in message.attachments if type_for_content_type(a.content_type)]
    skipped = len(message.attachments) - len(relayable)
    footer: list[str] = []
    hidden_note = "🔒 " + _("Contact details were hidden: the marketplace forbids exchanging them.")
    if masked != message.text:
        footer.append(hidden_note)
    if skipped:
        footer.append(
            "📎 "
            + _("Files the bot does not pass on: {count}. See them on the marketplace.").format(
                count=skipped
            )
        )
    tail = "\n\n" + "\n".join(footer) if footer else ""
    budget = TELEGRAM_TEXT_LIMIT - utf16_len(f"💬 {title}\n") - _PART_COUNTER_ROOM
    parts = split_text(masked, budget - utf16_len(tail))
    if not parts and (footer or not relayable):
        parts = [""] if footer else [_("(no text)")]
    reply = keyboards.relay_reply(order.number, _, Role.parse(to.role)).to_dict()
    out: list[Outgoing] = []
    for number, part in enumerate(parts, start=1):
        counter = f" ({number}/{len(parts)})" if len(parts) > 1 else ""
        last = number == len(parts)
        said = {
            "title": title + counter,
            "body": (part + (tail if last else "")).strip(),
            "reply": reply if last and not relayable else None,
        }
        params: dict[str, Any] = {
            "chat_id": chat_id,
            "text": _together([said], html=True),
            "parse_mode": "HTML",
            "link_preview_options": {"is_disabled": True},
        }
        if said["reply"] is not None:
            params["reply_markup"] = reply
        out.append(Outgoing("sendMessage", params, said=said))
    notes = _FileNotes(
        covered=hidden_note,
        refused=_(
            "This file could not be checked for contact details, so it is not passed on. "
            "See it on the marketplace."
        ),
        refused_because={
            reason: "⛔ "
            + _("This file is not passed on: {reason}. See it on the marketplace.").format(
                reason=refusal_reason(reason, _)
            )
            for reason in FileRefusal
        },
    )
    for index, attachment in enumerate(relayable, start=1):
        out.append(
            _attachment(attachment, index, len(relayable), title, order, chat_id, reply, notes)
        )
    return out


def _together(said: Sequence[Mapping[str, Any]], *, html: bool) -> str:
    """Texts in their order, each under its title, said once while it stays the same; ``html``:
    as sent, else as Telegram counts its length."""
    quote = escape if html else str
    blocks: list[str] = []
    title = None
    for item in said:
        lines = [quote(item["body"])] if item["body"] else []
        if item["title"] != title:
            title = item["title"]
            heading = quote("💬 ") + (f"<b>{quote(title)}</b>" if html else title)
            lines.insert(0, heading)
        blocks.append("\n".join(lines))
    return "\n\n".join(block for block in blocks if block)


def combine_messages(chat_id: int, said: Sequence[Mapping[str, Any]]) -> tuple[dict[str, Any], int]:
    """Buyer messages about one order waiting for one chat, as one message: as many of them as
    fit into Telegram's limit, in order, and how many that is (at least 1). The rest wait for
    the next message; none is left out or said twice."""
    held = 1
    while held < len(said) and utf16_len(_together(said[: held + 1], html=False)) <= (
        TELEGRAM_TEXT_LIMIT
    ):
        held += 1
    params: dict[str, Any] = {
        "chat_id": chat_id,
        "text": _together(said[:held], html=True),
        "parse_mode": "HTML",
        "link_preview_options": {"is_disabled": True},
    }
    reply = next((item["reply"] for item in reversed(said[:held]) if item.get("reply")), None)
    if reply is not None:
        params["reply_markup"] = reply
    if all(item.get("silent") for item in said[:held]):
        params["disable_notification"] = True  # the seller's quiet hours
    return params, held


@dataclass(frozen=True, slots=True)
class _FileNotes:
    """What the outbox adds to a covered file's caption, or sends instead of a refused file:
    the line that says why, or (for a reason it does not know) the general one."""

    covered: str
    refused: str
    refused_because: dict[FileRefusal, str]


def _attachment(
    attachment: schemas.Attachment,
    index: int,
    count: int,
    title: str,
    order: Order,
    chat_id: int,
    reply: dict[str, Any],
    notes: _FileNotes,
) -> Outgoing:
    file_type = type_for_content_type(attachment.content_type)
    assert file_type is not None
    caption = f"📎 <b>{escape(title)}</b> — {index}/{count}"
    as_photo = send_as_photo(file_type, attachment.size)
    return Outgoing(
        "sendPhoto" if as_photo else "sendDocument",
        {
            "chat_id": chat_id,
            "caption": caption,
            "parse_mode": "HTML",
            "reply_markup": reply,
        },
        {
            "file_id": attachment.id,
            "filename": safe_filename(order.number, index, file_type),
            "content_type": file_type.content_type,
            "as": "photo" if as_photo else "document",
            "covered_note": escape(notes.covered),
            "refused_note": f"{caption}\n{escape(notes.refused)}",
            "refused_notes": {
                reason.value: f"{caption}\n{escape(line)}"
                for reason, line in notes.refused_because.items()
            },
        },
    )
