"""Buyer → seller: a ``message.created`` event becomes bot messages to every account of the seller.

Installed as ``EventProcessor.on_buyer_message``, so everything is queued in the telegram outbox
inside the event's own transaction, with dedupe keys (a replayed event relays nothing twice) and
with ``relay=`` so each sent Telegram message is recorded in ``RelayLink`` and a Telegram reply
to it finds its way back to the buyer.

What the seller gets: a header naming the order and the buyer's alias, the text with contact
details hidden, split over several messages when long, then each attachment as a photo or a
document with a "Reply" button. Attachments are fetched from the marketplace only when the
outbox sends them (:meth:`BuyerRelay.load_attachment`), checked by their bytes and re-encoded
without metadata, under names like ``order-100234-photo-1.jpg``. Files whose declared type is not
on the allow-list are not relayed; the seller is told how many there were. While the
marketplace is down an attachment waits in the outbox (a network error to the sender, which
retries it); a file whose bytes are not what was declared is refused and never sent.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from html import escape
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from telegram.error import NetworkError

from bot.delivery.notify import SellerDefaults, reader_for
from bot.delivery.telegram_outbox import already_queued, enqueue
from bot.domain.files import (
    FileRefusal,
    FileRefused,
    safe_filename,
    send_as_photo,
    type_for_content_type,
)
from bot.domain.masking import mask_contacts
from bot.domain.relay_text import TELEGRAM_TEXT_LIMIT, split_text, utf16_len
from bot.marketplace import Marketplace, MarketplaceUnavailable, schemas
from bot.presentation import keyboards
from bot.presentation.views import Reader
from bot.relay.cleaning import clean_file
from storage import repositories
from storage.models import Order

#: Room kept in the header for a part counter such as " (12/13)".
_PART_COUNTER_ROOM = len(" (99/99)")


@dataclass(frozen=True, slots=True)
class Outgoing:
    """One Bot API call for one chat, before it is queued."""

    method: str
    params: dict[str, Any]
    attachment: dict[str, Any] | None = None


class BuyerRelay:
    def __init__(self, marketplace: Marketplace, defaults: SellerDefaults) -> None:
        self._marketplace = marketplace
        self._defaults = defaults

    async def on_buyer_message(
        self, session: AsyncSession, message: schemas.Message, order: Order
    ) -> None:
        """Queue the buyer's message for every account linked to the order's seller."""
        seller = await repositories.seller(session, order.seller_id)
        masked = mask_contacts(message.text).text
        relay = {"order_id": order.id, "marketplace_message_id": message.id}
        for account in await repositories.seller_accounts(session, order.seller_id):
            reader = reader_for(account, seller, self._defaults)
            outgoing = render(message, order, masked, reader, account.chat_id)
            keys = [f"relay:{message.id}:{account.chat_id}:{n}" for n in range(len(outgoing))]
            # The same message delivered again under another event id is not relayed twice.
            done = await already_queued(session, keys)
            for key, out in zip(keys, outgoing, strict=True):
                if key in done:
                    continue
                enqueue(
                    session,
                    account.chat_id,
                    out.method,
                    out.params,
                    dedupe_key=key,
                    relay=relay,
                    attachment=out.attachment,
                )
                done.add(key)

    async def load_attachment(self, attachment: Mapping[str, Any]) -> bytes:
        """The attachment's bytes from the marketplace, checked and without metadata."""
        try:
            data = await self._marketplace.download_file(str(attachment["file_id"]))
        except MarketplaceUnavailable as exc:
            # The outbox retries a network error without limit: an outage delays the file.
            raise NetworkError(f"marketplace unavailable: {exc}") from exc
        cleaned = clean_file(data)
        if cleaned.content_type != attachment.get("content_type"):
            # Declared one type, is another: judged by the bytes, refused as forged.
            raise FileRefused(FileRefusal.NOT_ALLOWED, f"declared {attachment.get('content_type')}")
        return cleaned.data


def render(
    message: schemas.Message, order: Order, masked: str, reader: Reader, chat_id: int
) -> list[Outgoing]:
    """The messages one seller account gets for one buyer message, in sending order."""
    _ = reader._
    if message.author == "staff":
        title = _("Message from the marketplace about order {number}")
    else:
        title = _("Message from {buyer} about order {number}")
    title = title.format(number=order.number, buyer=order.buyer_alias)
    relayable = [a for a in message.attachments if type_for_content_type(a.content_type)]
    skipped = len(message.attachments) - len(relayable)
    footer: list[str] = []
    if masked != message.text:
        footer.append(
            "🔒 " + _("Contact details were hidden: the marketplace forbids exchanging them.")
        )
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
    reply = keyboards.relay_reply(order.number, _).to_dict()
    out: list[Outgoing] = []
    for number, part in enumerate(parts, start=1):
        counter = f" ({number}/{len(parts)})" if len(parts) > 1 else ""
        last = number == len(parts)
        body = escape(part) + (escape(tail) if last else "")
        params: dict[str, Any] = {
            "chat_id": chat_id,
            "text": f"💬 <b>{escape(title + counter)}</b>\n{body.strip()}".strip(),
            "parse_mode": "HTML",
            "link_preview_options": {"is_disabled": True},
        }
        if last and not relayable:
            params["reply_markup"] = reply
        out.append(Outgoing("sendMessage", params))
    for index, attachment in enumerate(relayable, start=1):
        out.append(_attachment(attachment, index, len(relayable), title, order, chat_id, reply))
    return out


def _attachment(
    attachment: schemas.Attachment,
    index: int,
    count: int,
    title: str,
    order: Order,
    chat_id: int,
    reply: dict[str, Any],
) -> Outgoing:
    file_type = type_for_content_type(attachment.content_type)
    assert file_type is not None
    as_photo = send_as_photo(file_type, attachment.size)
    return Outgoing(
        "sendPhoto" if as_photo else "sendDocument",
        {
            "chat_id": chat_id,
            "caption": f"📎 <b>{escape(title)}</b> — {index}/{count}",
            "parse_mode": "HTML",
            "reply_markup": reply,
        },
        {
            "file_id": attachment.id,
            "filename": safe_filename(order.number, index, file_type),
            "content_type": file_type.content_type,
            "as": "photo" if as_photo else "document",
        },
    )
