"""A loopback Telegram Bot API for tests and benchmarks.

A Starlette app under uvicorn on 127.0.0.1 that speaks the Bot API methods this bot uses, keeps
every bot message per chat, and simulates users who type, reply, send files and press buttons::

    async with TelegramStub(token="123:ABC") as stub:        # stub.api_root -> TELEGRAM_API_URL
        seller = stub.user(1001, language_code="bg")
        await seller.send("/start")
        greeting = await seller.next_message()
        await seller.press(greeting, "PROCESSING")

Optional ``Limits`` make it answer 429 like Telegram when a bot sends too fast, ``latency`` adds
a delay to every call, ``blocked_chats`` answer 403, and ``fail_next`` injects server errors.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import time
from collections import defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from tests.support.telegram_stub_users import BotMessage, StubUser

__all__ = ["BotMessage", "Limits", "StubUser", "TelegramStub"]

JSON_FIELDS = {
    "reply_markup",
    "entities",
    "caption_entities",
    "link_preview_options",
    "reply_parameters",
    "commands",
    "scope",
    "allowed_updates",
    "media",
    "menu_button",
    "reaction",
}
SENDING = {
    "sendMessage",
    "sendPhoto",
    "sendDocument",
    "sendMediaGroup",
    "copyMessage",
    "forwardMessage",
    "editMessageText",
    "editMessageReplyMarkup",
    "editMessageCaption",
}


@dataclass(frozen=True, slots=True)
class Limits:
    """Telegram's flood limits: messages per second overall, and per chat with a small burst."""

    global_per_second: int = 30
    per_chat_per_second: float = 1.0
    per_chat_burst: int = 3


@dataclass
class Stats:
    sent: int = 0
    too_many_requests: int = 0
    per_chat: dict[int, list[str]] = field(default_factory=lambda: defaultdict(list))


