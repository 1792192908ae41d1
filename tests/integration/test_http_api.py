"""The bot's HTTP side: its OpenAPI description holds under generated requests (no 5xx, answers
as documented), admin routes need the token, bodies are size-limited, health tells the truth."""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
import schemathesis
import uvicorn
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    positive_data_acceptance,
    response_schema_conformance,
    status_code_conformance,
)

from bot.app import Runtime
from bot.logs import Redact
from bot.settings import load_settings
from storage.migrate import upgrade
from testkit.ports import free_port

ADMIN = "admin-token-for-tests"
TOKEN = "123456:HTTP-TEST-token"


def build_runtime(url: str, **overrides: object) -> Runtime:
    options: dict[str, object] = {"admin_token": ADMIN, "telegram_api_url": "http://127.0.0.1:9"}
    options.update(overrides)
    settings = load_settings(bot_token=TOKEN, database_url=url, **options)
    runtime = Runtime(settings, token=TOKEN)
    runtime.application.bot_data.runtime = runtime
    return runtime


@pytest.fixture
async def client(database_url: str) -> AsyncIterator[httpx.AsyncClient]:
    runtime = build_runtime(database_url)
    await upgrade(runtime.db.engine)
    transport = httpx.ASGITransport(app=runtime.http)
    async with httpx.AsyncClient(transport=transport, base_url="http://bot") as test_client:
        yield test_client
    await runtime.aclose()


@pytest.fixture
def served(tmp_path: Path) -> Iterator[str]:
    """The HTTP app on a real loopback port, in a thread with its own event loop."""
    runtime = build_runtime(f"sqlite+aiosqlite:///{tmp_path / 'contract.db'}")
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(runtime.http, host="127.0.0.1", port=port, log_config=None, lifespan="off")
    )

    async def serve() -> None:
        await upgrade(runtime.db.engine)
        await server.serve()
        await runtime.aclose()

    import asyncio

    thread = threading.Thread(target=lambda: asyncio.run(serve()), daemon=True)
    thread.start()
    while not server.started:
        thread.join(0.01)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(10)


@pytest.mark.slow
def test_no_route_answers_5xx_or_off_contract(served: str) -> None:
    schema = schemathesis.openapi.from_url(f"{served}/openapi.json")
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 6
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
        def check(case: schemathesis.Case) -> None:
            case.call_and_validate(
                headers={"Authorization": f"Bearer {ADMIN}"},
                checks=[
                    not_a_server_error,
                    status_code_conformance,
                    content_type_conformance,
                    response_schema_conformance,
                ],
                # Generated bodies and signatures are refused by design (401/400/413/422):
                # refusing them is not a fault here, answering 5xx or off-contract would be.
                excluded_checks=[positive_data_acceptance],
            )

        check()


async def test_admin_routes_refuse_a_wrong_token(client: httpx.AsyncClient) -> None:
    for headers in (
        {},
        {"Authorization": "Bearer wrong"},
        {"Authorization": "Bearer ключ".encode()},
    ):
        response = await client.post("/admin/reminders/run", headers=headers)
        assert response.status_code == 401
        assert response.headers["content-type"] == "application/problem+json"


async def test_admin_routes_are_off_without_an_admin_token(database_url: str) -> None:
    runtime = build_runtime(database_url, admin_token=None)
    transport = httpx.ASGITransport(app=runtime.http)
    async with httpx.AsyncClient(transport=transport, base_url="http://bot") as test_client:
        response = await test_client.post(
            "/admin/sellers/s1/link-codes", headers={"Authorization": "Bearer anything"}
        )
    await runtime.aclose()
    assert response.status_code == 404


async def test_a_link_code_is_issued_for_a_valid_seller_id_only(client: httpx.AsyncClient) -> None:
    auth = {"Authorization": f"Bearer {ADMIN}"}
    created = await client.post("/admin/sellers/shop-1/link-codes", headers=auth)
    assert created.status_code == 201
    assert created.json()["url"].endswith(created.json()["code"])
    bad = await client.post("/admin/sellers/bad%20id!/link-codes", headers=auth)
    assert bad.status_code == 422


async def test_an_oversized_webhook_is_refused(client: httpx.AsyncClient) -> None:
    response = await client.post("/webhooks/chopni", content=b"x" * 2_000_000)
    assert response.status_code == 413


async def test_an_unsigned_webhook_is_refused(client: httpx.AsyncClient) -> None:
    body = json.dumps(
        {"id": "e1", "type": "order.updated", "created_at": "2026-11-22T00:00:00Z", "data": {}}
    )
    assert (await client.post("/webhooks/chopni", content=body)).status_code == 401


async def test_health_is_200_with_a_database_and_503_without(
    client: httpx.AsyncClient, tmp_path: Path
) -> None:
    assert (await client.get("/healthz")).status_code == 200
    runtime = build_runtime(f"sqlite+aiosqlite:///{tmp_path}/no/such/dir.db")
    transport = httpx.ASGITransport(app=runtime.http)
    async with httpx.AsyncClient(transport=transport, base_url="http://bot") as test_client:
        assert (await test_client.get("/healthz")).status_code == 503
    await runtime.aclose()


async def test_metrics_count_webhooks(client: httpx.AsyncClient) -> None:
    await client.post("/webhooks/chopni", content=b"{}")
    text = (await client.get("/metrics")).text
    assert 'chopni_webhooks_total{outcome="bad_signature"}' in text


def test_secrets_never_reach_the_logs() -> None:
    record = logging.LogRecord(
        "httpx",
        logging.INFO,
        __file__,
        1,
        "HTTP Request: POST https://api.telegram.org/bot%s/getUpdates",
        (TOKEN,),
        None,
    )
    Redact([TOKEN, ADMIN]).filter(record)
    assert TOKEN not in record.getMessage()
    assert "***" in record.getMessage()
