"""The bot's profile and chat housekeeping in the loopback Bot API: who the bot is, its command
menus per scope and language, the menu button, chat actions, reactions and pins."""

from __future__ import annotations

import json
import re
from typing import Any

from testkit.telegram_stub_api import BotApi, as_int
from testkit.telegram_stub_records import bad_request

CHAT_ACTIONS = {
    "typing",
    "upload_photo",
    "record_video",
    "upload_video",
    "record_voice",
    "upload_voice",
    "upload_document",
    "choose_sticker",
    "find_location",
    "record_video_note",
    "upload_video_note",
}
COMMAND = re.compile(r"[a-z0-9_]{1,32}")
MENU_BUTTONS = {"commands", "web_app", "default"}


class ProfileMethods(BotApi):
    """getMe, logOut, close, getChat, the command menus, the menu button, actions, pins."""

    def commands_for(self, language: str = "", scope: str = "default") -> list[tuple[str, str]]:
        """The menu set for a scope type and language: (command, description) pairs."""
        key = (json.dumps({"type": scope}, sort_keys=True), language)
        return [(c["command"], c["description"]) for c in self.commands.get(key, [])]

    async def _m_getMe(self, params: dict[str, Any]) -> Any:
        return {
            **self.bot_user(),
            "can_join_groups": False,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    async def _m_logOut(self, params: dict[str, Any]) -> Any:
        return True

    async def _m_close(self, params: dict[str, Any]) -> Any:
        return True

    async def _m_getChat(self, params: dict[str, Any]) -> Any:
        chat_id = self.chat_id(params)
        if chat_id > 0 and chat_id not in self._users:
            raise bad_request("chat not found")
        return {**self.chat(chat_id), "accent_color_id": 0, "max_reaction_count": 11}

    def _scope(self, params: dict[str, Any]) -> tuple[str, str]:
        scope = params.get("scope") or {"type": "default"}
        language = str(params.get("language_code") or "")
        if language and not re.fullmatch(r"[a-z]{2}", language):
            raise bad_request("invalid language code specified")
        return json.dumps(scope, sort_keys=True), language

    async def _m_setMyCommands(self, params: dict[str, Any]) -> Any:
        commands = params.get("commands")
        if not isinstance(commands, list) or len(commands) > 100:
            raise bad_request("can't parse commands JSON object")
        for command in commands:
            if not COMMAND.fullmatch(str(command.get("command", ""))):
                raise bad_request("BOT_COMMAND_INVALID")
            if not 1 <= len(str(command.get("description", "")).strip()) <= 256:
                raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
        self.commands[self._scope(params)] = list(commands)
        return True

    async def _m_getMyCommands(self, params: dict[str, Any]) -> Any:
        return self.commands.get(self._scope(params), [])

    async def _m_deleteMyCommands(self, params: dict[str, Any]) -> Any:
        self.commands.pop(self._scope(params), None)
        return True

    async def _m_setChatMenuButton(self, params: dict[str, Any]) -> Any:
        """A private chat's menu button, or (without ``chat_id``) the bot's default one."""
        chat_id = as_int(params.get("chat_id"))
        if chat_id is not None and chat_id < 0:
            raise bad_request("chat not found: the menu button is for private chats")
        button = params.get("menu_button") or {"type": "default"}
        kind = button.get("type")
        if kind not in MENU_BUTTONS:
            raise bad_request("can't parse menu button")
        if kind == "web_app":
            if not str(button.get("text") or "").strip():
                raise bad_request("BUTTON_TEXT_EMPTY")
            if not str((button.get("web_app") or {}).get("url", "")).startswith("https://"):
                raise bad_request("BUTTON_URL_INVALID: only HTTPS links are allowed")
        self.menu_buttons[chat_id] = button
        return True

    async def _m_getChatMenuButton(self, params: dict[str, Any]) -> Any:
        chat_id = as_int(params.get("chat_id"))
        button = self.menu_buttons.get(chat_id) or self.menu_buttons.get(None)
        return button or {"type": "commands"}

    async def _m_sendChatAction(self, params: dict[str, Any]) -> Any:
        action = str(params.get("action"))
        if action not in CHAT_ACTIONS:
            raise bad_request("wrong parameter action in request")
        self.chat_actions.append((self.chat_id(params), action))
        return True

    async def _m_setMessageReaction(self, params: dict[str, Any]) -> Any:
        chat_id, message_id = self.chat_id(params), as_int(params.get("message_id"))
        if self.find(chat_id, message_id) is None:
            raise bad_request("message to react not found")
        self.reactions[(chat_id, message_id or 0)] = list(params.get("reaction") or [])
        return True

    async def _m_pinChatMessage(self, params: dict[str, Any]) -> Any:
        chat_id, message_id = self.chat_id(params), as_int(params.get("message_id"))
        if self.find(chat_id, message_id) is None:
            raise bad_request("message to pin not found")
        self.pinned[chat_id].append(message_id or 0)
        return True

    async def _m_unpinChatMessage(self, params: dict[str, Any]) -> Any:
        pinned = self.pinned[self.chat_id(params)]
        message_id = as_int(params.get("message_id"))
        if pinned:
            pinned.remove(message_id if message_id in pinned else pinned[-1])
        return True

    async def _m_unpinAllChatMessages(self, params: dict[str, Any]) -> Any:
        self.pinned[self.chat_id(params)].clear()
        return True
