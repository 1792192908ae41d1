"""The durable outbox of bot messages that matter: sales, buyer messages, digests, answers.

A message is queued with :func:`enqueue` inside the transaction of the event that caused it, so
it exists exactly when the event does. :class:`TelegramSender` delivers it under Telegram's
limits: rows are claimed under a lease (``FOR UPDATE SKIP LOCKED`` on PostgreSQL) so several
processes share the work, and a chat's messages go out one after another in the order they were
queued. A crash between sending and recording may repeat that one message; none is ever lost.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections import defaultdict
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Bot, InlineKeyboardMarkup, InputFile, LinkPreviewOptions, Message
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError

from bot import metrics
from bot.delivery.rate_limit import ChatRateLimiter
from bot.delivery.worker import Worker
from bot.domain.files import FileRefused
from storage.database import Database
from storage.models import RelayLink, TelegramAccount, TelegramOutbox

log = logging.getLogger(__name__)

LEASE = timedelta(seconds=60)
MAX_BACKOFF = 300.0
MAX_REQUEST_ERRORS = 3


@dataclass(frozen=True, slots=True)
class LoadedAttachment:
    """An attachment's bytes as they may be sent, and whether anything in them was covered."""

    data: bytes
    covered: bool = False


#: Raises :class:`FileRefused` for a file that may not be sent (then the row's
#: ``refused_note``, when it has one, is sent in its place).
LoadAttachment = Callable[[Mapping[str, Any]], Awaitable[LoadedAttachment]]


def _now() -> datetime:
    return datetime.now(UTC)


def enqueue(
    session: AsyncSession,
    chat_id: int,
    method: str,
    params: dict[str, Any],
    *,
    dedupe_key: str | None = None,
    relay: dict[str, Any] | None = None,
    attachment: dict[str, Any] | None = None,
) -> TelegramOutbox:
    """Queue one Bot API call in the caller's transaction (the caller commits)."""
    now = _now()
    row = TelegramOutbox(
        chat_id=chat_id,
        payload={"method": method, "params": params, "relay": relay, "attachment": attachment},
        dedupe_key=dedupe_key,
        attempts=0,
        next_attempt_at=now,
        created_at=now,
    )
    session.add(row)
    return row


def outbox_row(
    chat_id: int, method: str, params: dict[str, Any], *, dedupe_key: str | None = None
) -> dict[str, Any]:
    """One outbox row as plain values, for :func:`enqueue_many`."""
    now = _now()
    return {
        "chat_id": chat_id,
        "payload": {"method": method, "params": params, "relay": None, "attachment": None},
        "dedupe_key": dedupe_key,
        "attempts": 0,
        "next_attempt_at": now,
        "created_at": now,
    }


async def enqueue_many(session: AsyncSession, rows: list[dict[str, Any]]) -> None:
    """Queue many messages in one statement, in the caller's transaction (the daily digest)."""
    if rows:
        # Core, not the ORM's bulk path: nothing here needs identity or events.
        connection = await session.connection()
        await connection.execute(insert(TelegramOutbox), rows)


async def already_queued(session: AsyncSession, dedupe_keys: Iterable[str]) -> set[str]:
    keys = list(dedupe_keys)
    if not keys:
        return set()
    found = await session.scalars(
        select(TelegramOutbox.dedupe_key).where(TelegramOutbox.dedupe_key.in_(keys))
    )
    return {key for key in found.all() if key}


def _seconds(value: float | timedelta) -> float:
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


class _Settle:
    """How a send ended, recorded in one transaction afterwards."""

    def __init__(
        self,
        *,
        sent: int | None = None,
        retry_in: float | None = None,
        failed: str | None = None,
        blocked: bool = False,
        error: str | None = None,
    ) -> None:
        self.sent, self.retry_in, self.failed = sent, retry_in, failed
        self.blocked, self.error = blocked, error


