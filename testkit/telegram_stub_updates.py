"""How updates reach the bot from the loopback Bot API: long polling or a webhook.

``getUpdates`` honours ``offset`` (confirming and forgetting earlier updates; negative for the
last few), ``limit``, ``timeout`` (answering as soon as an update exists) and ``allowed_updates``
(remembered between calls, Telegram's default leaving out ``chat_member`` and reactions). A newer
call ends an older waiting one with 409 Conflict, as a second bot instance would. Once the bot
sets a webhook, each update is POSTed to it in order, with the secret token header, until it
answers 2xx; ``getUpdates`` then answers 409.
"""

from __future__ import annotations

import contextlib
import itertools
import re
import time
from typing import Any

import httpx

from testkit.telegram_stub_api import BotApi, as_bool, as_int
from testkit.telegram_stub_records import ApiError, bad_request

#: what a bot gets when it never chose: everything but these
NOT_BY_DEFAULT = {"chat_member", "message_reaction", "message_reaction_count"}


def _kind(update: dict[str, Any]) -> str:
    return next(key for key in update if key != "update_id")


class UpdateMethods(BotApi):
    """getUpdates, setWebhook, deleteWebhook, getWebhookInfo, and the webhook delivery loop."""

    def __init__(self, token: str, username: str = "chopni_test_bot") -> None:
        super().__init__(token, username)
        #: the webhook the bot set: url, secret_token, max_connections, last_error_*
        self.webhook: dict[str, Any] = {}
        #: (update_id, HTTP status or None when the connection failed) per delivery attempt
        self.webhook_deliveries: list[tuple[int, int | None]] = []
        self.webhook_retry_delay = 0.2
        self._updates: list[dict[str, Any]] = []
        self._update_ids = itertools.count(1)
        self._allowed: list[str] | None = None
        self._poll = 0
        self._closing = False

    async def push_update(self, update: dict[str, Any]) -> int:
        """Queue a raw update (``{"message": {...}}``); returns its update_id."""
        update = {"update_id": next(self._update_ids), **update}
        for kind in ("message", "edited_message"):
            if isinstance(update.get(kind), dict) and "chat" in update[kind]:
                self.remember(update[kind])
        async with self._changed:
            self._updates.append(update)
            self._changed.notify_all()
        return int(update["update_id"])

    @property
    def pending_updates(self) -> list[dict[str, Any]]:
        """Updates the bot has not confirmed yet."""
        return list(self._updates)

    def _visible(self) -> list[dict[str, Any]]:
        allowed = self._allowed
        if allowed:
            return [u for u in self._updates if _kind(u) in allowed]
        return [u for u in self._updates if _kind(u) not in NOT_BY_DEFAULT]

    async def _m_getUpdates(self, params: dict[str, Any]) -> Any:
        if self.webhook:
            raise ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first",
            )
        offset = as_int(params.get("offset"))
        limit = min(max(as_int(params.get("limit")) or 100, 1), 100)
        timeout = min(float(params.get("timeout") or 0), 50.0)
        if "allowed_updates" in params:
            self._allowed = list(params["allowed_updates"] or []) or None
        if offset is not None and offset < 0:
            self._updates = self._updates[offset:]
        elif offset is not None:
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
        self._poll += 1
        mine = self._poll
        await self._notify()  # an older long poll learns it was superseded
        if not self._visible() and timeout > 0:
            await self.wait_changed(
                lambda: bool(self._visible()) or self._poll != mine or self._closing, timeout
            )
        if self._poll != mine:
            raise ApiError(
                409,
                "Conflict: terminated by other getUpdates request; "
                "make sure that only one bot instance is running",
            )
        visible = self._visible()
        self._updates = [u for u in self._updates if u in visible]  # unwanted kinds are lost
        return visible[:limit]

    async def _m_setWebhook(self, params: dict[str, Any]) -> Any:
        url = str(params.get("url") or "")
        secret = params.get("secret_token")
        if secret is not None and not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", str(secret)):
            raise bad_request("secret token contains unallowed characters")
        if url and not url.startswith(("https://", "http://")):
            raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
        if as_bool(params.get("drop_pending_updates")):
            self._updates.clear()
        if "allowed_updates" in params:
            self._allowed = list(params["allowed_updates"] or []) or None
        self.webhook = {}
        if url:
            self.webhook = {
                "url": url,
                "secret_token": secret,
                "max_connections": as_int(params.get("max_connections")) or 40,
            }
        self._poll += 1
        await self._notify()
        return True

    async def _m_deleteWebhook(self, params: dict[str, Any]) -> Any:
        if as_bool(params.get("drop_pending_updates")):
            self._updates.clear()
        self.webhook = {}
        return True

    async def _m_getWebhookInfo(self, params: dict[str, Any]) -> Any:
        info: dict[str, Any] = {
            "url": self.webhook.get("url", ""),
            "has_custom_certificate": False,
            "pending_update_count": len(self._updates),
        }
        if self.webhook:
            info["ip_address"] = "127.0.0.1"
            info["max_connections"] = self.webhook["max_connections"]
            for key in ("last_error_date", "last_error_message"):
                if key in self.webhook:
                    info[key] = self.webhook[key]
        if self._allowed:
            info["allowed_updates"] = self._allowed
        return info

    async def _deliver(self) -> None:
        """While a webhook is set, POST each update to it in order, retrying until it takes it."""
        async with httpx.AsyncClient(timeout=10) as client:
            while True:
                await self.wait_changed(lambda: bool(self.webhook and self._visible()), 3600)
                if not (self.webhook and self._visible()):
                    continue
                update, hook = self._visible()[0], dict(self.webhook)
                headers = {}
                if hook["secret_token"]:
                    headers["X-Telegram-Bot-Api-Secret-Token"] = str(hook["secret_token"])
                status: int | None = None
                try:
                    response = await client.post(hook["url"], json=update, headers=headers)
                    status = response.status_code
                    error = (
                        None
                        if response.is_success
                        else (f"Wrong response from the webhook: {status} {response.reason_phrase}")
                    )
                except httpx.HTTPError as exc:
                    error = f"Connection failed: {type(exc).__name__}"
                self.webhook_deliveries.append((int(update["update_id"]), status))
                if error is None:
                    with contextlib.suppress(ValueError):
                        self._updates.remove(update)
                    await self._notify()
                elif self.webhook:
                    self.webhook.update(last_error_date=int(time.time()), last_error_message=error)
                    await self.wait_changed(lambda: self._closing, self.webhook_retry_delay)
