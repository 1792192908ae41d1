"""Recording and fault injection in front of an ASGI app, for the loopback stand-ins.

:class:`FaultInjector` keeps every request (method, path, query, headers, body, the status it got)
and can add latency, answer a failure instead of the app, let the app apply a request and then
lose its answer, or drop the connection mid-answer (uvicorn closes it when a response starts and
never finishes).
"""

from __future__ import annotations

import asyncio
import json
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send


def _json(body: bytes, content_type: str) -> Any:
    if "json" not in content_type or not body:
        return None
    try:
        return json.loads(body)
    except ValueError:
        return None


@dataclass
class RecordedRequest:
    """One request as the marketplace received it, and the status it was answered with."""

    method: str
    path: str
    query: str
    headers: dict[str, str]
    body: bytes
    #: None while in flight, and when the connection was dropped instead of answered
    status: int | None = None

    @property
    def idempotency_key(self) -> str | None:
        return self.headers.get("idempotency-key")

    @property
    def json(self) -> Any:
        return _json(self.body, self.headers.get("content-type", ""))


@dataclass
class Failure:
    """How a request fails: an answer with this status, or a dropped connection."""

    status: int = 503
    retry_after: float | None = None
    apply: bool = False
    drop: bool = False


@dataclass
class FaultInjector:
    """ASGI middleware: records requests, adds latency, fails or drops them on demand."""

    app: ASGIApp
    requests: list[RecordedRequest] = field(default_factory=list)
    latency: float = 0.0
    down: bool = False
    down_failure: Failure = field(default_factory=Failure)
    failures: deque[Failure] = field(default_factory=deque)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        body = await _read_body(receive)
        headers: dict[str, str] = {}
        for raw_name, raw_value in scope["headers"]:
            name, value = raw_name.decode("latin-1").lower(), raw_value.decode("latin-1")
            headers[name] = f"{headers[name]}, {value}" if name in headers else value
        record = RecordedRequest(
            scope["method"], scope["path"], scope["query_string"].decode(), headers, body
        )
        self.requests.append(record)
        if self.latency:
            await asyncio.sleep(self.latency)
        failure = self.down_failure if self.down else None
        if failure is None and self.failures:
            failure = self.failures.popleft()
        if failure is None:
            await self.app(scope, _replay(body, receive), _watch(send, record))
            return
        if failure.apply:
            await self.app(scope, _replay(body, receive), _swallow)
        if failure.drop:
            # Headers without a body, then nothing: uvicorn closes the connection mid-answer.
            await send({"type": "http.response.start", "status": 200, "headers": []})
            return
        await _fail(send, failure)
        record.status = failure.status


async def _read_body(receive: Receive) -> bytes:
    chunks = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body"):
            break
    return b"".join(chunks)


def _replay(body: bytes, receive: Receive) -> Receive:
    replayed = False

    async def replay() -> Message:
        nonlocal replayed
        if replayed:
            return await receive()
        replayed = True
        return {"type": "http.request", "body": body, "more_body": False}

    return replay


def _watch(send: Send, record: RecordedRequest) -> Send:
    async def watched(message: Message) -> None:
        if message["type"] == "http.response.start":
            record.status = message["status"]
        await send(message)

    return watched


async def _swallow(message: Message) -> None:
    return None


async def _fail(send: Send, failure: Failure) -> None:
    title = "Too Many Requests" if failure.status == 429 else "Service Unavailable"
    body = json.dumps({"type": "about:blank", "title": title, "status": failure.status}).encode()
    headers = [(b"content-type", b"application/problem+json")]
    if failure.retry_after is not None:
        headers.append((b"retry-after", str(round(failure.retry_after)).encode()))
    await send({"type": "http.response.start", "status": failure.status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
