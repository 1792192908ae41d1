"""A loopback marketplace for integration tests, end-to-end tests and benchmarks.

The built-in sandbox's REST app runs under uvicorn on 127.0.0.1 (an ephemeral port) behind a
middleware that records every request and injects faults; webhooks go out as real HTTP POSTs::

    async with MarketplaceStub(database_url, webhook_secret=SECRET, webhook_url=url) as mp:
        order = await mp.sandbox.create_demo_order("seller-1")
        client = HttpMarketplace(mp.base_url, None)
        mp.fail_next(2, status=503)          # the next two requests fail, nothing applied
        mp.fail_next(1, apply=True)          # applied, but the answer is lost
        with mp.outage(drop=True): ...       # every connection dropped meanwhile
        mp.down = True                       # 503 until set back (or, with
        mp.drop_connections = True           # this, connections dropped mid-answer)
        mp.latency = 0.5                     # every answer half a second late
        mp.requests_for("/v1/orders/")       # what the bot sent, headers and bodies included
        await mp.applied_changes(order.id)   # status changes the marketplace really applied
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import logging
import secrets
import socket
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, replace
from types import TracebackType
from typing import Any, Self

import httpx
import uvicorn

from bot.marketplace.sandbox.marketplace import SandboxMarketplace
from storage.database import Database
from storage.migrate import upgrade
from testkit.fault_injection import Failure, FaultInjector, RecordedRequest

#: the seller whose demo orders the tests create
SELLER = "seller-1"
#: the bearer token the tests' marketplace clients present (checked when a stub is given it)
API_TOKEN = "token-for-the-marketplace-7f3a"


def new_webhook_secret() -> str:
    """A fresh ``whsec_`` secret."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(24)).decode()


@dataclass
class DeliveredWebhook:
    """One delivery attempt of a webhook; status None when the receiver could not be reached."""

    body: bytes
    headers: dict[str, str]
    status: int | None = None

    @property
    def json(self) -> Any:
        return json.loads(self.body)


class _QuietDrops(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return "without completing response" not in record.getMessage()


class _Server(uvicorn.Server):
    def __init__(self, config: uvicorn.Config) -> None:
        super().__init__(config)
        self.ready = asyncio.Event()

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets=sockets)
        self.ready.set()

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield  # signals belong to the test runner


