"""The sandbox marketplace's REST API: the paths of chopni-platform.openapi.yaml as Starlette.

Authentication is optional (checked only when the sandbox was given a token). Every POST needs an
``Idempotency-Key`` (400 without one); its first answer — success or problem — is stored in the
same transaction as the change, so a repeated key gets that answer back and changes nothing,
while the same key on a different request is refused with 422. Errors are RFC 9457 problems;
a refused status change is a 409 naming ``current_status``.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime
from urllib.parse import quote

from sqlalchemy.exc import IntegrityError
from starlette.applications import Starlette
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from bot.domain.lifecycle import Status
from bot.marketplace.sandbox.data import iso, new_id
from bot.marketplace.sandbox.rules import Problem, check_message, check_status_change, parse_json
from bot.marketplace.sandbox.store import Answer, Document, SandboxStore, Unit

log = logging.getLogger(__name__)

MAX_FILE_BYTES = 20 * 1024 * 1024
#: room for the multipart framing around a file of the largest size
MULTIPART_OVERHEAD = 64 * 1024
MAX_IDEMPOTENCY_KEY = 255

Endpoint = Callable[[Request], Awaitable[Response]]
Work = Callable[[Unit], Awaitable[tuple[int, Document]]]


def _respond(status: int, body: Document) -> JSONResponse:
    media_type = "application/problem+json" if status >= 400 else "application/json"
    return JSONResponse(body, status_code=status, media_type=media_type)


def _fingerprint(*parts: bytes | str) -> str:
    digest = hashlib.sha256()
    for part in parts:
        data = part.encode() if isinstance(part, str) else part
        digest.update(len(data).to_bytes(8, "big") + data)
    return digest.hexdigest()


def _canonical(raw: bytes) -> bytes:
    """A JSON body in one spelling, so that a re-serialised retry still matches its first try."""
    try:
        return json.dumps(json.loads(raw), sort_keys=True, separators=(",", ":")).encode()
    except ValueError:
        return raw


def _sort_key(order: Document) -> tuple[datetime, str]:
    return datetime.fromisoformat(order["placed_at"]), order["id"]


def _encode_cursor(order: Document) -> str:
    raw = json.dumps([order["placed_at"], order["id"]]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode_cursor(cursor: str) -> tuple[datetime, str]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        placed_at, order_id = json.loads(raw)
        return datetime.fromisoformat(placed_at), str(order_id)
    except (binascii.Error, ValueError, TypeError) as exc:
        raise Problem(400, "Bad cursor", "the cursor is not one this API handed out") from exc


def _query_params(request: Request) -> tuple[Status | None, datetime | None, int]:
    params = request.query_params
    try:
        status = Status(params["status"]) if "status" in params else None
    except ValueError as exc:
        raise Problem(400, "Bad status", f"unknown status {params['status']!r}") from exc
    since = None
    if "updated_since" in params:
        try:
            since = datetime.fromisoformat(params["updated_since"])
        except ValueError as exc:
            raise Problem(400, "Bad updated_since", "expected an RFC 3339 date-time") from exc
        if since.tzinfo is None:
            raise Problem(400, "Bad updated_since", "the date-time needs a UTC offset")
    try:
        limit = int(params.get("limit", "50"))
    except ValueError:
        limit = 0
    if not 1 <= limit <= 200:
        raise Problem(400, "Bad limit", "limit is an integer from 1 to 200")
    return status, since, limit


class SandboxApi:
    """Builds the Starlette app over a :class:`SandboxStore`."""

    def __init__(
        self,
        store: SandboxStore,
        *,
        api_token: str | None,
        before_request: Callable[[], Awaitable[None]],
    ) -> None:
        self._store = store
        self._api_token = api_token
        self._before_request = before_request

    def build(self) -> Starlette:
        routes = [
            Route("/v1/orders/{order_id}", self._guard(self.get_order), methods=["GET"]),
            Route("/v1/sellers/{seller_id}/orders", self._guard(self.list_orders), methods=["GET"]),
            Route(
                "/v1/orders/{order_id}/status", self._guard(self.change_status), methods=["POST"]
            ),
            Route(
                "/v1/orders/{order_id}/messages", self._guard(self.send_message), methods=["POST"]
            ),
            Route("/v1/files", self._guard(self.upload_file), methods=["POST"]),
            Route("/v1/files/{file_id}", self._guard(self.download_file), methods=["GET"]),
        ]
        return Starlette(routes=routes, exception_handlers={HTTPException: self._http_error})

    async def _http_error(self, request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        return _respond(exc.status_code, Problem(exc.status_code, exc.detail).body())

    def _guard(self, endpoint: Endpoint) -> Endpoint:
        async def guarded(request: Request) -> Response:
            try:
                self._authorise(request)
                await self._before_request()
                return await endpoint(request)
            except Problem as problem:
                return _respond(problem.status, problem.body())
            except HTTPException as exc:  # e.g. a malformed multipart body
                return _respond(exc.status_code, Problem(exc.status_code, exc.detail).body())
            except Exception:
                # In-process callers (httpx.ASGITransport) would otherwise get the raw exception.
                log.exception("sandbox %s %s failed", request.method, request.url.path)
                return _respond(500, Problem(500, "Internal error").body())

        return guarded

    def _authorise(self, request: Request) -> None:
        if self._api_token is None:
            return
        given = request.headers.get("authorization", "").encode()
        if not hmac.compare_digest(given, f"Bearer {self._api_token}".encode()):
            raise Problem(401, "Unauthorized", "a valid bearer token is required")

    async def get_order(self, request: Request) -> Response:
        doc = await self._store.order(request.path_params["order_id"])
        if doc is None:
            raise Problem(404, "Order not found")
        return _respond(200, doc["order"])

    async def list_orders(self, request: Request) -> Response:
        status, since, limit = _query_params(request)
        cursor = request.query_params.get("cursor")
        after = _decode_cursor(cursor) if cursor else None
        orders = await self._store.seller_orders(request.path_params["seller_id"], since)
        orders = [o for o in orders if status is None or o["status"] == status.value]
        orders.sort(key=_sort_key, reverse=True)
        if after is not None:
            orders = [o for o in orders if _sort_key(o) < after]
        page = orders[:limit]
        next_cursor = _encode_cursor(page[-1]) if len(orders) > limit else None
        return _respond(200, {"orders": page, "next_cursor": next_cursor})

    async def change_status(self, request: Request) -> Response:
        order_id = request.path_params["order_id"]
        raw = await request.body()
        key = self._idempotency_key(request)

        async def work(unit: Unit) -> tuple[int, Document]:
            doc = await unit.order(order_id, lock=True)
            if doc is None:
                raise Problem(404, "Order not found")
            change = check_status_change(parse_json(raw), Status(doc["order"]["status"]))
            unit.record_change(doc, change, source="seller", idempotency_key=key)
            await unit.save_order(doc)
            if change["status"] == Status.COMPLETE:
                await unit.verify_later(order_id)
            return 200, doc["order"]

        return await self._idempotent(key, _fingerprint(request.url.path, _canonical(raw)), work)

    async def send_message(self, request: Request) -> Response:
        order_id = request.path_params["order_id"]
        raw = await request.body()
        key = self._idempotency_key(request)

        async def work(unit: Unit) -> tuple[int, Document]:
            if await unit.order(order_id) is None:
                raise Problem(404, "Order not found")
            text, file_ids = check_message(parse_json(raw))
            attachments = await unit.attachments(file_ids)
            if None in attachments:
                raise Problem(422, "Unknown attachment", "upload the file with POST /v1/files")
            message = {
                "id": new_id("msg"),
                "order_id": order_id,
                "author": "seller",
                "text": text,
                "sent_at": iso(unit.now),
                "attachments": attachments,
            }
            await unit.add_message(message)
            return 201, message

        return await self._idempotent(key, _fingerprint(request.url.path, _canonical(raw)), work)

    async def upload_file(self, request: Request) -> Response:
        key = self._idempotency_key(request)
        declared = request.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > MAX_FILE_BYTES + MULTIPART_OVERHEAD:
            raise Problem(413, "File too large", "a file may have at most 20 MB")
        async with request.form(max_files=1) as form:
            upload = form.get("file")
            if not isinstance(upload, UploadFile):
                raise Problem(422, "No file", "send the bytes as the multipart part 'file'")
            data = await upload.read(MAX_FILE_BYTES + 1)
            filename = upload.filename or "file"
            content_type = upload.content_type or "application/octet-stream"

        async def work(unit: Unit) -> tuple[int, Document]:
            if len(data) > MAX_FILE_BYTES:
                raise Problem(413, "File too large", "a file may have at most 20 MB")
            return 201, await unit.add_file(filename, content_type, data)

        fingerprint = _fingerprint(request.url.path, filename, content_type, data)
        return await self._idempotent(key, fingerprint, work)

    async def download_file(self, request: Request) -> Response:
        stored = await self._store.file(request.path_params["file_id"])
        if stored is None:
            raise Problem(404, "File not found")
        disposition = f"attachment; filename*=UTF-8''{quote(stored.filename, safe='')}"
        return Response(
            stored.data,
            media_type="application/octet-stream",
            headers={"Content-Disposition": disposition},
        )

    @staticmethod
    def _idempotency_key(request: Request) -> str:
        key = request.headers.get("idempotency-key", "")
        if not key or len(key) > MAX_IDEMPOTENCY_KEY:
            raise Problem(400, "Idempotency-Key required", "every POST needs 1-255 characters")
        return key

    async def _idempotent(self, key: str, fingerprint: str, work: Work) -> Response:
        """Answer with the stored first answer for ``key``, or do the work and store its answer."""
        answer = await self._answer(key, fingerprint, work)
        if answer.fingerprint != fingerprint:
            detail = "this Idempotency-Key was already used for a different request"
            raise Problem(422, "Idempotency-Key reused", detail)
        return _respond(answer.status, answer.body)

    async def _answer(self, key: str, fingerprint: str, work: Work) -> Answer:
        for attempt in (1, 2):
            try:
                async with self._store.unit() as unit:
                    known = await unit.answer(key)
                    if known is not None:
                        return known
                    try:
                        status, body = await work(unit)
                    except Problem as problem:
                        await unit.rollback()
                        status, body = problem.status, problem.body()
                    answer = Answer(fingerprint, status, body)
                    await unit.remember(key, answer)
                    await unit.commit()
                    return answer
            except IntegrityError:
                # The same key raced in through another worker and committed first; its
                # answer is the one to give.
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")
