"""The durable outbox of bot messages that matter: sales, buyer messages, digests, answers.

A message is queued with :func:`enqueue` inside the transaction of the event that caused it, so
it exists exactly when the event does. :class:`TelegramSender` delivers it under Telegram's
limits: rows are claimed under a lease (``FOR UPDATE SKIP LOCKED`` on PostgreSQL) so several
processes share the work, and a chat's messages go out one after another in the order they were
queued. A crash between sending and recording may repeat that one message; none is ever lost.

Messages queued with a ``coalesce`` kind (sales; texts from a buyer about one order) that are
waiting together for one chat go out as one message, rendered by the ``combine`` function the
composition root hands in. A summary (kind :data:`SUMMARY`: the daily digest, the weekly card)
is never combined, and such a message also carries its kind's messages queued after a waiting
summary, which then goes next.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Bot, InlineKeyboardMarkup, InputFile, LinkPreviewOptions, Message
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError
from telegram.ext import ExtBot

from bot import metrics
from bot.delivery.answers_first import PACED
from bot.delivery.outbox_claims import claim_heads, going_with
from bot.delivery.outbox_settle import Settle, record
from bot.delivery.rate_limit import ChatRateLimiter
from bot.delivery.worker import Worker
from bot.domain.files import FileRefused
from storage.database import Database
from storage.models import TelegramOutbox

log = logging.getLogger(__name__)

LEASE = timedelta(seconds=60)
#: while the bot is behind (stored events wait to be processed), a round of sends sends this
#: many messages at most and lasts a second at least: the events go first, and what they queue
#: for a chat goes out in fewer, longer messages
BEHIND_SENDS_PER_SECOND = 15
MAX_BACKOFF = 300.0
MAX_REQUEST_ERRORS = 3


@dataclass(frozen=True, slots=True)
class LoadedAttachment:
    """An attachment's bytes as they may be sent, and whether anything in them was covered."""

    data: bytes
    covered: bool = False


#: Raises :class:`FileRefused` for a file that may not be sent (then the row's line for that
#: reason in ``refused_notes``, else its ``refused_note``, when it has one, is sent in its place).
LoadAttachment = Callable[[Mapping[str, Any]], Awaitable[LoadedAttachment]]
#: Renders waiting messages of one kind for one chat as one: (kind, chat id, what each one
#: said) -> (the sendMessage parameters, how many of them it holds, from the first).
Combine = Callable[[str, int, Sequence[Mapping[str, Any]]], tuple[dict[str, Any], int]]


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
    coalesce: tuple[str, dict[str, Any]] | None = None,
) -> TelegramOutbox:
    """Queue one Bot API call in the caller's transaction (the caller commits).

    ``coalesce`` is (kind, what to say): when several messages of that kind wait for the chat,
    they go out as one message made from what each says.
    """
    now = _now()
    payload = {"method": method, "params": params, "relay": relay, "attachment": attachment}
    if coalesce is not None:
        payload["coalesce"] = coalesce[1]
    row = TelegramOutbox(
        chat_id=chat_id,
        payload=payload,
        coalesce_kind=coalesce[0] if coalesce else None,
        dedupe_key=dedupe_key,
        attempts=0,
        next_attempt_at=now,
        created_at=now,
    )
    session.add(row)
    return row


