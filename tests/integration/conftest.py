"""Fixtures the integration tests share: the loopback marketplace over HTTP and a client for it,
the sandbox marketplace in-process, the relay's file checker, and the board's shop with a client
of its HTTP API."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from bot.app import Runtime
from bot.marketplace.client import HttpMarketplace
from bot.marketplace.sandbox.marketplace import SandboxMarketplace
from bot.marketplace.schemas import Order
from bot.relay.files import FileChecker
from bot.scanning.pool import ScanPool
from storage.database import Database
from testkit.in_process_marketplace import WebhookSink, in_process, new_sandbox
from testkit.marketplace_stub import API_TOKEN, SELLER, MarketplaceStub, new_webhook_secret
from tests.integration.board_shop import open_shop


@pytest.fixture
async def stub(database_url: str, db: Database) -> AsyncIterator[MarketplaceStub]:
    """The marketplace over HTTP, its state in the test's database."""
    async with MarketplaceStub(database_url, webhook_secret=new_webhook_secret()) as marketplace:
        yield marketplace


@pytest.fixture
async def client(stub: MarketplaceStub) -> AsyncIterator[HttpMarketplace]:
    client = HttpMarketplace(stub.base_url, API_TOKEN, timeout=5.0)
    yield client
    await client.aclose()


@pytest.fixture
async def order(stub: MarketplaceStub) -> Order:
    """A paid order on the marketplace (a module that needs it in the replica too has its own)."""
    return await stub.sandbox.create_demo_order(SELLER)


@pytest.fixture
def sink() -> WebhookSink:
    return WebhookSink()


@pytest.fixture
async def sandbox(db: Database, sink: WebhookSink) -> AsyncIterator[SandboxMarketplace]:
    """The sandbox marketplace in-process, its webhooks delivered to ``sink``."""
    sandbox = new_sandbox(db, sink)
    yield sandbox
    await sandbox.aclose()


@pytest.fixture
async def api(sandbox: SandboxMarketplace) -> AsyncIterator[HttpMarketplace]:
    """The bot's marketplace client, reaching the in-process sandbox."""
    client = HttpMarketplace("http://sandbox.test", None, transport=in_process(sandbox))
    yield client
    await client.aclose()


@pytest.fixture
async def files() -> AsyncIterator[FileChecker]:
    """The relay's file checker on a scanning pool of one worker (started on first use)."""
    checker = FileChecker(ScanPool(workers=1))
    yield checker
    await checker.aclose()


@pytest.fixture
async def board_runtime(database_url: str) -> AsyncIterator[Runtime]:
    """The bot with the board's shop (tests/integration/board_shop.py)."""
    runtime = await open_shop(database_url)
    yield runtime
    await runtime.aclose()


@pytest.fixture
async def board(board_runtime: Runtime) -> AsyncIterator[httpx.AsyncClient]:
    """A client of the bot's HTTP app, where the board's API is."""
    transport = httpx.ASGITransport(app=board_runtime.http)
    async with httpx.AsyncClient(transport=transport, base_url="http://bot") as client:
        yield client
