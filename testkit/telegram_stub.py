"""A loopback Telegram Bot API for tests and benchmarks.

A Starlette app under uvicorn on 127.0.0.1 (an ephemeral port, inside the test's event loop) that
answers the Bot API as Telegram does, keeps every bot message per chat, and simulates users who
type, reply, send files and press buttons::

    async with TelegramStub(token="123:ABC") as stub:   # TELEGRAM_API_URL = stub.api_root
        seller = stub.user(1001, first_name="Мария", language_code="bg")
        await seller.command("/start")
        greeting = await seller.next_message()
        await seller.press(greeting, "PROCESSING")
        assert not stub.calls_of("forwardMessage")

Updates reach the bot by long polling (``getUpdates``) or, once the bot calls ``setWebhook``, by
POSTs to its URL. ``Limits`` make it answer 429 when a bot sends too fast, ``latency`` delays every
call, ``blocked_chats`` answer 403, and ``fail_next`` answers 5xx or drops the connection.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections import defaultdict, deque
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from testkit.telegram_stub_api import as_int
from testkit.telegram_stub_media import MediaMethods
from testkit.telegram_stub_messages import MessageMethods
from testkit.telegram_stub_profile import ProfileMethods
from testkit.telegram_stub_records import (
    ApiError,
    BotMessage,
    Fault,
    FloodControl,
    Limits,
    Stats,
    bad_request,
)
from testkit.telegram_stub_updates import UpdateMethods
from testkit.telegram_stub_users import StubUser

__all__ = ["BotMessage", "Fault", "Limits", "StubUser", "TelegramStub"]

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
#: calls that put a message in a chat, and count against the flood limits
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


class _Dropped(Response):
    """Headers, then nothing: uvicorn closes the connection and the client sees it drop."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": []})


