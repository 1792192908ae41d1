"""The real bot, started for real: PTB Application, uvicorn, delivery loops, on a fresh database,
talking to the loopback Telegram stand-in and its built-in sandbox marketplace (``bot``), or the
loopback marketplace over HTTP (``live_bot`` and ``marketplace``).

``running_bot`` starts and stops a whole ``Runtime``; ``bot.restart()`` stops it and starts a new
one on the same database, as a process restart would.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from bot.app import Runtime
from bot.delivery.rate_limit import ChatRateLimiter
from bot.serving import serve
from bot.settings import load_settings
from testkit.browser import phone_browser, require_browser
from testkit.marketplace_stub import MarketplaceStub, new_webhook_secret
from testkit.ports import free_port
from testkit.processes import link_seller
from testkit.telegram_stub import StubUser, TelegramStub
from testkit.webapp import init_data, script
from testkit.work import unfinished

TOKEN = "123456:TEST-token-for-the-stub"
ADMIN_TOKEN = "admin-secret-for-tests"
WEBHOOK_SECRET = new_webhook_secret()


@dataclass
class RunningBot:
    """A bot process inside the test's event loop."""

    telegram: TelegramStub
    database_url: str
    overrides: dict[str, Any] = field(default_factory=dict)
    #: the send pacer, when a test needs its own (else one that suits the stand-in's limits)
    limiter: ChatRateLimiter | None = None
    runtime: Runtime | None = None
    _stop: asyncio.Event | None = None
    _task: asyncio.Task[None] | None = None
    port: int = 0

    @property
    def rt(self) -> Runtime:
        assert self.runtime is not None, "the bot is not running"
        return self.runtime

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def start(self) -> None:
        self.port = self.port or free_port()
        settings = load_settings(
            bot_token=TOKEN,
            telegram_api_url=self.telegram.api_root,
            database_url=self.database_url,
            port=self.port,
            admin_token=ADMIN_TOKEN,
            sandbox_verify_delay=0.3,
            **self.overrides,
        )
        # A stand-in without flood limits needs no pacing: the flows answer at once instead of at
        # Telegram's one message a second per chat. With ``Limits`` the real pacing applies.
        limiter = self.limiter or (
            None if self.telegram.limits else ChatRateLimiter(1000, 1000, burst=1000)
        )
        self.runtime = Runtime(settings, token=TOKEN, limiter=limiter)
        self._stop = asyncio.Event()
        self._task = asyncio.create_task(
            serve(self.runtime, apply_migrations=True, stop=self._stop)
        )
        await self._until_ready()

    async def _until_ready(self, timeout: float = 10.0) -> None:
        async def ready() -> None:
            assert self._task is not None
            while True:
                if self._task.done():
                    self._task.result()  # raises what made the bot stop
                    raise AssertionError("the bot stopped while starting")
                updater = self.rt.application.updater
                polling = updater is None or updater.running
                if polling and await self._http_ready():
                    return
                await asyncio.sleep(0.02)

        await asyncio.wait_for(ready(), timeout)

    async def _http_ready(self) -> bool:
        try:
            async with httpx.AsyncClient() as client:
                return (await client.get(f"{self.base_url}/healthz")).status_code == 200
        except httpx.HTTPError:
            return False

    async def stop(self) -> None:
        if self._stop is not None and self._task is not None:
            self._stop.set()
            await asyncio.wait_for(self._task, 15)
        self.runtime = None
        self._task = None

    async def restart(self) -> None:
        await self.stop()
        await self.start()

    async def settle(self, timeout: float = 10.0) -> None:
        """Wait until the inbox and both outboxes have nothing left that is due."""

        async def idle() -> None:
            while True:
                if self.rt.sandbox is not None:
                    await self.rt.sandbox.wait_idle()
                if not await unfinished(self.rt.db):
                    return
                await asyncio.sleep(0.02)

        await asyncio.wait_for(idle(), timeout)

    async def admin(self, method: str, path: str) -> httpx.Response:
        async with httpx.AsyncClient(base_url=self.base_url) as client:
            return await client.request(
                method, path, headers={"Authorization": f"Bearer {ADMIN_TOKEN}"}
            )


@pytest.fixture
async def telegram() -> AsyncIterator[TelegramStub]:
    async with TelegramStub(token=TOKEN) as stub:
        yield stub


@contextlib.asynccontextmanager
async def started(running: RunningBot) -> AsyncIterator[RunningBot]:
    """``running`` started for the block, and stopped after it however the block ended."""
    await running.start()
    try:
        yield running
    finally:
        with contextlib.suppress(Exception):
            await running.stop()


@pytest.fixture
async def bot(telegram: TelegramStub, database_url: str) -> AsyncIterator[RunningBot]:
    """The bot on its embedded default: the built-in sandbox marketplace."""
    async with started(RunningBot(telegram, database_url)) as running:
        yield running


@pytest.fixture
async def marketplace() -> AsyncIterator[MarketplaceStub]:
    """The loopback marketplace over HTTP."""
    async with MarketplaceStub(webhook_secret=WEBHOOK_SECRET, verify_delay=3600) as stub:
        yield stub


@pytest.fixture
async def live_bot(
    telegram: TelegramStub, database_url: str, marketplace: MarketplaceStub
) -> AsyncIterator[RunningBot]:
    """The bot against the loopback marketplace: signed webhooks in, REST calls out."""
    port = free_port()
    marketplace.webhook_url = f"http://127.0.0.1:{port}/webhooks/chopni"
    overrides = {"chopni_api_url": marketplace.base_url, "chopni_webhook_secret": WEBHOOK_SECRET}
    async with started(RunningBot(telegram, database_url, overrides, port=port)) as running:
        yield running


async def link_marketplace_seller(
    bot: RunningBot, telegram: TelegramStub, seller_id: str, user_id: int, language: str = "en"
) -> StubUser:
    """A Telegram account linked to ``seller_id`` with a code from the admin API."""
    return await link_seller(telegram, bot.base_url, seller_id, user_id, ADMIN_TOKEN, language)


async def link_demo_seller(user: StubUser) -> None:
    """/start without a code in sandbox mode links the account to its demo shop."""
    await user.send("/start")
    await user.wait_for(lambda m: "/demo" in (m.text or ""))


@pytest.fixture
async def seller(telegram: TelegramStub, bot: RunningBot) -> StubUser:
    """A Bulgarian-speaking seller linked to a demo shop."""
    user = telegram.user(1001, first_name="Мария", language_code="bg")
    await link_demo_seller(user)
    return user


@pytest.fixture
async def english_seller(telegram: TelegramStub, bot: RunningBot) -> StubUser:
    user = telegram.user(1002, first_name="Mary", language_code="en")
    await link_demo_seller(user)
    return user


@pytest.fixture
def browser_available() -> None:
    """The board's browser tests skip, saying why, without a browser (see testkit.browser)."""
    require_browser()


def signed(user_id: int, *, token: str = TOKEN, age: timedelta = timedelta(minutes=1)) -> str:
    """The Mini App's initData for ``user_id``, signed with the bot's token (or ``token``)."""
    return init_data(token, user_id, auth_date=datetime.now(UTC) - age, language_code="bg")


@pytest.fixture
async def board(bot: RunningBot, seller: StubUser, tmp_path: Path) -> AsyncIterator[Any]:
    """The board opened by the linked Bulgarian seller, on a 360-pixel phone."""
    async with phone_browser(tmp_path / "profile", script(signed(seller.user_id))) as context:
        page = await context.new_page()
        yield page