class _ApiError(Exception):
    def __init__(self, code: int, description: str, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.code, self.description, self.retry_after = code, description, retry_after


class TelegramStub:
    def __init__(
        self, token: str = "123456:TEST", *, limits: Limits | None = None, latency: float = 0.0
    ) -> None:
        self.token = token
        self.bot_id = int(token.split(":")[0])
        self.limits = limits
        self.latency = latency
        self.blocked_chats: set[int] = set()
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.commands: dict[tuple[str, str], list[dict[str, Any]]] = {}
        self.stats = Stats()
        self.api_root = ""
        self._updates: list[dict[str, Any]] = []
        self._update_ids = itertools.count(1)
        self._message_ids: dict[int, itertools.count[int]] = defaultdict(lambda: itertools.count(1))
        self._messages: dict[tuple[int, int], BotMessage] = {}
        self._events: dict[int, list[BotMessage]] = defaultdict(list)
        self._answers: dict[int, list[dict[str, Any]]] = defaultdict(list)
        self._files: dict[str, tuple[bytes, str | None, str | None]] = {}
        self._file_ids = itertools.count(1)
        self._failures: dict[str, list[int]] = defaultdict(list)
        self._global_window: deque[float] = deque()
        self._chat_windows: dict[int, deque[float]] = defaultdict(deque)
        self._changed = asyncio.Condition()
        self._closing = False
        self._server: uvicorn.Server | None = None
        self._task: asyncio.Task[None] | None = None
        self._users: dict[int, StubUser] = {}

    # -- lifecycle ---------------------------------------------------------------------------

    async def __aenter__(self) -> TelegramStub:
        app = Starlette(
            routes=[
                Route("/bot{token}/{method}", self._api, methods=["GET", "POST"]),
                Route("/file/bot{token}/{path:path}", self._download, methods=["GET"]),
            ]
        )
        config = uvicorn.Config(
            app,
            host="127.0.0.1",
            port=0,
            log_config=None,
            access_log=False,
            lifespan="off",
            timeout_graceful_shutdown=1,
        )
        self._server = uvicorn.Server(config)
        self._server.capture_signals = contextlib.nullcontext  # type: ignore[method-assign]
        self._task = asyncio.create_task(self._server.serve())
        while not self._server.started:
            if self._task.done():
                self._task.result()
            await asyncio.sleep(0.005)
        port = self._server.servers[0].sockets[0].getsockname()[1]
        self.api_root = f"http://127.0.0.1:{port}"
        return self

    async def __aexit__(self, *exc: object) -> None:
        self._closing = True
        async with self._changed:
            self._changed.notify_all()
        if self._server is not None and self._task is not None:
            self._server.should_exit = True
            await self._task

    # -- test-facing API ---------------------------------------------------------------------

    def user(
        self,
        user_id: int,
        *,
        first_name: str = "Ivan",
        language_code: str | None = "bg",
        username: str | None = None,
    ) -> StubUser:
        if user_id not in self._users:
            self._users[user_id] = StubUser(self, user_id, first_name, language_code, username)
        return self._users[user_id]

    def calls_of(self, method: str) -> list[dict[str, Any]]:
        return [params for name, params in self.calls if name == method]

    def fail_next(self, method: str, n: int = 1, status: int = 500) -> None:
        self._failures[method].extend([status] * n)

    async def push_update(self, update: dict[str, Any]) -> int:
        update = {"update_id": next(self._update_ids), **update}
        async with self._changed:
            self._updates.append(update)
            self._changed.notify_all()
        return int(update["update_id"])

    def next_message_id(self, chat_id: int) -> int:
        return next(self._message_ids[chat_id])

    def store_file(self, data: bytes, filename: str | None, mime_type: str | None) -> str:
        file_id = f"file-{next(self._file_ids)}"
        self._files[file_id] = (data, filename, mime_type)
        return file_id

    def file(self, file_id: str) -> tuple[bytes, str | None, str | None]:
        return self._files[file_id]

    def events(self, chat_id: int) -> list[BotMessage]:
        return self._events[chat_id]

    def answers(self, user_id: int) -> list[dict[str, Any]]:
        return self._answers[user_id]

    async def wait_changed(self, check: Callable[[], bool], timeout: float) -> bool:
        async with self._changed:
            try:
                await asyncio.wait_for(self._changed.wait_for(check), timeout)
            except TimeoutError:
                return False
        return True

    def bot_user(self) -> dict[str, Any]:
        return {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": "Chopni",
            "username": "chopni_test_bot",
        }

    # -- the Bot API ---------------------------------------------------------------------------

    async def _params(self, request: Request) -> dict[str, Any]:
        params: dict[str, Any] = dict(request.query_params)
        content_type = request.headers.get("content-type", "")
        if content_type.startswith("application/json"):
            params.update(json.loads(await request.body() or b"{}"))
        elif content_type.startswith(("multipart/form-data", "application/x-www-form-urlencoded")):
            form = await request.form(max_part_size=50 * 1024 * 1024)
            try:
                for key, value in form.multi_items():
                    if isinstance(value, UploadFile):
                        params[key] = (await value.read(), value.filename, value.content_type)
                    else:
                        params[key] = value
            finally:
                await form.close()
        for key in JSON_FIELDS & params.keys():
            if isinstance(params[key], str):
                with contextlib.suppress(ValueError):
                    params[key] = json.loads(params[key])
        return params

    async def _api(self, request: Request) -> Response:
        if request.path_params["token"] != self.token:
            return JSONResponse(
                {"ok": False, "error_code": 401, "description": "Unauthorized"}, 401
            )
        method = request.path_params["method"]
        params = await self._params(request)
        self.calls.append((method, params))
        if self.latency:
            await asyncio.sleep(self.latency)
        try:
            if self._failures.get(method):
                status = self._failures[method].pop(0)
                raise _ApiError(status, "Internal Server Error")
            handler = getattr(self, f"_m_{method}", None)
            if handler is None:
                raise _ApiError(404, "Not Found: method not found")
            chat_id = _int(params.get("chat_id"))
            if method in SENDING and chat_id is not None:
                if chat_id in self.blocked_chats:
                    raise _ApiError(403, "Forbidden: bot was blocked by the user")
                self._check_limits(chat_id)
            result = await handler(params)
            if method in SENDING and chat_id is not None:
                self.stats.sent += 1
                self.stats.per_chat[chat_id].append(
                    str(params.get("text", params.get("caption", "")))
                )
        except _ApiError as error:
            body: dict[str, Any] = {
                "ok": False,
                "error_code": error.code,
                "description": error.description,
            }
            if error.retry_after is not None:
                body["parameters"] = {"retry_after": error.retry_after}
            return JSONResponse(body, status_code=error.code)
        return JSONResponse({"ok": True, "result": result})

    def _check_limits(self, chat_id: int) -> None:
        if self.limits is None:
            return
        now = time.monotonic()
        window = self._global_window
        while window and now - window[0] >= 1.0:
            window.popleft()
        per_chat_span = self.limits.per_chat_burst / self.limits.per_chat_per_second
        chat_window = self._chat_windows[chat_id]
        while chat_window and now - chat_window[0] >= per_chat_span:
            chat_window.popleft()
        if (
            len(window) >= self.limits.global_per_second
            or len(chat_window) >= self.limits.per_chat_burst
        ):
            self.stats.too_many_requests += 1
            raise _ApiError(429, "Too Many Requests: retry after 1", retry_after=1)
        window.append(now)
        chat_window.append(now)

    async def _download(self, request: Request) -> Response:
        file_id = request.path_params["path"].removeprefix("files/")
        if request.path_params["token"] != self.token or file_id not in self._files:
            return Response(status_code=404)
        return Response(self._files[file_id][0], media_type="application/octet-stream")

    async def _record(self, message: BotMessage) -> dict[str, Any]:
        async with self._changed:
            self._messages[(message.chat_id, message.message_id)] = message
            self._events[message.chat_id].append(message)
            self._changed.notify_all()
        return message.as_dict(self)

    def _stored(self, params: dict[str, Any]) -> BotMessage:
        key = (_int(params.get("chat_id")) or 0, _int(params.get("message_id")) or 0)
        if key not in self._messages:
            raise _ApiError(400, "Bad Request: message to edit not found")
        return self._messages[key]

    async def _m_getMe(self, params: dict[str, Any]) -> Any:
        return {
            **self.bot_user(),
            "can_join_groups": False,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
        }

    async def _m_getUpdates(self, params: dict[str, Any]) -> Any:
        offset = _int(params.get("offset")) or 0
        limit = _int(params.get("limit")) or 100
        timeout = float(params.get("timeout") or 0)
        self._updates = [u for u in self._updates if u["update_id"] >= offset]
        if not self._updates and timeout > 0:
            await self.wait_changed(lambda: bool(self._updates) or self._closing, timeout)
        return [u for u in self._updates if u["update_id"] >= offset][:limit]

    async def _m_setWebhook(self, params: dict[str, Any]) -> Any:
        return True

    async def _m_deleteWebhook(self, params: dict[str, Any]) -> Any:
        return True

    async def _m_getWebhookInfo(self, params: dict[str, Any]) -> Any:
        return {
            "url": "",
            "has_custom_certificate": False,
            "pending_update_count": len(self._updates),
        }

    async def _m_setMyCommands(self, params: dict[str, Any]) -> Any:
        scope = json.dumps(params.get("scope") or {"type": "default"}, sort_keys=True)
        self.commands[(scope, str(params.get("language_code") or ""))] = list(params["commands"])
        return True

    async def _m_getMyCommands(self, params: dict[str, Any]) -> Any:
        scope = json.dumps(params.get("scope") or {"type": "default"}, sort_keys=True)
        return self.commands.get((scope, str(params.get("language_code") or "")), [])

    async def _m_deleteMyCommands(self, params: dict[str, Any]) -> Any:
        scope = json.dumps(params.get("scope") or {"type": "default"}, sort_keys=True)
        self.commands.pop((scope, str(params.get("language_code") or "")), None)
        return True

    async def _m_setChatMenuButton(self, params: dict[str, Any]) -> Any:
        return True

    async def _m_sendChatAction(self, params: dict[str, Any]) -> Any:
        return True

    async def _m_logOut(self, params: dict[str, Any]) -> Any:
        return True

    async def _m_close(self, params: dict[str, Any]) -> Any:
        return True

    async def _m_sendMessage(self, params: dict[str, Any]) -> Any:
        return await self._record(self._new(params, "sendMessage", text=str(params["text"])))

    def _new(self, params: dict[str, Any], method: str, **fields: Any) -> BotMessage:
        chat_id = _int(params.get("chat_id"))
        if chat_id is None:
            raise _ApiError(400, "Bad Request: chat_id is empty")
        reply = params.get("reply_parameters") or {}
        return BotMessage(
            message_id=self.next_message_id(chat_id),
            chat_id=chat_id,
            method=method,
            parse_mode=params.get("parse_mode"),
            reply_markup=params.get("reply_markup"),
            reply_to_message_id=_int(params.get("reply_to_message_id") or reply.get("message_id")),
            **fields,
        )

    async def _m_editMessageText(self, params: dict[str, Any]) -> Any:
        current = self._stored(params)
        markup = params.get("reply_markup")
        if current.text == params["text"] and current.reply_markup == markup:
            raise _ApiError(400, "Bad Request: message is not modified")
        return await self._record(
            current.edited_copy(
                text=str(params["text"]), reply_markup=markup, parse_mode=params.get("parse_mode")
            )
        )

    async def _m_editMessageReplyMarkup(self, params: dict[str, Any]) -> Any:
        current = self._stored(params)
        return await self._record(current.edited_copy(reply_markup=params.get("reply_markup")))

    async def _m_editMessageCaption(self, params: dict[str, Any]) -> Any:
        current = self._stored(params)
        return await self._record(
            current.edited_copy(text=params.get("caption"), reply_markup=params.get("reply_markup"))
        )

    async def _m_deleteMessage(self, params: dict[str, Any]) -> Any:
        self._stored(params)
        return True

    async def _m_answerCallbackQuery(self, params: dict[str, Any]) -> Any:
        query_id = str(params["callback_query_id"])
        user_id = int(query_id.split("-")[0])
        async with self._changed:
            self._answers[user_id].append(
                {
                    "text": params.get("text"),
                    "show_alert": str(params.get("show_alert")).lower() == "true",
                }
            )
            self._changed.notify_all()
        return True

    def _upload(self, value: Any, default_name: str) -> tuple[bytes, str | None, str | None, str]:
        if isinstance(value, tuple):
            data, filename, mime = value
            return data, filename or default_name, mime, self.store_file(data, filename, mime)
        data, filename, mime = self._files[str(value)]
        return data, filename, mime, str(value)

    async def _m_sendPhoto(self, params: dict[str, Any]) -> Any:
        data, name, mime, file_id = self._upload(params["photo"], "photo.jpg")
        message = self._new(
            params,
            "sendPhoto",
            text=params.get("caption"),
            photo=data,
            filename=name,
            mime_type=mime,
            file_id=file_id,
        )
        return await self._record(message)

    async def _m_sendDocument(self, params: dict[str, Any]) -> Any:
        data, name, mime, file_id = self._upload(params["document"], "document")
        message = self._new(
            params,
            "sendDocument",
            text=params.get("caption"),
            document=data,
            filename=name,
            mime_type=mime,
            file_id=file_id,
        )
        return await self._record(message)

    async def _m_copyMessage(self, params: dict[str, Any]) -> Any:
        message = self._new(params, "copyMessage", text=params.get("caption"))
        await self._record(message)
        return {"message_id": message.message_id}

    async def _m_forwardMessage(self, params: dict[str, Any]) -> Any:
        return await self._record(self._new(params, "forwardMessage", text="(forwarded)"))

    async def _m_getFile(self, params: dict[str, Any]) -> Any:
        file_id = str(params["file_id"])
        if file_id not in self._files:
            raise _ApiError(400, "Bad Request: invalid file_id")
        data = self._files[file_id][0]
        return {
            "file_id": file_id,
            "file_unique_id": f"u{file_id}",
            "file_size": len(data),
            "file_path": f"files/{file_id}",
        }


def _int(value: Any) -> int | None:
    if value is None or value == "":
        return None
    return int(value)