class MarketplaceStub:
    """The sandbox marketplace on a loopback port; see the module docstring."""

    def __init__(
        self,
        db_url: str | None = None,
        *,
        webhook_secret: str,
        webhook_url: str | None = None,
        verify_delay: float = 30.0,
        api_token: str | None = None,
        webhook_retry_delays: tuple[float, ...] = (0.05, 0.1, 0.2),
    ) -> None:
        self._db_url = db_url
        self._webhook_secret = webhook_secret
        self._verify_delay = verify_delay
        self._api_token = api_token
        self._retry_delays = webhook_retry_delays
        #: where webhooks are POSTed; None records them and answers 204 itself
        self.webhook_url = webhook_url
        self.webhooks: list[DeliveredWebhook] = []
        self._stack = contextlib.AsyncExitStack()

    @property
    def webhook_secret(self) -> str:
        """The secret webhooks are signed with."""
        return self._webhook_secret

    async def __aenter__(self) -> Self:
        stack = self._stack
        await stack.__aenter__()
        try:
            await self._start(stack)
        except BaseException:
            await stack.aclose()
            raise
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self._stack.aclose()

    async def _start(self, stack: contextlib.AsyncExitStack) -> None:
        url = self._db_url
        if url is None:
            folder = stack.enter_context(tempfile.TemporaryDirectory())
            url = f"sqlite+aiosqlite:///{folder}/marketplace.db"
        self.db = Database(url)
        stack.push_async_callback(self.db.dispose)
        await upgrade(self.db.engine)
        self._http = httpx.AsyncClient(timeout=10.0)
        stack.push_async_callback(self._http.aclose)
        self.sandbox = SandboxMarketplace(
            self.db,
            webhook_secret=self._webhook_secret,
            deliver=self._deliver,
            verify_delay=self._verify_delay,
            api_token=self._api_token,
            retry_delays=self._retry_delays,
        )
        stack.push_async_callback(self.sandbox.aclose)
        self.faults = FaultInjector(self.sandbox.app)

        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        stack.callback(listener.close)
        listener.bind(("127.0.0.1", 0))
        listener.listen(128)
        self.base_url = f"http://127.0.0.1:{listener.getsockname()[1]}"
        quiet = _QuietDrops()
        logging.getLogger("uvicorn.error").addFilter(quiet)
        stack.callback(logging.getLogger("uvicorn.error").removeFilter, quiet)
        config = uvicorn.Config(
            self.faults,
            lifespan="off",
            http="h11",
            ws="none",
            access_log=False,
            log_level="warning",
            timeout_graceful_shutdown=2,
        )
        server = _Server(config)
        serving = asyncio.create_task(server.serve(sockets=[listener]))

        async def stop() -> None:
            server.should_exit = True
            await serving

        stack.push_async_callback(stop)
        ready = asyncio.create_task(server.ready.wait())
        await asyncio.wait({ready, serving}, return_when=asyncio.FIRST_COMPLETED)
        if not ready.done():
            ready.cancel()
            serving.result()
            raise RuntimeError("the marketplace stub stopped while starting")

    async def _deliver(self, body: bytes, headers: dict[str, str]) -> int:
        attempt = DeliveredWebhook(body, dict(headers))
        self.webhooks.append(attempt)
        if self.webhook_url is None:
            attempt.status = 204
            return 204
        response = await self._http.post(self.webhook_url, content=body, headers=headers)
        attempt.status = response.status_code
        return response.status_code

    @property
    def requests(self) -> list[RecordedRequest]:
        return self.faults.requests

    @property
    def down(self) -> bool:
        return self.faults.down

    @down.setter
    def down(self, value: bool) -> None:
        self.faults.down = value

    @property
    def drop_connections(self) -> bool:
        """Whether ``down`` drops connections mid-answer instead of answering 503."""
        return self.faults.down_failure.drop

    @drop_connections.setter
    def drop_connections(self, value: bool) -> None:
        self.faults.down_failure = replace(self.faults.down_failure, drop=value)

    @property
    def latency(self) -> float:
        return self.faults.latency

    @latency.setter
    def latency(self, seconds: float) -> None:
        self.faults.latency = seconds

    def fail_next(
        self,
        n: int = 1,
        status: int = 503,
        *,
        retry_after: float | None = None,
        apply: bool = False,
        drop: bool = False,
    ) -> None:
        """Fail the next ``n`` requests; with ``apply`` the sandbox handles them first."""
        for _ in range(n):
            self.faults.failures.append(Failure(status, retry_after, apply, drop))

    @contextlib.contextmanager
    def outage(
        self, status: int = 503, *, drop: bool = False, retry_after: float | None = None
    ) -> Iterator[None]:
        """Every request fails (or its connection drops) inside the block."""
        previous = self.faults.down_failure
        self.faults.down_failure = Failure(status, retry_after, drop=drop)
        self.faults.down = True
        try:
            yield
        finally:
            self.faults.down = False
            self.faults.down_failure = previous

    def requests_for(self, path_prefix: str, method: str | None = None) -> list[RecordedRequest]:
        return [
            r
            for r in self.faults.requests
            if r.path.startswith(path_prefix) and (method is None or r.method == method)
        ]

    async def applied_changes(self, order_id: str) -> list[dict[str, Any]]:
        """The status changes the seller made that the marketplace actually applied."""
        history = await self.sandbox.status_history(order_id)
        return [entry for entry in history if entry["source"] == "seller"]

    def webhooks_of(self, event_type: str) -> list[DeliveredWebhook]:
        """Delivery attempts of one event type, in the order they were made."""
        return [w for w in self.webhooks if w.json["type"] == event_type]
