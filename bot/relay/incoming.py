"""Buyer → seller: a ``message.created`` event becomes bot messages to every account of the seller.

Given to ``EventProcessor`` as its ``on_buyer_message`` hook, so everything is queued in the
Telegram outbox inside the event's own transaction, with dedupe keys (a replayed event relays
nothing twice) and with ``relay=`` so each sent Telegram message is recorded in ``RelayLink``
and a Telegram reply to it finds its way back to the buyer.

What the seller gets: a header naming the order and the buyer's alias, the text with contact
details hidden (also the rest of one begun in the buyer's last messages: ``bot.relay.earlier``),
split over several messages when long, then each attachment as a photo or a document with a
"Reply" button. Attachments are fetched from the marketplace only when the outbox sends them
(:meth:`BuyerRelay.load_attachment`), read in the scanning pool (:mod:`bot.relay.files`, once
for all the shop's accounts) and rebuilt from their pixels with contact details covered, under
names like ``order-100234-photo-1.jpg``; a covered file's caption carries the text relay's note,
and a file that is refused is replaced by one line saying why. Files whose declared type is not
on the allow-list are not relayed; the seller is told how many there were. While the
marketplace is down an attachment waits in the outbox (a network error to the sender, which
retries it); a file whose bytes are not what was declared is refused and never sent.

The buyer is told on the order's thread what was covered in which of their files, and which
were not passed on and why (:mod:`bot.relay.buyer_notes`).

Texts about one order that wait for the same chat go out as one message (``Outgoing.said``, the
outbox's coalescing); files always go one by one.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any, Protocol

from sqlalchemy.ext.asyncio import AsyncSession
from telegram.error import NetworkError

from bot.delivery.notify import Recipient, SellerDefaults, recipient_for, silent_now
from bot.delivery.telegram_outbox import LoadedAttachment, already_queued, enqueue
from bot.domain.files import FileRefusal, FileRefused, type_for_content_type
from bot.marketplace import Marketplace, MarketplaceUnavailable, schemas
from bot.relay.buyer_notes import BuyerNotes, FileNote, buyer_language
from bot.relay.earlier import masked_buyer_text
from bot.relay.files import FileChecker
from storage import repositories
from storage.models import Order

#: how the coalescing kind of relayed buyer messages begins (a digest of the order's id follows)
BUYER_MESSAGES = "buyer:"


def buyer_messages_kind(order_id: str) -> str:
    """Buyer messages about one order that wait for one chat go out as one message; the order's
    id is hashed to fit the outbox's kind."""
    return BUYER_MESSAGES + hashlib.blake2b(order_id.encode(), digest_size=12).hexdigest()


@dataclass(frozen=True, slots=True)
class Outgoing:
    """One Bot API call for one chat, before it is queued; ``said``: what a text says, for one
    message with the others about the same order waiting with it (None: it goes alone)."""

    method: str
    params: dict[str, Any]
    attachment: dict[str, Any] | None = None
    said: dict[str, Any] | None = None


class RenderBuyerMessage(Protocol):
    def __call__(
        self, message: schemas.Message, order: Order, masked: str, to: Recipient, chat_id: int
    ) -> list[Outgoing]:
        """The messages one seller account gets for one buyer message, in sending order."""
        ...


class BuyerRelay:
    def __init__(
        self,
        marketplace: Marketplace,
        defaults: SellerDefaults,
        render: RenderBuyerMessage,
        files: FileChecker,
        notes: BuyerNotes | None = None,
    ) -> None:
        """``notes``: how buyers are told about their files (None: they are not)."""
        self._marketplace = marketplace
        self._files = files
        self._notes = notes
        self._defaults = defaults
        self._render = render

    async def on_buyer_message(
        self, session: AsyncSession, message: schemas.Message, order: Order
    ) -> None:
        """Queue the buyer's message for every account linked to the order's seller."""
        seller = await repositories.seller(session, order.seller_id)
        silent = silent_now(seller, self._defaults, None)
        masked = (await masked_buyer_text(session, message, order)).text
        relay = {"order_id": order.id, "marketplace_message_id": message.id}
        kind = buyer_messages_kind(order.id)
        accounts = await repositories.seller_accounts(session, order.seller_id)
        notes = await self._file_notes(session, message, order) if accounts else {}
        for account in accounts:
            to = recipient_for(account, seller, self._defaults)
            outgoing = [
                _with_note(out, notes)
                for out in self._render(message, order, masked, to, account.chat_id)
            ]
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
                    {**out.params, "disable_notification": True} if silent else out.params,
                    dedupe_key=key,
                    relay=relay,
                    attachment=out.attachment,
                    coalesce=None if out.said is None else (kind, {**out.said, "silent": silent}),
                )
                done.add(key)

    async def load_attachment(self, attachment: Mapping[str, Any]) -> LoadedAttachment:
        """The attachment from the marketplace, read in the scanning pool and covered."""
        try:
            data = await self._marketplace.download_file(str(attachment["file_id"]))
        except MarketplaceUnavailable as exc:
            # The outbox retries a network error without limit: an outage delays the file.
            raise NetworkError(f"marketplace unavailable: {exc}") from exc
        note = attachment.get("buyer_note")
        try:
            scanned = await self._files.check(data)
            if scanned.content_type != attachment.get("content_type"):
                # Declared one type, is another: judged by the bytes, refused as forged.
                declared = attachment.get("content_type")
                raise FileRefused(FileRefusal.NOT_ALLOWED, f"declared {declared}")
        except FileRefused as refused:
            if self._notes is not None and note:
                await self._notes.refused(FileNote.from_json(note), refused.reason)
            raise
        if self._notes is not None and note and scanned.covered:
            await self._notes.covered(FileNote.from_json(note), scanned.file_type, scanned.covered)
        return LoadedAttachment(scanned.data, covered=bool(scanned.covered))

    async def _file_notes(
        self, session: AsyncSession, message: schemas.Message, order: Order
    ) -> dict[str, FileNote]:
        """Where to tell the buyer about each relayed file, by its id; the files the relay does
        not pass on are noted at once."""
        if self._notes is None or message.author != "buyer" or not message.attachments:
            return {}
        locale = await buyer_language(session, message, order)
        notes: dict[str, FileNote] = {}
        for index, attachment in enumerate(message.attachments, start=1):
            note = FileNote(order.id, message.id, attachment.id, attachment.filename, index, locale)
            if type_for_content_type(attachment.content_type) is None:
                await self._notes.refused_on_arrival(session, note, FileRefusal.NOT_ALLOWED)
            else:
                notes[attachment.id] = note
        return notes


def _with_note(out: Outgoing, notes: Mapping[str, FileNote]) -> Outgoing:
    """``out`` with where to tell the buyer about its file, when it carries one of theirs."""
    if out.attachment is None or out.attachment.get("file_id") not in notes:
        return out
    note = notes[out.attachment["file_id"]]
    return replace(out, attachment={**out.attachment, "buyer_note": note.to_json()})
