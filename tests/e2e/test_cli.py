"""``chopni-bot`` as an operator runs it: a separate process on the embedded default."""

from __future__ import annotations

import asyncio
import os
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from storage.database import Database
from storage.migrate import head_revision
from testkit.ports import free_port
from testkit.telegram_stub import TelegramStub
from tests.conftest import TEST_DATABASE_URL
from tests.integration.test_reminders import seller_with_order

TOKEN = "123456:CLI-test-token"


def cli_env(*unset: str, **settings: str) -> dict[str, str]:
    """This process's environment with ``settings`` set and the ``unset`` names removed."""
    kept = {name: value for name, value in os.environ.items() if name not in unset}
    return {**kept, **settings}


def talking_to(telegram: TelegramStub) -> dict[str, str]:
    """The settings of a bot that talks to the loopback Bot API."""
    return {"BOT_TOKEN": TOKEN, "TELEGRAM_API_URL": telegram.api_root}


async def start_cli(
    *args: str, env: dict[str, str], cwd: Path, quiet: bool = False
) -> asyncio.subprocess.Process:
    """``chopni-bot <args>`` started; all it prints comes through one pipe, or nowhere (quiet)."""
    subprocess = asyncio.subprocess
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        *args,
        env=env,
        cwd=cwd,
        stdout=subprocess.DEVNULL if quiet else subprocess.PIPE,
        stderr=subprocess.DEVNULL if quiet else subprocess.STDOUT,
    )


async def run_cli(*args: str, env: dict[str, str], cwd: Path) -> tuple[int, str]:
    """``chopni-bot <args>`` run to its end: the exit code and all it printed."""
    process = await start_cli(*args, env=env, cwd=cwd)
    output, _ = await asyncio.wait_for(process.communicate(), 60)
    return process.returncode or 0, output.decode()


async def test_run_on_the_embedded_default_serves_a_newcomer_end_to_end(tmp_path: Path) -> None:
    async with TelegramStub(token=TOKEN) as telegram:
        env = cli_env(
            "DATABASE_URL", "CHOPNI_API_URL", **talking_to(telegram), PORT=str(free_port())
        )
        process = await start_cli("run", env=env, cwd=tmp_path, quiet=True)
        try:
            user = telegram.user(9009, language_code="bg")
            await user.send("/start")
            await user.wait_for(lambda m: "/demo" in (m.text or ""), timeout=30)
            await user.send("/demo")
            sale = await user.wait_for(lambda m: "PROCESSING" in m.button_texts, timeout=15)
            assert sale.text
        finally:
            process.terminate()
            assert await asyncio.wait_for(process.wait(), 30) == 0
    assert (tmp_path / "chopni.db").exists()


async def test_a_missing_token_stops_start_up_with_one_line(tmp_path: Path) -> None:
    code, output = await run_cli("run", env=cli_env("BOT_TOKEN"), cwd=tmp_path)
    assert code == 2
    assert output.strip().splitlines()[-1].startswith("chopni-bot: BOT_TOKEN")


async def test_webhook_mode_without_its_secret_stops_start_up_with_one_line(
    tmp_path: Path,
) -> None:
    async with TelegramStub(token=TOKEN) as telegram:
        env = cli_env(
            "TELEGRAM_WEBHOOK_SECRET",
            **talking_to(telegram),
            TELEGRAM_WEBHOOK_URL="https://bot.example/telegram",
            PORT=str(free_port()),
        )
        code, output = await run_cli("run", env=env, cwd=tmp_path)
        # Refused before anything is registered: Telegram never hears of a secretless webhook.
        assert telegram.calls_of("setWebhook") == []
    assert code == 2
    lines = output.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("chopni-bot: TELEGRAM_WEBHOOK_SECRET is required")


async def test_link_refuses_a_seller_id_the_marketplace_cannot_have(tmp_path: Path) -> None:
    env = cli_env(TELEGRAM_API_URL="http://127.0.0.1:9")
    code, output = await run_cli("link", "..", env=env, cwd=tmp_path)
    assert code == 2
    assert output.strip().startswith("chopni-bot: SELLER_ID")
    assert not (tmp_path / "chopni.db").exists()


async def test_db_upgrade_and_link_print_what_an_operator_needs(tmp_path: Path) -> None:
    env = cli_env("BOT_TOKEN", TELEGRAM_API_URL="http://127.0.0.1:9")
    code, output = await run_cli("db", "upgrade", env=env, cwd=tmp_path)
    assert code == 0, output
    code, output = await run_cli("link", "shop-9", env=env, cwd=tmp_path)
    assert code == 0, output
    assert "code:" in output
    assert "?start=" in output


def _zone_where_it_is_just_past_midnight() -> str:
    """A fixed-offset zone whose local time is between 00:00 and 01:00 right now."""
    hour = datetime.now(UTC).hour
    # Etc/GMT+N is N hours behind UTC (the sign is POSIX's).
    return f"Etc/GMT+{hour}" if hour <= 12 else f"Etc/GMT-{24 - hour}"


async def test_remind_now_sends_the_digest_before_the_reminder_hour_and_prints_how_many(
    tmp_path: Path,
) -> None:
    async with TelegramStub(token=TOKEN) as telegram:
        env = cli_env(
            "DATABASE_URL",
            **talking_to(telegram),
            # The digest is due at 09:00 local time, hours away: --now sends it all the same.
            DEFAULT_TIMEZONE=_zone_where_it_is_just_past_midnight(),
            REMINDER_HOUR="9",
        )
        code, output = await run_cli("db", "upgrade", env=env, cwd=tmp_path)
        assert code == 0, output
        db = Database(f"sqlite+aiosqlite:///{tmp_path / 'chopni.db'}")
        await seller_with_order(
            db, "shop-5", ship_by=datetime.now(UTC) - timedelta(hours=3), user_id=5
        )
        await db.dispose()
        code, output = await run_cli("remind", "--now", env=env, cwd=tmp_path)
        assert code == 0, output
        assert output.strip().splitlines()[-1] == "sent: 1"
        digest = await telegram.user(5).wait_for(lambda m: "100005" in (m.text or ""))
        assert "SHIPPED · 100005" in digest.button_texts


@pytest.mark.skipif(
    not TEST_DATABASE_URL, reason="run migrates SQLite itself; PostgreSQL it checks"
)
async def test_run_on_an_unmigrated_postgresql_answers_one_line_naming_db_upgrade(
    tmp_path: Path, database_url: str
) -> None:
    env = cli_env(BOT_TOKEN=TOKEN, DATABASE_URL=database_url, PORT=str(free_port()))
    code, output = await run_cli("run", env=env, cwd=tmp_path)
    assert code == 2
    assert output.strip().splitlines() == [
        "chopni-bot: the database is without the bot's tables; this version needs "
        f"{head_revision()}: run `chopni-bot db upgrade`"
    ]
