"""Each HTTP endpoint stands alone: a Starlette app with that one route and stand-in services in
``app.state`` is enough to test it, no runtime, database or Telegram."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import httpx
from pydantic import SecretStr
from starlette.applications import Starlette
from starlette.routing import Route

from bot.http import healthz, run_reminders


def app_with(path: str, endpoint: Any, services: object) -> httpx.AsyncClient:
    app = Starlette(routes=[Route(path, endpoint, methods=["GET", "POST"])])
    app.state.services = services
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bot")


class DeadDatabase:
    async def ping(self) -> None:
        raise OSError("connection refused")


class Sweep:
    def __init__(self) -> None:
        self.forced: list[bool] = []

    async def sweep(self, *, force: bool = False) -> int:
        self.forced.append(force)
        return 3


async def test_health_is_503_when_the_database_does_not_answer() -> None:
    async with app_with("/healthz", healthz, SimpleNamespace(db=DeadDatabase())) as client:
        response = await client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "database": "down"}


async def test_the_admin_sweep_runs_forced_with_the_right_token_only() -> None:
    sweep = Sweep()
    settings = SimpleNamespace(admin_token=SecretStr("admin-token-1"))
    services = SimpleNamespace(settings=settings, reminders=sweep)
    async with app_with("/run", run_reminders, services) as client:
        refused = await client.post("/run", headers={"Authorization": "Bearer wrong"})
        done = await client.post("/run", headers={"Authorization": "Bearer admin-token-1"})
    assert refused.status_code == 401
    assert done.json() == {"sent": 3}
    assert sweep.forced == [True]