class TelegramSender:
    def __init__(
        self,
        db: Database,
        bot: Bot,
        *,
        limiter: ChatRateLimiter,
        load_attachment: LoadAttachment | None = None,
        batch: int = 200,
        lease: timedelta = LEASE,
    ) -> None:
        self._db = db
        self._bot = bot
        self._lease = lease
        self._limiter = limiter
        self.load_attachment = load_attachment
        self._batch = batch
        self._worker = Worker("telegram_outbox", self.drain_once)

    def wake(self) -> None:
        self._worker.wake()

    async def run(self, stop: asyncio.Event, idle: float = 1.0) -> None:
        await self._worker.run(stop, idle)

    async def drain(self, timeout: float = 30.0) -> int:
        """Send until nothing is due (or ``timeout``); returns how many rows were settled."""
        total, deadline = 0, time.monotonic() + timeout
        while time.monotonic() < deadline and (done := await self.drain_once()):
            total += done
        return total

    async def _claim(self) -> list[TelegramOutbox]:
        now = _now()
        # A chat's messages go out in order, and only the head of each chat's queue is claimed:
        # a row never waits in a chat's pacing long enough for its lease to run out (and another
        # process to send it too). The heads come from the index of unsettled rows, so a claim
        # costs the same however many messages are queued or were ever sent.
        heads = (
            select(func.min(TelegramOutbox.id))
            .where(TelegramOutbox.sent_at.is_(None), TelegramOutbox.failed_at.is_(None))
            .group_by(TelegramOutbox.chat_id)
        )
        query = (
            select(TelegramOutbox)
            .where(TelegramOutbox.id.in_(heads), TelegramOutbox.next_attempt_at <= now)
            .order_by(TelegramOutbox.id)
            .limit(self._batch)
        )
        if not self._db.is_sqlite:
            query = query.with_for_update(skip_locked=True)
        async with self._db.transaction() as session:
            rows = list((await session.scalars(query)).all())
            for row in rows:
                row.next_attempt_at = now + self._lease
            await session.commit()
        return rows

    async def drain_once(self) -> int:
        """Send what is due, each chat's messages one after another; returns rows settled."""
        rows = await self._claim()
        by_chat: dict[int, list[TelegramOutbox]] = defaultdict(list)
        for row in rows:
            by_chat[row.chat_id].append(row)
        settled = await asyncio.gather(
            *(self._send_chat(chat_rows) for chat_rows in by_chat.values())
        )
        return sum(settled)

    async def _send_chat(self, rows: list[TelegramOutbox]) -> int:
        settled = 0
        for row in rows:
            outcome = await self._send(row)
            await self._record(row, outcome)
            if outcome.sent is None and outcome.failed is None:
                break  # this chat waits; keep its later messages behind this one
            settled += 1
        return settled

    async def _send(self, row: TelegramOutbox) -> _Settle:
        payload = row.payload
        method = str(payload["method"])
        await self._limiter.acquire(row.chat_id)
        started = time.perf_counter()
        try:
            result = await self._call(method, dict(payload["params"]), payload.get("attachment"))
        except RetryAfter as exc:
            wait = _seconds(exc.retry_after)
            self._limiter.block(row.chat_id, wait)
            metrics.TELEGRAM_SENDS.labels(method, "retry_after").inc()
            return _Settle(retry_in=wait, error=str(exc))
        except Forbidden as exc:
            metrics.TELEGRAM_SENDS.labels(method, "forbidden").inc()
            return _Settle(failed=str(exc), blocked=True)
        except BadRequest as exc:
            if "message is not modified" in exc.message.lower():
                return _Settle(sent=0)
            metrics.TELEGRAM_SENDS.labels(method, "bad_request").inc()
            if row.attempts + 1 >= MAX_REQUEST_ERRORS:
                return _Settle(failed=str(exc))
            return _Settle(retry_in=_backoff(row.attempts), error=str(exc))
        except (NetworkError, TelegramError) as exc:
            metrics.TELEGRAM_SENDS.labels(method, "network").inc()
            return _Settle(retry_in=_backoff(row.attempts), error=f"{type(exc).__name__}: {exc}")
        except Exception as exc:  # a refused attachment or a malformed row: never retry forever
            log.warning("telegram outbox %s cannot be sent: %s", row.id, exc)
            metrics.TELEGRAM_SENDS.labels(method, "refused").inc()
            if row.attempts + 1 >= MAX_REQUEST_ERRORS:
                return _Settle(failed=f"{type(exc).__name__}: {exc}")
            return _Settle(retry_in=_backoff(row.attempts), error=f"{type(exc).__name__}: {exc}")
        metrics.TELEGRAM_SENDS.labels(method, "sent").inc()
        metrics.TELEGRAM_SECONDS.observe(time.perf_counter() - started)
        return _Settle(sent=result.message_id if isinstance(result, Message) else 0)

    async def _call(
        self, method: str, params: dict[str, Any], attachment: Mapping[str, Any] | None
    ) -> Any:
        bot = self._bot
        if isinstance(params.get("reply_markup"), dict):
            params["reply_markup"] = InlineKeyboardMarkup.de_json(params["reply_markup"], bot)
        if isinstance(params.get("link_preview_options"), dict):
            params["link_preview_options"] = LinkPreviewOptions(**params["link_preview_options"])
        if attachment is not None:
            if self.load_attachment is None:
                raise RuntimeError("no attachment loader configured")
            try:
                loaded = await self.load_attachment(attachment)
            except FileRefused:
                note = attachment.get("refused_note")
                if not note:
                    raise
                # The file is never sent unchecked: the chat gets one line in its place.
                return await bot.send_message(
                    chat_id=params["chat_id"],
                    text=str(note),
                    parse_mode=params.get("parse_mode"),
                    reply_markup=params.get("reply_markup"),
                )
            if loaded.covered and attachment.get("covered_note"):
                params["caption"] = f"{params.get('caption') or ''}\n{attachment['covered_note']}"
            upload = InputFile(loaded.data, filename=str(attachment.get("filename") or "file"))
            if attachment.get("as") == "photo":
                return await bot.send_photo(photo=upload, **params)
            return await bot.send_document(document=upload, **params)
        if method == "sendMessage":
            return await bot.send_message(**params)
        if method == "editMessageText":
            return await bot.edit_message_text(**params)
        if method == "sendDocument":
            return await bot.send_document(**params)
        if method == "sendPhoto":
            return await bot.send_photo(**params)
        raise ValueError(f"unsupported outbox method {method}")

    async def _record(self, claimed: TelegramOutbox, outcome: _Settle) -> None:
        now = _now()
        async with self._db.transaction() as session:
            row = await session.get(TelegramOutbox, claimed.id)
            if row is None or row.sent_at is not None:
                return
            row.attempts += 1
            if outcome.sent is not None:
                row.sent_at = now
                row.telegram_message_id = outcome.sent or None
                relay = row.payload.get("relay")
                if relay and outcome.sent:
                    session.add(
                        RelayLink(
                            chat_id=row.chat_id,
                            telegram_message_id=outcome.sent,
                            order_id=relay["order_id"],
                            marketplace_message_id=relay.get("marketplace_message_id"),
                            created_at=now,
                        )
                    )
            elif outcome.failed is not None:
                row.failed_at = now
                row.last_error = outcome.failed[:2000]
                if outcome.blocked:
                    await session.execute(
                        update(TelegramAccount)
                        .where(TelegramAccount.chat_id == row.chat_id)
                        .values(active=False, blocked_at=now)
                    )
                    log.info("chat %s blocked the bot; its link is deactivated", row.chat_id)
            else:
                row.last_error = (outcome.error or "")[:2000]
                row.next_attempt_at = now + timedelta(seconds=outcome.retry_in or 1.0)
            await session.commit()


def _backoff(attempts: int) -> float:
    base = min(2.0 ** min(attempts, 10), MAX_BACKOFF)
    return base * (0.5 + random.random() / 2)