def outbox_row(
    chat_id: int,
    method: str,
    params: dict[str, Any],
    *,
    dedupe_key: str | None = None,
    coalesce: tuple[str, dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """One outbox row as plain values, for :func:`enqueue_many` (``coalesce`` as in enqueue)."""
    now = _now()
    payload = {"method": method, "params": params, "relay": None, "attachment": None}
    if coalesce is not None:
        payload["coalesce"] = coalesce[1]
    return {
        "chat_id": chat_id,
        "payload": payload,
        "dedupe_key": dedupe_key,
        "coalesce_kind": coalesce[0] if coalesce else None,
        "attempts": 0,
        "next_attempt_at": now,
        "created_at": now,
    }


async def enqueue_many(session: AsyncSession, rows: list[dict[str, Any]]) -> None:
    """Queue many messages in one statement, in the caller's transaction (the daily digest, a
    batch of events)."""
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


class TelegramSender:
    def __init__(
        self,
        db: Database,
        bot: Bot,
        *,
        limiter: ChatRateLimiter,
        load_attachment: LoadAttachment | None = None,
        combine: Combine | None = None,
        owner: str | None = None,
        batch: int = 200,
        lease: timedelta = LEASE,
        behind: Callable[[], bool] = lambda: False,
    ) -> None:
        self._db = db
        self._bot = bot
        self._lease = lease
        self._limiter = limiter
        self.load_attachment = load_attachment
        self._combine = combine
        self.owner = owner
        self._batch = batch
        self._behind = behind
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

    async def drain_once(self) -> int:
        """Send the head of every chat's queue, chats side by side; returns rows settled.

        While the bot is behind, fewer chats a round, and a round lasts a second at least."""
        behind = self._behind()
        started = time.monotonic()
        batch = min(self._batch, BEHIND_SENDS_PER_SECOND) if behind else self._batch
        heads = await claim_heads(self._db, self.owner, self._lease, batch)
        settled = sum(await asyncio.gather(*(self._send_chat(head) for head in heads)))
        if behind and heads:
            await asyncio.sleep(max(0.0, started + 1.0 - time.monotonic()))
        return settled

    async def _send_chat(self, head: TelegramOutbox) -> int:
        async with self._limiter.sending(head.chat_id):
            behind = await going_with(self._db, head, self.owner)
            if behind is None:
                log.warning(
                    "telegram outbox %s was taken over while this process was stuck", head.id
                )
                return 0
            # The chat's turn has come: whatever of the same kind queued up meanwhile goes.
            group = [head.id] + ([row.id for row in behind] if self._combine else [])
            payload = head.payload
            if len(group) > 1:
                assert self._combine is not None and head.coalesce_kind is not None
                params, held = self._combine(
                    head.coalesce_kind,
                    head.chat_id,
                    [head.payload["coalesce"], *(row.said for row in behind)],
                )
                group = group[: max(1, min(held, len(group)))]
                if len(group) > 1:
                    payload = {"method": "sendMessage", "params": params}
            outcome = await self._send(head, payload)
        await record(self._db, head, group, outcome, owner=self.owner)
        return len(group) if outcome.sent is not None or outcome.failed is not None else 0

    async def _send(self, row: TelegramOutbox, payload: Mapping[str, Any]) -> Settle:
        method = str(payload["method"])
        started = time.perf_counter()
        try:
            result = await self._call(method, dict(payload["params"]), payload.get("attachment"))
        except RetryAfter as exc:
            wait = _seconds(exc.retry_after)
            self._limiter.block(row.chat_id, wait)
            metrics.TELEGRAM_SENDS.labels(method, "retry_after").inc()
            return Settle(retry_in=wait, error=str(exc))
        except Forbidden as exc:
            metrics.TELEGRAM_SENDS.labels(method, "forbidden").inc()
            return Settle(failed=str(exc), blocked=True)
        except BadRequest as exc:
            if "message is not modified" in exc.message.lower():
                return Settle(sent=0)
            metrics.TELEGRAM_SENDS.labels(method, "bad_request").inc()
            if row.attempts + 1 >= MAX_REQUEST_ERRORS:
                return Settle(failed=str(exc))
            return Settle(retry_in=_backoff(row.attempts), error=str(exc))
        except (NetworkError, TelegramError) as exc:
            metrics.TELEGRAM_SENDS.labels(method, "network").inc()
            return Settle(retry_in=_backoff(row.attempts), error=f"{type(exc).__name__}: {exc}")
        except Exception as exc:  # a refused attachment or a malformed row: never retry forever
            log.warning("telegram outbox %s cannot be sent: %s", row.id, exc)
            metrics.TELEGRAM_SENDS.labels(method, "refused").inc()
            if row.attempts + 1 >= MAX_REQUEST_ERRORS:
                return Settle(failed=f"{type(exc).__name__}: {exc}")
            return Settle(retry_in=_backoff(row.attempts), error=f"{type(exc).__name__}: {exc}")
        metrics.TELEGRAM_SENDS.labels(method, "sent").inc()
        metrics.TELEGRAM_SECONDS.observe(time.perf_counter() - started)
        return Settle(sent=result.message_id if isinstance(result, Message) else 0)

    async def _call(
        self, method: str, params: dict[str, Any], attachment: Mapping[str, Any] | None
    ) -> Any:
        bot = self._bot
        if isinstance(bot, ExtBot):
            params["rate_limit_args"] = PACED  # its place was taken in _send_chat
        if isinstance(params.get("reply_markup"), dict):
            params["reply_markup"] = InlineKeyboardMarkup.de_json(params["reply_markup"], bot)
        if isinstance(params.get("link_preview_options"), dict):
            params["link_preview_options"] = LinkPreviewOptions(**params["link_preview_options"])
        if attachment is not None:
            if self.load_attachment is None:
                raise RuntimeError("no attachment loader configured")
            try:
                loaded = await self.load_attachment(attachment)
            except FileRefused as refused:
                because = attachment.get("refused_notes") or {}
                note = because.get(refused.reason.value) or attachment.get("refused_note")
                if not note:
                    raise
                # The file is never sent unchecked: the chat gets one line in its place.
                instead: dict[str, Any] = {
                    "chat_id": params["chat_id"],
                    "text": str(note),
                    "parse_mode": params.get("parse_mode"),
                    "reply_markup": params.get("reply_markup"),
                }
                if "rate_limit_args" in params:
                    instead["rate_limit_args"] = params["rate_limit_args"]
                return await bot.send_message(**instead)
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


def _backoff(attempts: int) -> float:
    base = min(2.0 ** min(attempts, 10), MAX_BACKOFF)
    return base * (0.5 + random.random() / 2)
