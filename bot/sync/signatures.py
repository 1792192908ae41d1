"""Marketplace webhook signatures: the Standard Webhooks check every delivery meets first.

The marketplace signs ``webhook-id.webhook-timestamp.body`` with the shared secret
(``CHOPNI_WEBHOOK_SECRET``); a delivery whose signature is wrong, missing or older than the
library's tolerance (five minutes) is refused before anything is parsed or stored.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping

from standardwebhooks.webhooks import Webhook, WebhookVerificationError

log = logging.getLogger(__name__)

HEADERS = ("webhook-id", "webhook-timestamp", "webhook-signature")


class Signatures:
    def __init__(self, secret: str) -> None:
        self._webhook = Webhook(secret)

    def verified_id(self, body: bytes, headers: Mapping[str, str]) -> str | None:
        """The delivery's ``webhook-id`` when its signature is good and fresh, else None."""
        wanted = {name: headers[name] for name in HEADERS if name in headers}
        try:
            self._webhook.verify(body, wanted, json_parse=False)
        except (WebhookVerificationError, ValueError) as exc:  # ValueError: undecodable parts
            log.warning("webhook rejected: %s", exc)
            return None
        return wanted["webhook-id"]
