"""What the loopback Bot API keeps: bot messages, stored files, flood limits, injected faults."""

from __future__ import annotations

import dataclasses
import math
import time
from collections import defaultdict, deque
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from testkit.telegram_stub_api import BotApi


class ApiError(Exception):
    """A Bot API error answer: ``{"ok": false, "error_code": code, "description": ...}``."""

    def __init__(self, code: int, description: str, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.code, self.description, self.retry_after = code, description, retry_after


def bad_request(reason: str) -> ApiError:
    return ApiError(400, f"Bad Request: {reason}")


@dataclass
class BotMessage:
    """A message the bot sent (or one version of it after an edit), as the chat shows it.

    ``text`` is the text or caption exactly as the bot sent it (HTML tags and all);
    ``plain_text`` and ``entities`` are what Telegram made of it.
    """

    message_id: int
    chat_id: int
    method: str
    text: str | None = None
    parse_mode: str | None = None
    reply_markup: dict[str, Any] | None = None
    reply_to_message_id: int | None = None
    photo: bytes | None = None
    document: bytes | None = None
    filename: str | None = None
    mime_type: str | None = None
    file_id: str | None = None
    edited: bool = False
    date: int = field(default_factory=lambda: int(time.time()))
    date_monotonic: float = field(default_factory=time.monotonic)
    plain_text: str | None = None
    entities: list[dict[str, Any]] = field(default_factory=list)
    media_group_id: str | None = None
    #: the texts this message had before each edit, oldest first
    history: tuple[str | None, ...] = ()
    deleted: bool = False
    #: content copied or forwarded as is (a sticker, a contact, forward_origin, ...)
    extra: dict[str, Any] = field(default_factory=dict)
    #: every parameter of the call that made this version, decoded
    params: dict[str, Any] = field(default_factory=dict, repr=False)

    @property
    def caption(self) -> str | None:
        return self.text if self.photo is not None or self.document is not None else None

    @property
    def buttons(self) -> list[tuple[str, str | None]]:
        """Inline buttons, row by row: (text, callback_data), None for a URL button."""
        rows = (self.reply_markup or {}).get("inline_keyboard", [])
        return [(b["text"], b.get("callback_data")) for row in rows for b in row]

    @property
    def button_texts(self) -> list[str]:
        return [text for text, _ in self.buttons]

    @property
    def urls(self) -> list[str]:
        """Links the message carries: URL buttons and ``<a href>`` links."""
        rows = (self.reply_markup or {}).get("inline_keyboard", [])
        links = [str(b["url"]) for row in rows for b in row if "url" in b]
        return links + [str(e["url"]) for e in self.entities if e["type"] == "text_link"]

    def edited_copy(self, **changes: Any) -> BotMessage:
        return dataclasses.replace(
            self,
            edited=True,
            history=(*self.history, self.text),
            date_monotonic=time.monotonic(),
            **changes,
        )

    def as_dict(self, api: BotApi) -> dict[str, Any]:
        """The Bot API ``Message`` object for this message."""
        return api.render(self)


@dataclass(frozen=True)
class StoredFile:
    """A file Telegram holds: uploaded by the bot or sent by a user."""

    file_id: str
    kind: str
    data: bytes
    filename: str | None = None
    mime_type: str | None = None
    width: int = 0
    height: int = 0

    @property
    def file_unique_id(self) -> str:
        return f"u{self.file_id}"

    @property
    def file_path(self) -> str:
        suffix = (self.filename or "").rpartition(".")[2] if "." in (self.filename or "") else ""
        return f"{self.kind}s/{self.file_id}" + (f".{suffix}" if suffix else "")

    def photo_sizes(self) -> list[dict[str, Any]]:
        """A thumbnail and the full size, as Telegram lists a photo's sizes."""
        full = {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "width": self.width,
            "height": self.height,
            "file_size": len(self.data),
        }
        scale = min(1.0, 90 / max(self.width, self.height, 1))
        thumb = {
            **full,
            "file_id": f"{self.file_id}-s",
            "file_unique_id": f"{self.file_unique_id}-s",
            "width": max(1, round(self.width * scale)),
            "height": max(1, round(self.height * scale)),
        }
        return [thumb, full]

    def document(self) -> dict[str, Any]:
        document: dict[str, Any] = {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_size": len(self.data),
        }
        if self.filename:
            document["file_name"] = self.filename
        if self.mime_type:
            document["mime_type"] = self.mime_type
        return document


@dataclass(frozen=True, slots=True)
class Limits:
    """Telegram's flood limits: messages per second overall, per chat with a small burst,
    and per group per minute."""

    global_per_second: int = 30
    per_chat_per_second: float = 1.0
    per_chat_burst: int = 3
    per_group_per_minute: int = 20


@dataclass
class Stats:
    """What the stub counted; ``per_chat`` keeps each chat's new message texts in order."""

    sent: int = 0
    edits: int = 0
    too_many_requests: int = 0
    forbidden: int = 0
    injected_faults: int = 0
    per_chat: dict[int, list[str]] = field(default_factory=lambda: defaultdict(list))


class FloodControl:
    """Sliding windows over sent messages; refuses with the seconds until a slot frees."""

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self._global: deque[float] = deque()
        self._chats: dict[int, deque[float]] = defaultdict(deque)

    def admit(self, chat_id: int, count: int = 1) -> int | None:
        """Record ``count`` messages to ``chat_id`` now, or return retry_after and record none."""
        now = time.monotonic()
        limits = self.limits
        windows = [(self._global, 1.0, limits.global_per_second)]
        if chat_id < 0:
            windows.append((self._chats[chat_id], 60.0, limits.per_group_per_minute))
        else:
            span = limits.per_chat_burst / limits.per_chat_per_second
            windows.append((self._chats[chat_id], span, limits.per_chat_burst))
        wait = 0.0
        for window, span, allowed in windows:
            while window and now - window[0] >= span:
                window.popleft()
            if len(window) + count > allowed:
                index = min(len(window) + count - allowed, len(window)) - 1
                wait = max(wait, window[index] + span - now if window else span)
        if wait > 0:
            return max(1, math.ceil(wait))
        for window, _, _ in windows:
            window.extend([now] * count)
        return None


@dataclass(frozen=True)
class Fault:
    """How one call fails: an error answer, or a connection closed without one.

    ``applied`` makes the call take effect first, so only its answer is lost, as when Telegram
    sent the message but the bot never heard back.
    """

    status: int = 500
    description: str = "Internal Server Error"
    drop: bool = False
    applied: bool = False
    retry_after: int | None = None
