"""The HTTP listener: marketplace webhooks, the admin API, Telegram webhook mode, health, metrics.

Starlette beside PTB on one event loop (PTB's custom-webhook pattern): Telegram updates received
here go straight into ``application.update_queue``.
"""

from __future__ import annotations

import hmac
import json
import logging
import re
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from telegram import Update

from bot import metrics
from bot.inbox import Outcome

if TYPE_CHECKING:
    from bot.app import Runtime

log = logging.getLogger(__name__)

OPENAPI = Path(__file__).with_name("openapi.json")
_SELLER_ID = re.compile(r"^[A-Za-z0-9_.:-]{1,100}$")


class BodyTooLarge(Exception):
    pass


def problem(status: int, title: str, detail: str | None = None) -> JSONResponse:
    body: dict[str, Any] = {"type": "about:blank", "title": title, "status": status}
    if detail:
        body["detail"] = detail
    return JSONResponse(body, status_code=status, media_type="application/problem+json")


async def read_body(request: Request, limit: int) -> bytes:
    """The request body, refusing more than ``limit`` bytes without reading it all."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise BodyTooLarge
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise BodyTooLarge
        chunks.append(chunk)
    return b"".join(chunks)


def secret_matches(given: str | None, expected: str) -> bool:
    return given is not None and hmac.compare_digest(given.encode(), expected.encode())


def build_http_app(runtime: Runtime) -> Starlette:
    settings = runtime.settings
    limit = settings.max_request_bytes

    async def chopni_webhook(request: Request) -> Response:
        started = time.perf_counter()
        try:
            body = await read_body(request, limit)
        except BodyTooLarge:
            metrics.WEBHOOKS.labels("too_large").inc()
            return problem(413, "Payload too large")
        outcome = await runtime.receiver.receive(body, request.headers)
        metrics.WEBHOOKS.labels(outcome.value).inc()
        metrics.WEBHOOK_SECONDS.observe(time.perf_counter() - started)
        if outcome is Outcome.BAD_SIGNATURE:
            return problem(401, "Invalid webhook signature", "bad, missing or stale signature")
        if outcome is Outcome.MALFORMED:
            return problem(400, "Malformed event")
        if outcome is Outcome.STORED:
            runtime.events.wake()
        return Response(status_code=204)

    def admin_refusal(request: Request) -> Response | None:
        if settings.admin_token is None:
            return problem(404, "Admin API is off", "set ADMIN_TOKEN to enable it")
        header = request.headers.get("authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not secret_matches(
            token.strip(), settings.admin_token.get_secret_value()
        ):
            return problem(401, "Unauthorized")
        return None

    async def link_codes(request: Request) -> Response:
        if (refusal := admin_refusal(request)) is not None:
            return refusal
        seller_id = request.path_params["seller_id"]
        if not _SELLER_ID.match(seller_id):
            return problem(422, "Invalid seller id")
        issued = await runtime.linker.issue(seller_id)
        return JSONResponse(
            {
                "code": issued.code,
                "url": issued.deep_link(runtime.bot_username),
                "expires_at": issued.expires_at.isoformat(),
            },
            status_code=201,
        )

    async def run_reminders(request: Request) -> Response:
        if (refusal := admin_refusal(request)) is not None:
            return refusal
        sent = await runtime.reminders.sweep()
        return JSONResponse({"sent": sent})

    async def telegram_webhook(request: Request) -> Response:
        expected = settings.telegram_webhook_secret
        if settings.telegram_webhook_url is None or expected is None:
            return problem(404, "Telegram webhook mode is off")
        given = request.headers.get("x-telegram-bot-api-secret-token")
        if not secret_matches(given, expected.get_secret_value()):
            return problem(401, "Unauthorized")
        try:
            data = json.loads(await read_body(request, limit))
            update = Update.de_json(data, runtime.application.bot)
        except BodyTooLarge:
            return problem(413, "Payload too large")
        except (ValueError, TypeError, KeyError):
            return problem(400, "Malformed update")
        if update is None:
            return problem(400, "Malformed update")
        await runtime.application.update_queue.put(update)
        return Response(status_code=200)

    async def healthz(request: Request) -> Response:
        try:
            await runtime.db.ping()
        except Exception as exc:
            log.warning("health check failed: %s", type(exc).__name__)
            return JSONResponse({"status": "unavailable", "database": "down"}, status_code=503)
        return JSONResponse({"status": "ok", "database": "up"})

    async def openapi(request: Request) -> Response:
        return Response(OPENAPI.read_bytes(), media_type="application/json")

    async def metrics_endpoint(request: Request) -> Response:
        return Response(generate_latest(metrics.REGISTRY), media_type=CONTENT_TYPE_LATEST)

    routes = [
        Route("/webhooks/chopni", chopni_webhook, methods=["POST"]),
        Route("/admin/sellers/{seller_id}/link-codes", link_codes, methods=["POST"]),
        Route("/admin/reminders/run", run_reminders, methods=["POST"]),
        Route("/telegram", telegram_webhook, methods=["POST"]),
        Route("/healthz", healthz, methods=["GET"]),
        Route("/metrics", metrics_endpoint, methods=["GET"]),
        Route("/openapi.json", openapi, methods=["GET"]),
    ]
    return Starlette(routes=routes)
