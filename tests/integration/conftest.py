"""Fixtures the integration tests share: the loopback marketplace and a client for it."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.marketplace.client import HttpMarketplace
from bot.relay.files import FileChecker
from bot.scanning.pool import ScanPool
from storage.database import Database
from testkit.marketplace_stub import MarketplaceStub, new_webhook_secret


@pytest.fixture
async def stub(database_url: str, db: Database) -> AsyncIterator[MarketplaceStub]:
    """The marketplace over HTTP, its state in the test's database."""
    async with MarketplaceStub(database_url, webhook_secret=new_webhook_secret()) as marketplace:
        yield marketplace


@pytest.fixture
async def client(stub: MarketplaceStub) -> AsyncIterator[HttpMarketplace]:
    client = HttpMarketplace(stub.base_url, None, timeout=5.0)
    yield client
    await client.aclose()


@pytest.fixture
async def files() -> AsyncIterator[FileChecker]:
    """The relay's file checker on a scanning pool of one worker (started on first use)."""
    checker = FileChecker(ScanPool(workers=1))
    yield checker
    await checker.aclose()
