"""The marketplace's REST API (chopni-platform.openapi.yaml) through one ``httpx.AsyncClient``.

Each call is one attempt: retrying belongs to the caller's outbox, which re-sends the same
``Idempotency-Key``. Failures map onto the errors of :mod:`bot.marketplace`:

- no answer (connection refused or dropped, timeouts), 5xx, 429 and 408 ->
  :class:`MarketplaceUnavailable`, with ``retry_after`` from the ``Retry-After`` header;
- 409 -> :class:`MarketplaceConflict` with the ``current_status`` of the problem body;
- any other 4xx -> :class:`MarketplaceRejected`;
- a 2xx whose body does not match the schema -> :class:`MarketplaceBadAnswer`, which *is* a
  :class:`MarketplaceUnavailable`: the change may or may not have been applied, so the only safe
  move is the same request again under the same key. An operator sees the warning in the log.

The bearer token lives only in the client's default headers; nothing here logs or repeats it.
"""

from __future__ import annotations

import logging
import time
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any, TypeVar
from urllib.parse import quote

import httpx
from pydantic import BaseModel, ValidationError

from bot.domain.identifiers import collapsible_segment
from bot.domain.lifecycle import Status
from bot.marketplace import (
    MarketplaceConflict,
    MarketplaceError,
    MarketplaceRejected,
    MarketplaceUnavailable,
)
from bot.marketplace.schemas import Attachment, Message, Order, StatusChangeRequest
from bot.metrics import MARKETPLACE_SECONDS

log = logging.getLogger(__name__)

M = TypeVar("M", bound=BaseModel)

MAX_IDEMPOTENCY_KEY = 255
MAX_CONNECT_TIMEOUT = 5.0


class MarketplaceBadAnswer(MarketplaceUnavailable):
    """A 2xx whose body is not what the API promises; retried like any transient failure."""


class _OrderPage(BaseModel):
    orders: list[Order]
    next_cursor: str | None = None


def _segment(value: str) -> str:
    # "." and ".." survive quoting, and URL normalisation would then reach another path.
    if collapsible_segment(value):
        raise MarketplaceRejected(400, f"{value!r} cannot be a path segment")
    return quote(value, safe="")


def _checked_key(key: str) -> str:
    if not key or len(key) > MAX_IDEMPOTENCY_KEY or not (key.isascii() and key.isprintable()):
        raise ValueError("an Idempotency-Key is 1-255 printable ASCII characters")
    return key


