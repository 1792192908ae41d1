"""The HTTP listener: marketplace webhooks, the admin API, Telegram webhook mode, health, metrics.

Starlette beside PTB on one event loop (PTB's custom-webhook pattern): Telegram updates received
here go straight into ``application.update_queue``.

Every endpoint is a module-level function that finds the parts it needs in
``request.app.state.services`` (an :class:`HttpServices`), so each can be tested alone with a
Starlette app whose state holds stand-ins. :func:`build_http_app` is the only assembly.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
import time
from pathlib import Path
from typing import Any, Protocol

from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy.exc import SQLAlchemyError
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from telegram import Bot, Update
from telegram.ext import Application

from bot import metrics
from bot.board.routes import ROUTES as BOARD_ROUTES
from bot.domain.identifiers import valid_seller_id
from bot.reminders.sweep import Reminders
from bot.settings import Settings
from bot.sync.events import EventProcessor
from bot.sync.inbox import Outcome, WebhookReceiver
from bot.team.linking import Linker
from storage.database import Database

log = logging.getLogger(__name__)

OPENAPI = Path(__file__).with_name("openapi.json")
#: seconds /healthz waits for the database before answering 503
HEALTH_TIMEOUT = 5.0


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
    # isdigit() alone accepts "²" (headers are latin-1), which int() refuses.
    if declared is not None and declared.isascii() and declared.isdigit() and int(declared) > limit:
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


def parse_update(body: bytes, bot: Bot) -> Update | None:
    """The Telegram update in ``body``, or None when it is not one."""
    try:
        data = json.loads(body)
    except (ValueError, RecursionError):  # RecursionError: JSON nested thousands deep
        return None
    if not isinstance(data, dict) or type(data.get("update_id")) is not int:
        return None
    try:
        return Update.de_json(data, bot)
    except Exception:  # PTB's parsers raise whatever a malformed field makes them raise
        return None


async def not_found(request: Request, exc: Exception) -> Response:
    """Starlette's own 404/405 as problem details, like every other refusal here."""
    assert isinstance(exc, HTTPException)
    response = problem(exc.status_code, exc.detail)
    response.headers.update(exc.headers or {})
    return response


async def too_deep(request: Request, exc: Exception) -> Response:
    """Input nested deeper than a parser can follow is malformed input, not a server fault."""
    log.warning("request to %s refused: nested too deeply", request.url.path)
    return problem(400, "Malformed request", "nested too deeply")


class HttpServices(Protocol):
    """What the endpoints use; the composition root's ``Runtime`` is one."""

    settings: Settings
    db: Database
    receiver: WebhookReceiver
    events: EventProcessor
    linker: Linker
    reminders: Reminders
    application: Application[Any, Any, Any, Any, Any, Any]
    bot_username: str | None


def services(request: Request) -> HttpServices:
    found: HttpServices = request.app.state.services
    return found


async def chopni_webhook(request: Request) -> Response:
    """A marketplace webhook: verified and stored before it is acknowledged."""
    runtime = services(request)
    started = time.perf_counter()
    try:
        body = await read_body(request, runtime.settings.max_request_bytes)
    except BodyTooLarge:
        metrics.WEBHOOKS.labels("too_large").inc()
        return problem(413, "Payload too large")
    try:
        outcome = await runtime.receiver.receive(body, request.headers)
    except (SQLAlchemyError, OSError) as exc:
        log.error("webhook not stored, the database failed: %s", type(exc).__name__)
        metrics.WEBHOOKS.labels("unavailable").inc()
        return problem(503, "Database unavailable", "not stored; deliver it again later")
    metrics.WEBHOOKS.labels(outcome.value).inc()
    metrics.WEBHOOK_SECONDS.observe(time.perf_counter() - started)
    if outcome is Outcome.BAD_SIGNATURE:
        return problem(401, "Invalid webhook signature", "bad, missing or stale signature")
    if outcome is Outcome.MALFORMED:
        return problem(400, "Malformed event")
    if outcome is Outcome.STORED:
        runtime.events.wake()
    return Response(status_code=204)


def admin_refusal(request: Request, settings: Settings) -> Response | None:
    """The answer to an admin call that is not allowed, or None to go ahead."""
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
    """Issue a one-time link code for a seller (admin)."""
    runtime = services(request)
    if (refusal := admin_refusal(request, runtime.settings)) is not None:
        return refusal
    seller_id = request.path_params["seller_id"]
    if not valid_seller_id(seller_id):
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
    """Run the stalled-orders sweep now, whatever the hour (admin)."""
    runtime = services(request)
    if (refusal := admin_refusal(request, runtime.settings)) is not None:
        return refusal
    sent = await runtime.reminders.sweep(force=True)
    return JSONResponse({"sent": sent})


async def telegram_webhook(request: Request) -> Response:
    """Webhook mode: an update from Telegram, handed to PTB's update queue."""
    runtime = services(request)
    settings = runtime.settings
    expected = settings.telegram_webhook_secret
    if settings.telegram_webhook_url is None or expected is None:
        return problem(404, "Telegram webhook mode is off")
    given = request.headers.get("x-telegram-bot-api-secret-token")
    if not secret_matches(given, expected.get_secret_value()):
        return problem(401, "Unauthorized")
    try:
        body = await read_body(request, settings.max_request_bytes)
    except BodyTooLarge:
        return problem(413, "Payload too large")
    update = parse_update(body, runtime.application.bot)
    if update is None:
        return problem(400, "Malformed update")
    await runtime.application.update_queue.put(update)
    return Response(status_code=200)


async def healthz(request: Request) -> Response:
    """Up when the database answers within HEALTH_TIMEOUT."""
    try:
        async with asyncio.timeout(HEALTH_TIMEOUT):
            await services(request).db.ping()
    except Exception as exc:
        log.warning("health check failed: %s", type(exc).__name__)
        return JSONResponse({"status": "unavailable", "database": "down"}, status_code=503)
    return JSONResponse({"status": "ok", "database": "up"})


async def openapi(request: Request) -> Response:
    return Response(OPENAPI.read_bytes(), media_type="application/json")


async def metrics_endpoint(request: Request) -> Response:
    return Response(generate_latest(metrics.REGISTRY), media_type=CONTENT_TYPE_LATEST)


ROUTES = [
    Route("/webhooks/chopni", chopni_webhook, methods=["POST"]),
    Route("/admin/sellers/{seller_id}/link-codes", link_codes, methods=["POST"]),
    Route("/admin/reminders/run", run_reminders, methods=["POST"]),
    Route("/telegram", telegram_webhook, methods=["POST"]),
    Route("/healthz", healthz, methods=["GET"]),
    Route("/metrics", metrics_endpoint, methods=["GET"]),
    Route("/openapi.json", openapi, methods=["GET"]),
]


def build_http_app(runtime: HttpServices) -> Starlette:
    app = Starlette(
        routes=[*ROUTES, *BOARD_ROUTES],
        exception_handlers={HTTPException: not_found, RecursionError: too_deep},
    )
    app.state.services = runtime
    return app
