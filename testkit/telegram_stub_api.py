"""The Bot API methods of the loopback stand-in, without HTTP: chats, messages, files, buttons.

:class:`BotApi` keeps what Telegram would keep (every message per chat, with one message id
counter per private chat shared by the user and the bot; uploaded files; command menus; button
presses waiting for an answer) and refuses what Telegram refuses with the same descriptions.
"""

from __future__ import annotations

import asyncio
import itertools
import time
from collections import defaultdict
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from testkit.telegram_stub_formatting import FormattingError, check_markup, parse_html, strip
from testkit.telegram_stub_records import BotMessage, StoredFile, bad_request

if TYPE_CHECKING:
    from testkit.telegram_stub_users import StubUser


def as_int(value: Any) -> int | None:
    if value is None or value == "":
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        raise bad_request(f"invalid integer value {value!r}") from None


def as_bool(value: Any) -> bool:
    return value is True or str(value).lower() == "true"


class BotApi:
    """Telegram's side of a bot's chats. Methods are ``_m_<name>(params)``."""

    def __init__(self, token: str, username: str = "chopni_test_bot") -> None:
        self.token = token
        self.bot_id = int(token.split(":")[0])
        self.username = username
        self.commands: dict[tuple[str, str], list[dict[str, Any]]] = {}
        self.menu_buttons: dict[int | None, dict[str, Any]] = {}
        self.reactions: dict[tuple[int, int], list[dict[str, Any]]] = {}
        self.pinned: dict[int, list[int]] = defaultdict(list)
        self.chat_actions: list[tuple[int, str]] = []
        self._users: dict[int, StubUser] = {}
        self._message_ids: dict[int, itertools.count[int]] = defaultdict(lambda: itertools.count(1))
        self._messages: dict[tuple[int, int], BotMessage] = {}
        self._user_messages: dict[tuple[int, int], dict[str, Any]] = {}
        self._events: dict[int, list[BotMessage]] = defaultdict(list)
        self._queries: dict[str, int] = {}
        self._answers: dict[int, list[dict[str, Any]]] = defaultdict(list)
        self._files: dict[str, StoredFile] = {}
        self._file_ids = itertools.count(1)
        self._changed = asyncio.Condition()

    # -- shared state -------------------------------------------------------------------------

    def next_message_id(self, chat_id: int) -> int:
        return next(self._message_ids[chat_id])

    def store_file(
        self,
        data: bytes,
        filename: str | None = None,
        mime_type: str | None = None,
        kind: str = "document",
        size: tuple[int, int] = (0, 0),
    ) -> str:
        file_id = f"{kind}-{next(self._file_ids)}"
        self._files[file_id] = StoredFile(file_id, kind, data, filename, mime_type, *size)
        return file_id

    def file(self, file_id: str) -> StoredFile:
        return self._files[file_id.removesuffix("-s")]

    def events(self, chat_id: int) -> list[BotMessage]:
        """Every bot message and every edit in the chat, in order."""
        return self._events[chat_id]

    def latest(self, message: BotMessage) -> BotMessage:
        """The message as it is now: after its last edit, or marked deleted."""
        return self._messages.get((message.chat_id, message.message_id), message)

    def answers(self, user_id: int) -> list[dict[str, Any]]:
        return self._answers[user_id]

    def new_query(self, user_id: int) -> str:
        query_id = f"{user_id}{len(self._queries) + 1:08d}"
        self._queries[query_id] = user_id
        return query_id

    def remember(self, message: dict[str, Any]) -> None:
        """Keep a message a user sent, so the bot can reply to, copy or forward it."""
        self._user_messages[(message["chat"]["id"], message["message_id"])] = message

    async def wait_changed(self, check: Callable[[], bool], timeout: float) -> bool:
        """Wait until ``check()`` holds after some change, or ``timeout`` seconds; True if held."""
        async with self._changed:
            try:
                await asyncio.wait_for(self._changed.wait_for(check), timeout)
            except TimeoutError:
                return False
        return True

    async def _notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    def bot_user(self) -> dict[str, Any]:
        return {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": "Chopni",
            "username": self.username,
        }

    def chat(self, chat_id: int) -> dict[str, Any]:
        if chat_id < 0:
            kind = "supergroup" if chat_id < -1_000_000_000_000 else "group"
            return {"id": chat_id, "type": kind, "title": f"Group {-chat_id}"}
        user = self._users.get(chat_id)
        chat: dict[str, Any] = {"id": chat_id, "type": "private", "first_name": "User"}
        if user is not None:
            chat["first_name"] = user.first_name
            if user.username:
                chat["username"] = user.username
        return chat

    def render(self, message: BotMessage, *, nested: bool = False) -> dict[str, Any]:
        """The Bot API ``Message`` for a bot message as it is now."""
        result: dict[str, Any] = {
            "message_id": message.message_id,
            "from": self.bot_user(),
            "chat": self.chat(message.chat_id),
            "date": message.date,
            **message.extra,
        }
        if message.edited:
            result["edit_date"] = int(time.time())
        media = message.photo is not None or message.document is not None
        if message.file_id is not None and message.photo is not None:
            result["photo"] = self.file(message.file_id).photo_sizes()
        elif message.file_id is not None and message.document is not None:
            result["document"] = self.file(message.file_id).document()
        if message.plain_text is not None:
            result["caption" if media else "text"] = message.plain_text
            if message.entities:
                result["caption_entities" if media else "entities"] = self._users_in(
                    message.entities
                )
        if message.media_group_id:
            result["media_group_id"] = message.media_group_id
        if message.reply_markup and "inline_keyboard" in message.reply_markup:
            result["reply_markup"] = message.reply_markup
        replied = self.find(message.chat_id, message.reply_to_message_id)
        if replied is not None and not nested:
            result["reply_to_message"] = replied
        return result

    def _users_in(self, entities: list[dict[str, Any]]) -> list[dict[str, Any]]:
        out = []
        for entity in entities:
            if entity["type"] == "text_mention":
                user_id = int(entity["user"]["id"])
                known = self._users.get(user_id)
                name = known.first_name if known is not None else "User"
                entity = {**entity, "user": {"id": user_id, "is_bot": False, "first_name": name}}
            out.append(entity)
        return out

    def find(self, chat_id: int, message_id: int | None, *, nested: bool = True) -> Any:
        """A message in the chat, the bot's or the user's, as a Bot API dict (None if unknown)."""
        if message_id is None:
            return None
        if (chat_id, message_id) in self._user_messages:
            found = dict(self._user_messages[(chat_id, message_id)])
            found.pop("reply_to_message", None)
            return found
        bot_message = self._messages.get((chat_id, message_id))
        if bot_message is None or bot_message.deleted:
            return None
        return self.render(bot_message, nested=nested)

    async def record(self, message: BotMessage) -> dict[str, Any]:
        async with self._changed:
            self._messages[(message.chat_id, message.message_id)] = message
            self._events[message.chat_id].append(message)
            self._changed.notify_all()
        return self.render(message)

    # -- building messages --------------------------------------------------------------------

    def formatted(
        self, text: Any, params: dict[str, Any], entities_key: str, limit: int, what: str
    ) -> tuple[str, list[dict[str, Any]]]:
        """Parse ``text`` as Telegram would, and refuse it when Telegram would."""
        raw = "" if text is None else str(text)
        mode = str(params.get("parse_mode") or "").lower()
        entities: list[dict[str, Any]] = list(params.get(entities_key) or [])
        if mode == "html":
            try:
                raw, entities = parse_html(raw)
            except FormattingError as error:
                raise bad_request(f"can't parse entities: {error}") from None
        elif mode not in ("", "markdown", "markdownv2"):
            raise bad_request("unsupported parse_mode")
        plain, entities = strip(raw, entities)
        if len(plain) > limit:
            raise bad_request(f"{what} is too long")
        return plain, entities

    def chat_id(self, params: dict[str, Any]) -> int:
        chat_id = as_int(params.get("chat_id"))
        if chat_id is None:
            raise bad_request("chat_id is empty")
        return chat_id

    def new_message(self, params: dict[str, Any], method: str, **fields: Any) -> BotMessage:
        """A new bot message in the chat of ``params``, replying where it was asked to."""
        chat_id = self.chat_id(params)
        try:
            check_markup(params.get("reply_markup"))
        except FormattingError as error:
            raise bad_request(str(error)) from None
        reply = params.get("reply_parameters") or {}
        reply_to = as_int(params.get("reply_to_message_id") or reply.get("message_id"))
        reply_chat = as_int(reply.get("chat_id")) or chat_id
        if reply_to is not None and self.find(reply_chat, reply_to) is None:
            if not as_bool(
                reply.get("allow_sending_without_reply", params.get("allow_sending_without_reply"))
            ):
                raise bad_request("message to be replied not found")
            reply_to = None
        return BotMessage(
            message_id=self.next_message_id(chat_id),
            chat_id=chat_id,
            method=method,
            parse_mode=params.get("parse_mode"),
            reply_markup=params.get("reply_markup"),
            reply_to_message_id=reply_to,
            params=params,
            **fields,
        )

    def stored(self, params: dict[str, Any], action: str = "edit") -> BotMessage:
        chat_id = self.chat_id(params)
        message_id = as_int(params.get("message_id"))
        if message_id is None:
            raise bad_request("message identifier is not specified")
        if (chat_id, message_id) in self._user_messages and action == "edit":
            raise bad_request("message can't be edited")
        message = self._messages.get((chat_id, message_id))
        if message is None or message.deleted:
            raise bad_request(f"message to {action} not found")
        return message
