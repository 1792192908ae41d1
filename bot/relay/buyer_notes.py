"""Telling a buyer what became of their files: what was covered in which, or why one was not
passed on to the seller.

A buyer speaks through the marketplace, so the bot answers there: a message on the order's
thread (``POST /v1/orders/{id}/messages``), queued as a marketplace outbox row of kind
:data:`FILE_NOTE` and delivered like a seller's reply (a kind of its own, so the board never
counts it as the seller answering, and the masker never reads it as the seller's words). Its
``Idempotency-Key`` names the buyer's message and the file: one note per file, however many of
the shop's accounts the file is relayed to and however often a send is tried again.

A file refused on arrival (a type the relay does not pass on) is noted in the event's own
transaction; a file is covered or refused when the Telegram outbox first loads it for an account
(:meth:`bot.relay.incoming.BuyerRelay.load_attachment`), and its note is committed then. The
note speaks the language the buyer writes in (:mod:`bot.domain.language`), English when that
says nothing; its words come from the presentation, through :class:`BuyerFileTexts`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.files import FileRefusal, FileType
from bot.domain.language import LATIN_LANGUAGE, written_language
from bot.domain.masking import ContactKind
from bot.marketplace import schemas
from storage import repositories
from storage.database import Database
from storage.models import MarketplaceOutbox, Order, OrderMessage

#: The marketplace outbox kind of a note to a buyer about their file.
FILE_NOTE = "file_note"
#: The language a buyer is written to when their own words do not tell.
DEFAULT_BUYER_LANGUAGE = LATIN_LANGUAGE
#: How many of the buyer's latest messages on the order may tell their language.
_LANGUAGE_FROM = 5
_KEY_LIMIT = 255


@dataclass(frozen=True, slots=True)
class FileNote:
    """Where a note about one of a buyer's files goes, and how it names the file."""

    order_id: str
    message_id: str
    file_id: str
    #: the name the buyer gave the file, and its place among the message's files (from 1)
    filename: str
    index: int
    locale: str

    @property
    def key(self) -> str:
        key = f"file-note-{self.message_id}-{self.file_id}"
        if len(key) <= _KEY_LIMIT:
            return key
        digest = hashlib.sha256(f"{self.message_id}\0{self.file_id}".encode()).hexdigest()
        return f"file-note-{digest}"

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> FileNote:
        return cls(**data)


class BuyerFileTexts(Protocol):
    def covered(self, note: FileNote, file_type: FileType, kinds: Sequence[ContactKind]) -> str:
        """What was covered in the buyer's file before the seller got it."""
        ...

    def refused(self, note: FileNote, reason: FileRefusal) -> str:
        """That the buyer's file was not passed on to the seller, and why."""
        ...


async def buyer_language(session: AsyncSession, message: schemas.Message, order: Order) -> str:
    """The language the buyer writes in: this message's, else their latest ones' on the order."""
    earlier = await session.scalars(
        select(OrderMessage.text)
        .where(
            OrderMessage.order_id == order.id,
            OrderMessage.author == "buyer",
            OrderMessage.id != message.id,
        )
        .order_by(OrderMessage.sent_at.desc())
        .limit(_LANGUAGE_FROM)
    )
    return written_language([message.text, *earlier.all()]) or DEFAULT_BUYER_LANGUAGE


class BuyerNotes:
    def __init__(
        self,
        db: Database,
        texts: BuyerFileTexts,
        *,
        wake_dispatcher: Callable[[], None] = lambda: None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._db = db
        self._texts = texts
        self._wake = wake_dispatcher
        self._clock = clock

    async def refused_on_arrival(
        self, session: AsyncSession, note: FileNote, reason: FileRefusal
    ) -> None:
        """Queue the note in the caller's transaction (the caller commits)."""
        if await _queue(session, note, self._texts.refused(note, reason), self._clock()):
            self._wake()

    async def covered(
        self, note: FileNote, file_type: FileType, kinds: Sequence[ContactKind]
    ) -> None:
        await self._commit(note, self._texts.covered(note, file_type, kinds))

    async def refused(self, note: FileNote, reason: FileRefusal) -> None:
        await self._commit(note, self._texts.refused(note, reason))

    async def _commit(self, note: FileNote, text: str) -> None:
        async with self._db.transaction() as session:
            queued = await _queue(session, note, text, self._clock())
            await session.commit()
        if queued:
            self._wake()


async def _queue(session: AsyncSession, note: FileNote, text: str, now: datetime) -> bool:
    """Add the note's outbox row unless its key is queued already; whether it was added."""
    row = MarketplaceOutbox(
        kind=FILE_NOTE,
        order_id=note.order_id,
        idempotency_key=note.key,
        payload={"text": text, "attachments": [], "uploaded": [], "notice": None},
        attempts=0,
        next_attempt_at=now,
        created_at=now,
    )
    # Another account's send may queue the same note at the same moment (see add_once).
    return await repositories.add_once(session, row)
