"""Seller → buyer: a reply queued with its files, then delivered to the marketplace.

:meth:`Replies.queue` commits one marketplace outbox row of kind ``"message"`` (the masked text
and the Telegram file ids of the attachments, with their safe names and types) in one
transaction. The Telegram message that caused it names the row's ``Idempotency-Key``, so the
same update handled twice queues one reply.

:meth:`Replies.deliver` is the dispatcher's ``"message"`` kind: it downloads each file from
Telegram, reads and covers it again (:mod:`bot.relay.files`), uploads it with ``POST /v1/files``
under a key derived from the row's (``<key>:file:<n>``), keeps the attachment ids in the row so
a retry does not upload twice, and then posts ``POST /v1/orders/{id}/messages`` with the row's
own key. An outage raises :class:`MarketplaceUnavailable`, so the row waits and is tried again:
a reply is delayed, never lost. The seller's "⏳" notice is edited once the marketplace has
answered.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from html import escape
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from telegram.error import BadRequest, NetworkError, RetryAfter, TelegramError

from bot.delivery.telegram_outbox import enqueue
from bot.domain.files import MARKETPLACE_UPLOAD_LIMIT, FileRefusal, FileRefused, check_size
from bot.i18n import translator
from bot.marketplace import (
    Marketplace,
    MarketplaceError,
    MarketplaceUnavailable,
)
from bot.relay.earlier import SELLER_MESSAGE, earlier_seller_texts
from bot.relay.files import FileChecker
from bot.sync.marketplace_outbox import Record
from bot.sync.orders import Notice, permitted_order
from bot.team.roles import Permission
from storage.database import Database
from storage.models import MarketplaceOutbox, Order

log = logging.getLogger(__name__)

KIND = SELLER_MESSAGE

Download = Callable[[str], Awaitable[bytes]]


@dataclass(frozen=True, slots=True)
class OutgoingFile:
    """A seller's file: where Telegram keeps it, and what the buyer will see it as."""

    telegram_file_id: str
    filename: str
    content_type: str

    def to_json(self) -> dict[str, str]:
        return {
            "telegram_file_id": self.telegram_file_id,
            "filename": self.filename,
            "content_type": self.content_type,
        }


class AlreadyQueued(Exception):
    """This Telegram message was queued for the buyer before."""


