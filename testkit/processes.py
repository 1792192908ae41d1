"""``chopni-bot run`` as a real operating-system process: started, checked, killed with SIGKILL."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path
from typing import IO

import httpx

from storage.database import Database
from storage.migrate import upgrade
from testkit.marketplace_stub import MarketplaceStub
from testkit.telegram_stub import StubUser, TelegramStub


def bot_env(
    *,
    token: str,
    telegram_api_url: str,
    database_url: str,
    marketplace_url: str,
    webhook_secret: str,
    admin_token: str,
    lease_seconds: float,
) -> dict[str, str]:
    """The settings of a bot that talks to a marketplace over HTTP, as environment variables."""
    return {
        "BOT_TOKEN": token,
        "TELEGRAM_API_URL": telegram_api_url,
        "DATABASE_URL": database_url,
        "CHOPNI_API_URL": marketplace_url,
        "CHOPNI_WEBHOOK_SECRET": webhook_secret,
        "ADMIN_TOKEN": admin_token,
        "LOG_LEVEL": "WARNING",
        "LEASE_SECONDS": str(lease_seconds),
    }


def stub_env(
    telegram: TelegramStub,
    marketplace: MarketplaceStub,
    database_url: str,
    *,
    admin_token: str,
    lease_seconds: float,
) -> dict[str, str]:
    """:func:`bot_env` for a bot that talks to the loopback Bot API and marketplace."""
    return bot_env(
        token=telegram.token,
        telegram_api_url=telegram.api_root,
        database_url=database_url,
        marketplace_url=marketplace.base_url,
        webhook_secret=marketplace.webhook_secret,
        admin_token=admin_token,
        lease_seconds=lease_seconds,
    )


async def migrate(database_url: str) -> None:
    """``chopni-bot db upgrade``, the release step before processes start on PostgreSQL."""
    db = Database(database_url)
    try:
        await upgrade(db.engine)
    finally:
        await db.dispose()


async def link_code(base_url: str, seller_id: str, admin_token: str) -> str:
    """A one-time code from the admin API that links a Telegram account to ``seller_id``."""
    async with httpx.AsyncClient(base_url=base_url) as client:
        answer = await client.post(
            f"/admin/sellers/{seller_id}/link-codes",
            headers={"Authorization": f"Bearer {admin_token}"},
        )
    answer.raise_for_status()
    return str(answer.json()["code"])


async def link_seller(
    telegram: TelegramStub,
    base_url: str,
    seller_id: str,
    user_id: int,
    admin_token: str,
    language: str = "en",
) -> StubUser:
    """A Telegram account linked to ``seller_id`` by ``/start`` with a code from the admin API."""
    code = await link_code(base_url, seller_id, admin_token)
    user = telegram.user(user_id, language_code=language)
    await user.send(f"/start {code}")
    await user.wait_for(lambda m: seller_id in (m.text or ""))
    return user


class BotProcess:
    """One ``python -m bot run`` with the given settings; ``start`` again after a kill."""

    def __init__(self, env: dict[str, str], cwd: Path, port: int) -> None:
        self.env = {**os.environ, **env, "PORT": str(port)}
        self.cwd = cwd
        self.base_url = f"http://127.0.0.1:{port}"
        self.process: asyncio.subprocess.Process | None = None
        self.kills = 0

    @property
    def pid(self) -> int:
        assert self.process is not None, "not started"
        return self.process.pid

    @property
    def log(self) -> Path:
        """Where every run's standard error goes, appended."""
        return self.cwd / "bot.log"

    async def start(self, timeout: float = 30.0) -> None:
        with self.log.open("ab") as log:
            self.process = await self._spawn(log)
        await asyncio.wait_for(self._until_healthy(), timeout)

    async def _spawn(self, log: IO[bytes]) -> asyncio.subprocess.Process:
        return await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            "run",
            env=self.env,
            cwd=self.cwd,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=log,
        )

    async def _until_healthy(self) -> None:
        async with httpx.AsyncClient(timeout=1.0) as client:
            while True:
                assert self.process is not None
                if self.process.returncode is not None:
                    tail = self.log.read_text(errors="replace").strip().splitlines()[-5:]
                    raise AssertionError(
                        f"the bot exited with {self.process.returncode}: " + "\n".join(tail)
                    )
                try:
                    if (await client.get(f"{self.base_url}/healthz")).status_code == 200:
                        return
                except httpx.HTTPError:
                    pass
                await asyncio.sleep(0.05)

    async def kill(self) -> None:
        """SIGKILL: no shutdown code runs, whatever was in flight is cut off."""
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        await self.process.wait()
        self.kills += 1

    async def stop(self) -> int:
        """SIGTERM and wait: the exit code of a clean shutdown."""
        if self.process is None or self.process.returncode is not None:
            return 0 if self.process is None else self.process.returncode or 0
        self.process.terminate()
        return await asyncio.wait_for(self.process.wait(), 30)
