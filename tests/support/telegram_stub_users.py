"""What the loopback Bot API keeps and simulates: bot messages, and users who talk to the bot."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tests.support.telegram_stub import TelegramStub


@dataclass
class BotMessage:
    """A message the bot sent (or an edit of one), as the chat shows it."""

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

    @property
    def buttons(self) -> list[tuple[str, str | None]]:
        rows = (self.reply_markup or {}).get("inline_keyboard", [])
        return [(b["text"], b.get("callback_data")) for row in rows for b in row]

    @property
    def button_texts(self) -> list[str]:
        return [text for text, _ in self.buttons]

    def edited_copy(self, **changes: Any) -> BotMessage:
        return dataclasses.replace(self, edited=True, **changes)

    def as_dict(self, stub: TelegramStub) -> dict[str, Any]:
        message: dict[str, Any] = {
            "message_id": self.message_id,
            "date": self.date,
            "chat": {"id": self.chat_id, "type": "private", "first_name": "User"},
            "from": stub.bot_user(),
        }
        if self.edited:
            message["edit_date"] = int(time.time())
        if self.photo is not None:
            message["photo"] = [
                {
                    "file_id": self.file_id,
                    "file_unique_id": f"u{self.file_id}",
                    "width": 800,
                    "height": 600,
                    "file_size": len(self.photo),
                }
            ]
            if self.text:
                message["caption"] = self.text
        elif self.document is not None:
            message["document"] = {
                "file_id": self.file_id,
                "file_unique_id": f"u{self.file_id}",
                "file_name": self.filename,
                "mime_type": self.mime_type,
                "file_size": len(self.document),
            }
            if self.text:
                message["caption"] = self.text
        elif self.text is not None:
            message["text"] = self.text
        if self.reply_markup:
            message["reply_markup"] = self.reply_markup
        return message


class StubUser:
    """A Telegram user in a private chat with the bot (chat id == user id)."""

    def __init__(
        self,
        stub: TelegramStub,
        user_id: int,
        first_name: str,
        language_code: str | None,
        username: str | None,
    ) -> None:
        self.stub = stub
        self.user_id = user_id
        self.chat_id = user_id
        self.first_name = first_name
        self.language_code = language_code
        self.username = username
        self._cursor = 0
        self._answers_seen = 0
        self._query_ids = 0

    # -- what the user sends -----------------------------------------------------------------

    def _user(self) -> dict[str, Any]:
        user: dict[str, Any] = {"id": self.user_id, "is_bot": False, "first_name": self.first_name}
        if self.language_code:
            user["language_code"] = self.language_code
        if self.username:
            user["username"] = self.username
        return user

    def _message(self, reply_to: BotMessage | None = None, **fields: Any) -> dict[str, Any]:
        message = {
            "message_id": self.stub.next_message_id(self.chat_id),
            "date": int(time.time()),
            "chat": {"id": self.chat_id, "type": "private", "first_name": self.first_name},
            "from": self._user(),
            **fields,
        }
        if reply_to is not None:
            message["reply_to_message"] = reply_to.as_dict(self.stub)
        return message

    async def _push(self, message: dict[str, Any], kind: str = "message") -> dict[str, Any]:
        await self.stub.push_update({kind: message})
        return message

    async def send(self, text: str) -> dict[str, Any]:
        fields: dict[str, Any] = {"text": text}
        if text.startswith("/"):
            fields["entities"] = [
                {"type": "bot_command", "offset": 0, "length": len(text.split()[0])}
            ]
        return await self._push(self._message(**fields))

    async def reply(self, to: BotMessage, text: str) -> dict[str, Any]:
        return await self._push(self._message(reply_to=to, text=text))

    async def send_with_entities(self, text: str, entities: list[dict[str, Any]]) -> dict[str, Any]:
        return await self._push(self._message(text=text, entities=entities))

    async def send_photo(
        self, data: bytes, caption: str | None = None, reply_to: BotMessage | None = None
    ) -> dict[str, Any]:
        file_id = self.stub.store_file(data, "photo.jpg", "image/jpeg")
        photo = [
            {
                "file_id": file_id,
                "file_unique_id": f"u{file_id}",
                "width": 800,
                "height": 600,
                "file_size": len(data),
            }
        ]
        fields: dict[str, Any] = {"photo": photo}
        if caption:
            fields["caption"] = caption
        return await self._push(self._message(reply_to=reply_to, **fields))

    async def send_document(
        self,
        data: bytes,
        filename: str,
        mime_type: str,
        caption: str | None = None,
        reply_to: BotMessage | None = None,
    ) -> dict[str, Any]:
        file_id = self.stub.store_file(data, filename, mime_type)
        document = {
            "file_id": file_id,
            "file_unique_id": f"u{file_id}",
            "file_name": filename,
            "mime_type": mime_type,
            "file_size": len(data),
        }
        fields: dict[str, Any] = {"document": document}
        if caption:
            fields["caption"] = caption
        return await self._push(self._message(reply_to=reply_to, **fields))

    async def send_contact(self, phone_number: str = "+359888123456") -> dict[str, Any]:
        contact = {"phone_number": phone_number, "first_name": self.first_name}
        return await self._push(self._message(contact=contact))

    async def send_location(self) -> dict[str, Any]:
        return await self._push(self._message(location={"latitude": 42.69, "longitude": 23.32}))

    async def send_venue(self) -> dict[str, Any]:
        venue = {
            "location": {"latitude": 42.69, "longitude": 23.32},
            "title": "Shop",
            "address": "ul. Vitosha 1, Sofia",
        }
        return await self._push(self._message(venue=venue))

    async def send_poll(self) -> dict[str, Any]:
        poll = {
            "id": "poll-1",
            "question": "Size?",
            "options": [{"text": "M", "voter_count": 0}, {"text": "L", "voter_count": 0}],
            "total_voter_count": 0,
            "is_closed": False,
            "is_anonymous": True,
            "type": "regular",
            "allows_multiple_answers": False,
        }
        return await self._push(self._message(poll=poll))

    async def send_sticker(self) -> dict[str, Any]:
        sticker = {
            "file_id": "sticker-1",
            "file_unique_id": "usticker-1",
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
        }
        return await self._push(self._message(sticker=sticker))

    async def send_voice(self) -> dict[str, Any]:
        voice = {"file_id": "voice-1", "file_unique_id": "uvoice-1", "duration": 3}
        return await self._push(self._message(voice=voice))

    async def edit(self, message: dict[str, Any], text: str) -> dict[str, Any]:
        edited = {**message, "text": text, "edit_date": int(time.time())}
        return await self._push(edited, kind="edited_message")

    async def press(self, message: BotMessage, button: str) -> None:
        """Press the inline button with this text (or the one whose text contains it)."""
        current = self._current(message)
        exact = [data for text, data in current.buttons if text == button]
        partial = [data for text, data in current.buttons if button in text]
        found = exact or (partial if len(partial) == 1 else [])
        if not found:
            raise AssertionError(f"no button {button!r} in {current.button_texts}")
        await self.press_data(current, found[0] or "")

    async def press_data(self, message: BotMessage, data: str) -> None:
        """Send callback data as if a button carried it (also data the bot never made)."""
        self._query_ids += 1
        query = {
            "id": f"{self.user_id}-{self._query_ids}",
            "from": self._user(),
            "chat_instance": f"ci-{self.chat_id}",
            "message": {
                **self._current(message).as_dict(self.stub),
                "chat": {"id": self.chat_id, "type": "private", "first_name": self.first_name},
            },
            "data": data,
        }
        await self.stub.push_update({"callback_query": query})

    def _current(self, message: BotMessage) -> BotMessage:
        latest = [
            m for m in self.stub.events(message.chat_id) if m.message_id == message.message_id
        ]
        return latest[-1] if latest else message

    # -- what the user sees ------------------------------------------------------------------

    @property
    def messages(self) -> list[BotMessage]:
        """Every bot message in the chat, as it looks now."""
        current: dict[int, BotMessage] = {}
        for event in self.stub.events(self.chat_id):
            current[event.message_id] = event
        return list(current.values())

    async def next_message(self, timeout: float = 5.0) -> BotMessage:
        """The next bot message (or edit) in this chat not yet looked at."""
        events = self.stub.events(self.chat_id)
        if not await self.stub.wait_changed(lambda: len(events) > self._cursor, timeout):
            raise AssertionError(
                f"no message from the bot within {timeout}s; chat so far:\n" + self._transcript()
            )
        message = events[self._cursor]
        self._cursor += 1
        return message

    async def wait_for(
        self, predicate: Callable[[BotMessage], bool], timeout: float = 5.0
    ) -> BotMessage:
        """Skip bot messages until one matches ``predicate``."""
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            try:
                message = await self.next_message(max(remaining, 0.001))
            except AssertionError:
                raise AssertionError(
                    f"no matching bot message within {timeout}s; chat so far:\n"
                    + self._transcript()
                ) from None
            if predicate(message):
                return message

    async def callback_answer(self, timeout: float = 5.0) -> str:
        """The text of the bot's answer to this user's next unanswered button press."""
        answers = self.stub.answers(self.user_id)
        if not await self.stub.wait_changed(lambda: len(answers) > self._answers_seen, timeout):
            raise AssertionError("the bot did not answer the button press")
        answer = answers[self._answers_seen]
        self._answers_seen += 1
        return str(answer.get("text") or "")

    def _transcript(self) -> str:
        lines = []
        for event in self.stub.events(self.chat_id)[-12:]:
            mark = "✎" if event.edited else "•"
            lines.append(
                f"  {mark} [{event.method}] {(event.text or '')[:160]!r} {event.button_texts}"
            )
        return "\n".join(lines) or "  (nothing)"