class Replies:
    def __init__(
        self,
        db: Database,
        marketplace: Marketplace,
        download: Download,
        files: FileChecker,
        *,
        wake_dispatcher: Callable[[], None] = lambda: None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._db = db
        self._marketplace = marketplace
        self._download = download
        self._files = files
        self._wake = wake_dispatcher
        self._clock = clock

    async def writable(
        self, seller_id: str, number: str, *, actor_telegram_id: int | None
    ) -> Order:
        """The order, if the account may write to its buyer (raises otherwise)."""
        async with self._db.snapshot() as session:
            return await permitted_order(
                session, seller_id, number, Permission.WRITE_TO_BUYERS, actor_telegram_id
            )

    async def earlier_texts(self, order_id: str) -> list[str]:
        """The seller's last messages to the order's buyer, oldest first, as the buyer got them."""
        async with self._db.snapshot() as session:
            return await earlier_seller_texts(session, order_id, self._clock())

    async def queue(
        self,
        seller_id: str,
        number: str,
        text: str,
        files: Sequence[OutgoingFile],
        *,
        source: str,
        notice: Notice | None,
        actor_telegram_id: int | None = None,
    ) -> None:
        """Queue the reply for the buyer of order ``number``; ``source`` names the Telegram
        message it came from and makes the row's ``Idempotency-Key``.

        Only an owner writes to buyers: a staff account gets
        :class:`bot.team.roles.NotAllowed` and nothing is queued.
        """
        now = self._clock()
        try:
            async with self._db.transaction() as session:
                order = await permitted_order(
                    session, seller_id, number, Permission.WRITE_TO_BUYERS, actor_telegram_id
                )
                session.add(
                    MarketplaceOutbox(
                        kind=KIND,
                        order_id=order.id,
                        idempotency_key=f"message-{source}",
                        payload={
                            "number": order.number,
                            "text": text,
                            "attachments": [file.to_json() for file in files],
                            "uploaded": [],
                            "notice": _notice_json(notice),
                        },
                        attempts=0,
                        next_attempt_at=now,
                        created_at=now,
                    )
                )
                await session.commit()
        except IntegrityError as exc:
            raise AlreadyQueued(source) from exc
        self._wake()

    async def deliver(self, claimed: MarketplaceOutbox, now: datetime) -> Record:
        """Upload the files, then post the message, each under its idempotency key.

        Runs with no transaction open. Each stored file's id is written to the row at once, so
        a retry after an outage neither downloads nor uploads that file again; an upload whose
        answer was lost is repeated under the same key and the marketplace answers with the file
        it already stored.
        """
        payload: dict[str, Any] = dict(claimed.payload)
        refused: Exception | None = None
        try:
            uploaded: list[str] = list(payload.get("uploaded") or [])
            for index, file in enumerate(payload["attachments"]):
                if index < len(uploaded):
                    continue
                data = await self._fetch(file["telegram_file_id"])
                # Checked again here: the file in Telegram is the seller's original.
                scanned = await self._files.check(data)
                check_size(len(scanned.data), MARKETPLACE_UPLOAD_LIMIT)
                stored = await self._marketplace.upload_file(
                    file["filename"],
                    scanned.content_type,
                    scanned.data,
                    idempotency_key=f"{claimed.idempotency_key}:file:{index + 1}",
                )
                uploaded.append(stored.id)
                await self._remember_uploads(claimed.id, uploaded)
            await self._marketplace.send_message(
                claimed.order_id, payload["text"], uploaded, idempotency_key=claimed.idempotency_key
            )
        except MarketplaceUnavailable:
            raise
        except (MarketplaceError, FileRefused) as exc:
            refused = exc

        async def record(session: AsyncSession, row: MarketplaceOutbox, at: datetime) -> None:
            if refused is not None:
                row.failed_at = at
                row.last_error = f"{type(refused).__name__}: {refused}"[:2000]
                log.info("outbox %s: the reply was refused: %s", row.id, row.last_error)
            self._tell(session, row, refused=refused)

        return record

    async def _remember_uploads(self, row_id: int, uploaded: list[str]) -> None:
        async with self._db.transaction() as session:
            row = await session.get(MarketplaceOutbox, row_id)
            if row is not None:
                row.payload = {**row.payload, "uploaded": list(uploaded)}
                await session.commit()

    async def _fetch(self, file_id: str) -> bytes:
        """The file's bytes from Telegram; a Telegram hiccup waits like a marketplace outage."""
        try:
            return await self._download(file_id)
        except RetryAfter as exc:
            raise MarketplaceUnavailable(
                f"telegram download: {exc}", retry_after=_seconds(exc.retry_after)
            ) from exc
        except BadRequest as exc:
            raise FileRefused(FileRefusal.UNREADABLE, f"Telegram: {exc.message}") from exc
        except (NetworkError, TelegramError) as exc:
            raise MarketplaceUnavailable(f"telegram download: {exc}") from exc

    def _tell(
        self, session: AsyncSession, row: MarketplaceOutbox, *, refused: Exception | None
    ) -> None:
        """Edit the seller's "⏳" notice to say what the marketplace answered."""
        notice = row.payload.get("notice")
        if not notice:
            return
        _ = translator(notice["locale"])
        number = row.payload.get("number", "")
        if refused is None:
            text = _("✅ Sent to the buyer of order {number}.").format(number=number)
        elif isinstance(refused, FileRefused) and refused.reason is FileRefusal.UNCHECKED:
            text = _(
                "⛔ Your message to the buyer of order {number} was not sent: a file could "
                "not be checked for contact details in time. Send it again."
            ).format(number=number)
        elif isinstance(refused, FileRefused):
            text = _(
                "⛔ Your message to the buyer of order {number} was not sent: a file could "
                "no longer be read from Telegram. Send it again."
            ).format(number=number)
        else:
            detail = getattr(refused, "detail", None) or str(refused)
            text = _(
                "⛔ The marketplace refused your message to the buyer of order {number}: "
                "{detail}\nNothing was sent. Change the message and send it again."
            ).format(number=number, detail=detail)
        enqueue(
            session,
            notice["chat_id"],
            "editMessageText",
            {
                "chat_id": notice["chat_id"],
                "message_id": notice["message_id"],
                "text": escape(text),
                "parse_mode": "HTML",
            },
            dedupe_key=f"message-notice:{row.id}",
        )


def _seconds(value: object) -> float | None:
    if isinstance(value, int | float):
        return float(value)
    total = getattr(value, "total_seconds", None)
    return float(total()) if callable(total) else None


def _notice_json(notice: Notice | None) -> dict[str, object] | None:
    if notice is None:
        return None
    return {"chat_id": notice.chat_id, "message_id": notice.message_id, "locale": notice.locale}


async def telegram_download(bot: Any, file_id: str) -> bytes:
    """Download a file the seller sent to the bot (Telegram serves bots files up to 20 MB)."""
    telegram_file = await bot.get_file(file_id)
    return bytes(await telegram_file.download_as_bytearray())
