"""People who talk to the bot through the loopback Bot API: what they send, press and see.

Every ``send_*`` queues the update Telegram would deliver and returns its ``message`` dict;
``next_message``/``wait_for`` await the bot's next message (or edit) in the chat, never sleeping.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from testkit.telegram_stub_records import BotMessage
from testkit.telegram_stub_view import ChatView

if TYPE_CHECKING:
    from testkit.telegram_stub import TelegramStub

ButtonChoice = str | Callable[[str, str | None], bool]


class StubUser(ChatView):
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

    def in_group(self, group_id: int) -> StubUser:
        """The same user writing in a group chat (``group_id`` < 0) the bot is a member of."""
        if group_id >= 0:
            raise ValueError("group chat ids are negative")
        member = StubUser(self.stub, self.user_id, self.first_name, self.language_code, None)
        member.username = self.username
        member.chat_id = group_id
        return member

    # -- what the user sends ------------------------------------------------------------------

    def as_user(self) -> dict[str, Any]:
        """This user as a Bot API ``User``."""
        user: dict[str, Any] = {"id": self.user_id, "is_bot": False, "first_name": self.first_name}
        if self.language_code:
            user["language_code"] = self.language_code
        if self.username:
            user["username"] = self.username
        return user

    def _message(
        self, reply_to: BotMessage | dict[str, Any] | None = None, **fields: Any
    ) -> dict[str, Any]:
        message = {
            "message_id": self.stub.next_message_id(self.chat_id),
            "from": self.as_user(),
            "chat": self.stub.chat(self.chat_id),
            "date": int(time.time()),
            **fields,
        }
        if isinstance(reply_to, BotMessage):
            message["reply_to_message"] = self.stub.render(self._current(reply_to), nested=True)
        elif reply_to is not None:
            message["reply_to_message"] = {
                k: v for k, v in reply_to.items() if k != "reply_to_message"
            }
        return message

    async def _push(self, message: dict[str, Any], kind: str = "message") -> dict[str, Any]:
        await self.stub.push_update({kind: message})
        return message

    async def send(
        self, text: str, reply_to: BotMessage | dict[str, Any] | None = None
    ) -> dict[str, Any]:
        """Type ``text``; a leading /command gets its ``bot_command`` entity."""
        fields: dict[str, Any] = {"text": text}
        if text.startswith("/"):
            fields["entities"] = [
                {"type": "bot_command", "offset": 0, "length": len(text.split()[0])}
            ]
        return await self._push(self._message(reply_to=reply_to, **fields))

    async def command(self, command: str) -> dict[str, Any]:
        """Send a command: ``await user.command("/order 100234")`` (the slash is optional)."""
        return await self.send(command if command.startswith("/") else f"/{command}")

    async def reply(self, to: BotMessage | dict[str, Any], text: str) -> dict[str, Any]:
        """Reply to a message (the bot's, or one of this user's own dicts) with text."""
        return await self.send(text, reply_to=to)

    async def send_with_entities(
        self,
        text: str,
        entities: list[dict[str, Any]],
        reply_to: BotMessage | dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """Text with the entities a client would attach (``text_link``, ``text_mention``...)."""
        return await self._push(self._message(reply_to=reply_to, text=text, entities=entities))

    async def send_photo(
        self,
        data: bytes,
        caption: str | None = None,
        reply_to: BotMessage | dict[str, Any] | None = None,
        media_group_id: str | None = None,
    ) -> dict[str, Any]:
        from testkit.telegram_stub_media import image_size

        size = image_size(data) or (800, 600)
        file_id = self.stub.store_file(data, "photo.jpg", "image/jpeg", "photo", size)
        fields: dict[str, Any] = {"photo": self.stub.file(file_id).photo_sizes()}
        if caption:
            fields["caption"] = caption
        if media_group_id:
            fields["media_group_id"] = media_group_id
        return await self._push(self._message(reply_to=reply_to, **fields))

    async def send_document(
        self,
        data: bytes,
        filename: str,
        mime_type: str,
        caption: str | None = None,
        reply_to: BotMessage | dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        file_id = self.stub.store_file(data, filename, mime_type, "document")
        fields: dict[str, Any] = {"document": self.stub.file(file_id).document()}
        if caption:
            fields["caption"] = caption
        return await self._push(self._message(reply_to=reply_to, **fields))

    async def send_contact(
        self, phone_number: str = "+359888123456", first_name: str | None = None
    ) -> dict[str, Any]:
        contact = {"phone_number": phone_number, "first_name": first_name or self.first_name}
        if first_name is None:
            contact["user_id"] = self.user_id
        return await self._push(self._message(contact=contact))

    async def send_location(
        self, latitude: float = 42.6977, longitude: float = 23.3219
    ) -> dict[str, Any]:
        return await self._push(
            self._message(location={"latitude": latitude, "longitude": longitude})
        )

    async def send_venue(
        self, title: str = "Shop", address: str = "ul. Vitosha 1, Sofia"
    ) -> dict[str, Any]:
        location = {"latitude": 42.6977, "longitude": 23.3219}
        venue = {"location": location, "title": title, "address": address}
        return await self._push(self._message(venue=venue, location=location))

    async def send_poll(
        self, question: str = "Size?", options: tuple[str, ...] = ("M", "L")
    ) -> dict[str, Any]:
        poll = {
            "id": f"poll-{self.user_id}-{time.monotonic_ns()}",
            "question": question,
            "options": [{"text": option, "voter_count": 0} for option in options],
            "total_voter_count": 0,
            "is_closed": False,
            "is_anonymous": True,
            "type": "regular",
            "allows_multiple_answers": False,
        }
        return await self._push(self._message(poll=poll))

    async def send_sticker(self, emoji: str = "👍") -> dict[str, Any]:
        file_id = self.stub.store_file(b"RIFF-webp-sticker", None, "image/webp", "sticker")
        sticker = {
            "file_id": file_id,
            "file_unique_id": f"u{file_id}",
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
            "emoji": emoji,
        }
        return await self._push(self._message(sticker=sticker))

    async def send_voice(self, duration: int = 3) -> dict[str, Any]:
        file_id = self.stub.store_file(b"OggS-voice", None, "audio/ogg", "voice")
        voice = {"file_id": file_id, "file_unique_id": f"u{file_id}", "duration": duration}
        return await self._push(self._message(voice=voice))

    async def edit(self, message: dict[str, Any], text: str) -> dict[str, Any]:
        """Edit one of this user's own text messages."""
        edited = {**message, "text": text, "edit_date": int(time.time())}
        return await self._push(edited, kind="edited_message")

    async def block(self) -> None:
        """Block the bot: its calls to this chat answer 403, and it hears so."""
        self.stub.blocked_chats.add(self.chat_id)
        await self._member_update("member", "kicked")

    async def unblock(self) -> None:
        self.stub.blocked_chats.discard(self.chat_id)
        await self._member_update("kicked", "member")

    async def _member_update(self, old: str, new: str) -> None:
        def member(status: str) -> dict[str, Any]:
            extra = {"until_date": 0} if status == "kicked" else {}
            return {"user": self.stub.bot_user(), "status": status, **extra}

        update = {
            "chat": self.stub.chat(self.chat_id),
            "from": self.as_user(),
            "date": int(time.time()),
            "old_chat_member": member(old),
            "new_chat_member": member(new),
        }
        await self.stub.push_update({"my_chat_member": update})

    async def press(self, message: BotMessage, button: ButtonChoice) -> str:
        """Press an inline button: by its exact text, the only one containing that text, or the
        first for which ``button(text, callback_data)`` holds. Returns the callback query id."""
        current = self._current(message)
        if callable(button):
            found = [(t, d) for t, d in current.buttons if button(t, d)][:1]
        else:
            exact = [(t, d) for t, d in current.buttons if t == button]
            partial = [(t, d) for t, d in current.buttons if button in t]
            found = exact or (partial if len(partial) == 1 else [])
        if not found:
            raise AssertionError(f"no button {button!r} in {current.button_texts}")
        text, data = found[0]
        if data is None:
            raise AssertionError(f"button {text!r} opens a link; it has no callback data")
        return await self.press_data(current, data)

    async def press_data(self, message: BotMessage, data: str) -> str:
        """Send callback data as if a button on ``message`` carried it (also data the bot never
        made, or a button from another user's chat)."""
        current = self._current(message)
        if current.deleted:
            raise AssertionError(f"message {current.message_id} was deleted")
        query_id = self.stub.new_query(self.user_id)
        query = {
            "id": query_id,
            "from": self.as_user(),
            "chat_instance": f"ci-{self.chat_id}",
            # A message from another chat is replayed as if it sat in this user's own chat.
            "message": {**self.stub.render(current), "chat": self.stub.chat(self.chat_id)},
            "data": data,
        }
        await self.stub.push_update({"callback_query": query})
        return query_id
