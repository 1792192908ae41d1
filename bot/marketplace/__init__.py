"""The marketplace seen from the bot: one interface, a real HTTP client and a built-in sandbox.

Handlers and dispatchers depend only on :class:`Marketplace`. ``client.HttpMarketplace`` speaks
to the real REST API; the sandbox is an ASGI app that the same client reaches in-process, so the
sandbox never becomes a second code path.
"""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from bot.domain.lifecycle import Status
from bot.marketplace.schemas import Attachment, Message, Order, StatusChangeRequest


class MarketplaceError(Exception):
    """Base of every failure talking to the marketplace."""


class MarketplaceUnavailable(MarketplaceError):
    """A transient failure (network, timeout, 5xx, 429): the same request may be retried."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class MarketplaceConflict(MarketplaceError):
    """409: the change is not allowed from the order's current status, which is given."""

    def __init__(self, current_status: Status | None, detail: str | None = None) -> None:
        super().__init__(detail or f"conflict, current status {current_status}")
        self.current_status = current_status
        self.detail = detail


class MarketplaceRejected(MarketplaceError):
    """Any other 4xx: the request itself is wrong and retrying will not help."""

    def __init__(self, status_code: int, detail: str | None = None) -> None:
        super().__init__(f"{status_code}: {detail}")
        self.status_code = status_code
        self.detail = detail


class Marketplace(Protocol):
    async def get_order(self, order_id: str) -> Order: ...

    async def list_seller_orders(
        self,
        seller_id: str,
        *,
        updated_since: datetime | None = None,
        cursor: str | None = None,
        limit: int = 200,
    ) -> tuple[list[Order], str | None]: ...

    async def change_status(
        self, order_id: str, change: StatusChangeRequest, *, idempotency_key: str
    ) -> Order: ...

    async def send_message(
        self, order_id: str, text: str, attachment_ids: list[str], *, idempotency_key: str
    ) -> Message: ...

    async def upload_file(
        self, filename: str, content_type: str, data: bytes, *, idempotency_key: str
    ) -> Attachment: ...

    async def download_file(self, file_id: str) -> bytes: ...

    async def aclose(self) -> None: ...