class TelegramStub(UpdateMethods, MessageMethods, MediaMethods, ProfileMethods):
    """The Bot API on loopback; ``async with`` starts and stops it."""

    def __init__(
        self,
        token: str = "123456:TEST",
        *,
        limits: Limits | None = None,
        latency: float = 0.0,
        username: str = "chopni_test_bot",
    ) -> None:
        super().__init__(token, username)
        self.limits = limits
        self.latency = latency
        self.blocked_chats: set[int] = set()
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.stats = Stats()
        self.api_root = ""
        self._flood: FloodControl | None = None
        self._faults: dict[str, deque[Fault]] = defaultdict(deque)
        self._methods = {name[3:].lower(): name[3:] for name in dir(self) if name.startswith("_m_")}
        self._server: uvicorn.Server | None = None
        self._tasks: list[asyncio.Task[None]] = []

    # -- lifecycle ----------------------------------------------------------------------------

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
        serving = asyncio.create_task(self._server.serve(), name="telegram-stub")
        self._tasks = [serving, asyncio.create_task(self._deliver(), name="telegram-webhook")]
        while not self._server.started:
            if serving.done():
                await self.__aexit__()
                serving.result()
            await asyncio.sleep(0.005)
        port = self._server.servers[0].sockets[0].getsockname()[1]
        self.api_root = f"http://127.0.0.1:{port}"
        return self

    async def __aexit__(self, *exc: object) -> None:
        self._closing = True
        await self._notify()
        if self._server is not None:
            self._server.should_exit = True
        for task in self._tasks[1:]:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    # -- test-facing API ----------------------------------------------------------------------

    def user(
        self,
        user_id: int,
        *,
        first_name: str = "Ivan",
        language_code: str | None = "bg",
        username: str | None = None,
    ) -> StubUser:
        """The user with this id, in a private chat with the bot (chat id == user id)."""
        if user_id not in self._users:
            self._users[user_id] = StubUser(self, user_id, first_name, language_code, username)
        return self._users[user_id]

    def calls_of(self, method: str) -> list[dict[str, Any]]:
        """The parameters of every call of ``method``, in order."""
        return [params for name, params in self.calls if name == method]

    def fail_next(
        self,
        method: str,
        n: int = 1,
        status: int = 500,
        *,
        drop: bool = False,
        applied: bool = False,
        description: str | None = None,
        retry_after: int | None = None,
    ) -> None:
        """Fail the next ``n`` calls of ``method`` (``"*"``: of any method).

        With ``drop`` the connection closes without an answer; with ``applied`` the call takes
        effect before it fails, so the bot cannot know it went through.
        """
        text = description or {502: "Bad Gateway", 429: "Too Many Requests"}.get(
            status, "Internal Server Error"
        )
        fault = Fault(status, text, drop=drop, applied=applied, retry_after=retry_after)
        self._faults[method].extend([fault] * n)

    # -- HTTP ---------------------------------------------------------------------------------

    async def _params(self, request: Request) -> dict[str, Any]:
        params: dict[str, Any] = dict(request.query_params)
        content_type = request.headers.get("content-type", "")
        if content_type.startswith("application/json"):
            try:
                params.update(json.loads(await request.body() or b"{}"))
            except ValueError:
                raise bad_request("can't parse JSON object") from None
        elif content_type.startswith(("multipart/form-data", "application/x-www-form-urlencoded")):
            form = await request.form(max_part_size=64 * 1024 * 1024)
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
                try:
                    params[key] = json.loads(params[key])
                except ValueError:
                    raise bad_request(f"can't parse {key} JSON object") from None
        return params

    async def _api(self, request: Request) -> Response:
        try:
            if request.path_params["token"] != self.token:
                raise ApiError(401, "Unauthorized")
            method = self._methods.get(request.path_params["method"].lower())
            params = await self._params(request)
            self.calls.append((method or request.path_params["method"], params))
            if self.latency:
                await asyncio.sleep(self.latency)
            if method is None:
                raise ApiError(404, "Not Found")
            faults = self._faults.get(method) or self._faults.get("*")
            if faults:
                fault = faults.popleft()
                self.stats.injected_faults += 1
                if fault.applied:
                    with contextlib.suppress(ApiError):
                        await self._call(method, params)
                if fault.drop:
                    return _Dropped()
                raise ApiError(fault.status, fault.description, fault.retry_after)
            result = await self._call(method, params)
        except ApiError as error:
            body: dict[str, Any] = {
                "ok": False,
                "error_code": error.code,
                "description": error.description,
            }
            if error.retry_after is not None:
                body["parameters"] = {"retry_after": error.retry_after}
            return JSONResponse(body, status_code=error.code)
        return JSONResponse({"ok": True, "result": result})

    async def _call(self, method: str, params: dict[str, Any]) -> Any:
        chat_id = as_int(params.get("chat_id"))
        if chat_id is not None and chat_id in self.blocked_chats:
            self.stats.forbidden += 1
            raise ApiError(403, "Forbidden: bot was blocked by the user")
        if method in SENDING and chat_id is not None and self.limits is not None:
            if self._flood is None or self._flood.limits is not self.limits:
                self._flood = FloodControl(self.limits)
            count = len(params.get("media") or []) if method == "sendMediaGroup" else 1
            retry_after = self._flood.admit(chat_id, count)
            if retry_after is not None:
                self.stats.too_many_requests += 1
                raise ApiError(429, f"Too Many Requests: retry after {retry_after}", retry_after)
        result = await getattr(self, f"_m_{method}")(params)
        if method.startswith("edit"):
            self.stats.edits += 1
        elif method in SENDING and chat_id is not None:
            for _ in result if isinstance(result, list) else [result]:
                self.stats.sent += 1
                self.stats.per_chat[chat_id].append(
                    str(params.get("text", params.get("caption", "")))
                )
        return result

    async def _download(self, request: Request) -> Response:
        stored = self.downloadable(request.path_params["path"])
        if request.path_params["token"] != self.token or stored is None:
            return JSONResponse(
                {"ok": False, "error_code": 404, "description": "Not Found"}, status_code=404
            )
        return Response(stored.data, media_type="application/octet-stream")
