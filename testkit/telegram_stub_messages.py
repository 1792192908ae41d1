"""Messages in the loopback Bot API: sending text, editing it, its caption or its buttons,
deleting, and answering button presses, refused the way Telegram refuses them."""

from __future__ import annotations

from typing import Any

from testkit.telegram_stub_api import BotApi, as_bool, as_int
from testkit.telegram_stub_formatting import FormattingError, check_markup
from testkit.telegram_stub_records import BotMessage, bad_request


class MessageMethods(BotApi):
    async def _m_sendMessage(self, params: dict[str, Any]) -> Any:
        if not str(params.get("text") or "").strip():
            raise bad_request("message text is empty")
        plain, entities = self.formatted(params["text"], params, "entities", 4096, "message")
        if not plain:
            raise bad_request("message text is empty")
        message = self.new_message(
            params, "sendMessage", text=str(params["text"]), plain_text=plain, entities=entities
        )
        return await self.record(message)

    def _not_modified(self, current: BotMessage, changed: BotMessage) -> None:
        if (current.plain_text, current.entities, current.reply_markup) == (
            changed.plain_text,
            changed.entities,
            changed.reply_markup,
        ):
            raise bad_request(
                "message is not modified: specified new message content and reply markup are "
                "exactly the same as a current content and reply markup of the message"
            )

    async def _edit(self, current: BotMessage, **changes: Any) -> Any:
        if "reply_markup" in changes:
            try:
                check_markup(changes["reply_markup"])
            except FormattingError as error:
                raise bad_request(str(error)) from None
        changed = current.edited_copy(**changes)
        self._not_modified(current, changed)
        return await self.record(changed)

    async def _m_editMessageText(self, params: dict[str, Any]) -> Any:
        current = self.stored(params)
        if current.photo is not None or current.document is not None:
            raise bad_request("there is no text in the message to edit")
        plain, entities = self.formatted(params.get("text"), params, "entities", 4096, "message")
        if not plain:
            raise bad_request("message text is empty")
        return await self._edit(
            current,
            text=str(params["text"]),
            plain_text=plain,
            entities=entities,
            parse_mode=params.get("parse_mode"),
            reply_markup=params.get("reply_markup"),
            params=params,
        )

    async def _m_editMessageCaption(self, params: dict[str, Any]) -> Any:
        current = self.stored(params)
        if current.photo is None and current.document is None:
            raise bad_request("there is no caption in the message to edit")
        caption = params.get("caption")
        plain, entities = self.formatted(caption, params, "caption_entities", 1024, "caption")
        return await self._edit(
            current,
            text=caption,
            plain_text=plain or None,
            entities=entities,
            parse_mode=params.get("parse_mode"),
            reply_markup=params.get("reply_markup"),
            params=params,
        )

    async def _m_editMessageReplyMarkup(self, params: dict[str, Any]) -> Any:
        current = self.stored(params)
        return await self._edit(current, reply_markup=params.get("reply_markup"), params=params)

    async def _m_deleteMessage(self, params: dict[str, Any]) -> Any:
        key = (self.chat_id(params), as_int(params.get("message_id")) or 0)
        if self._user_messages.pop(key, None) is not None:
            return True
        current = self.stored(params, "delete")
        self._messages[key] = current.edited_copy(deleted=True, edited=current.edited)
        await self._notify()
        return True

    async def _m_answerCallbackQuery(self, params: dict[str, Any]) -> Any:
        query_id = str(params.get("callback_query_id"))
        user_id = self._queries.pop(query_id, None)
        if user_id is None:
            raise bad_request(
                "query is too old and response timeout expired or query ID is invalid"
            )
        async with self._changed:
            self._answers[user_id].append(
                {
                    "callback_query_id": query_id,
                    "text": params.get("text"),
                    "show_alert": as_bool(params.get("show_alert")),
                    "url": params.get("url"),
                }
            )
            self._changed.notify_all()
        return True