def _timestamp(value: datetime) -> str:
    if value.tzinfo is None:
        raise ValueError("updated_since must be timezone-aware")
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def retry_after_seconds(value: str | None, now: datetime | None = None) -> float | None:
    """``Retry-After`` as seconds from now: either delay-seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


def _problem(response: httpx.Response) -> tuple[str | None, Status | None]:
    """The detail (or title) and ``current_status`` of an RFC 9457 body, when there is one."""
    try:
        body = response.json()
    except ValueError:
        text = response.text.strip()
        return (text[:300] or None), None
    if not isinstance(body, dict):
        return None, None
    detail = body.get("detail") or body.get("title")
    try:
        current: Status | None = Status(str(body.get("current_status")))
    except ValueError:
        current = None
    return (str(detail) if detail is not None else None), current


def error_for(response: httpx.Response) -> MarketplaceError:
    """The exception that a non-2xx answer stands for."""
    code = response.status_code
    detail, current = _problem(response)
    if code == 409:
        return MarketplaceConflict(current, detail)
    if code in (408, 429) or code >= 500:
        retry_after = retry_after_seconds(response.headers.get("retry-after"))
        return MarketplaceUnavailable(f"HTTP {code}: {detail}", retry_after=retry_after)
    if 400 <= code < 500:
        return MarketplaceRejected(code, detail)
    return MarketplaceUnavailable(f"unexpected HTTP {code}")


class HttpMarketplace:
    """:class:`bot.marketplace.Marketplace` over HTTP, against the real API or the sandbox."""

    def __init__(
        self,
        base_url: str,
        token: str | None,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        timeout: float = 10.0,
    ) -> None:
        headers = {"Accept": "application/json", "User-Agent": "chopni-seller-bot"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        self._client = httpx.AsyncClient(
            base_url=base_url.rstrip("/"),
            headers=headers,
            transport=transport,
            timeout=httpx.Timeout(timeout, connect=min(timeout, MAX_CONNECT_TIMEOUT)),
            follow_redirects=False,
        )

    def __repr__(self) -> str:
        return f"HttpMarketplace({str(self._client.base_url)!r})"

    async def get_order(self, order_id: str) -> Order:
        response = await self._send("get_order", "GET", f"/v1/orders/{_segment(order_id)}")
        return self._parse(Order, response)

    async def list_seller_orders(
        self,
        seller_id: str,
        *,
        updated_since: datetime | None = None,
        cursor: str | None = None,
        limit: int = 200,
        status: Status | None = None,
    ) -> tuple[list[Order], str | None]:
        """One page of the seller's orders, newest first, and the cursor of the next page."""
        params: dict[str, str | int] = {"limit": limit}
        if updated_since is not None:
            params["updated_since"] = _timestamp(updated_since)
        if cursor:
            params["cursor"] = cursor
        if status is not None:
            params["status"] = status.value
        path = f"/v1/sellers/{_segment(seller_id)}/orders"
        response = await self._send("list_seller_orders", "GET", path, params=params)
        page = self._parse(_OrderPage, response)
        return page.orders, page.next_cursor

    async def change_status(
        self, order_id: str, change: StatusChangeRequest, *, idempotency_key: str
    ) -> Order:
        response = await self._send(
            "change_status",
            "POST",
            f"/v1/orders/{_segment(order_id)}/status",
            idempotency_key=idempotency_key,
            json=change.to_json(),
        )
        return self._parse(Order, response)

    async def send_message(
        self, order_id: str, text: str, attachment_ids: list[str], *, idempotency_key: str
    ) -> Message:
        response = await self._send(
            "send_message",
            "POST",
            f"/v1/orders/{_segment(order_id)}/messages",
            idempotency_key=idempotency_key,
            json={"text": text, "attachment_ids": list(attachment_ids)},
        )
        return self._parse(Message, response)

    async def upload_file(
        self, filename: str, content_type: str, data: bytes, *, idempotency_key: str
    ) -> Attachment:
        response = await self._send(
            "upload_file",
            "POST",
            "/v1/files",
            idempotency_key=idempotency_key,
            files={"file": (filename, data, content_type)},
        )
        return self._parse(Attachment, response)

    async def download_file(self, file_id: str) -> bytes:
        response = await self._send(
            "download_file",
            "GET",
            f"/v1/files/{_segment(file_id)}",
            headers={"Accept": "application/octet-stream, */*"},
        )
        return response.content

    async def aclose(self) -> None:
        await self._client.aclose()

    async def _send(
        self,
        kind: str,
        method: str,
        path: str,
        *,
        idempotency_key: str | None = None,
        headers: dict[str, str] | None = None,
        **kwargs: Any,
    ) -> httpx.Response:
        headers = dict(headers or {})
        if method == "POST":
            headers["Idempotency-Key"] = _checked_key(idempotency_key or "")
        started = time.perf_counter()
        try:
            response = await self._client.request(method, path, headers=headers, **kwargs)
        except httpx.TimeoutException as exc:
            log.info("marketplace %s %s timed out", method, path)
            raise MarketplaceUnavailable(f"{kind}: timed out ({type(exc).__name__})") from exc
        except httpx.RequestError as exc:
            log.info("marketplace %s %s failed: %s", method, path, type(exc).__name__)
            raise MarketplaceUnavailable(f"{kind}: {type(exc).__name__}: {exc}") from exc
        finally:
            MARKETPLACE_SECONDS.labels(kind).observe(time.perf_counter() - started)
        if response.is_success:
            return response
        error = error_for(response)
        log.info("marketplace %s %s answered %s", method, path, response.status_code)
        raise error

    @staticmethod
    def _parse(model: type[M], response: httpx.Response) -> M:
        try:
            return model.model_validate_json(response.content)
        except ValidationError as exc:
            where = ", ".join(
                ".".join(str(part) for part in error["loc"]) or "body"
                for error in exc.errors(include_input=False)[:3]
            )
            request = response.request
            log.warning(
                "marketplace %s %s answered %s with an invalid body (%s)",
                request.method,
                request.url.path,
                response.status_code,
                where,
            )
            raise MarketplaceBadAnswer(
                f"invalid {model.__name__} in a {response.status_code} answer: {where}"
            ) from exc
