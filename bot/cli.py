"""``chopni-bot``: run the bot, migrate the database, issue link codes, run the reminder sweep."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Coroutine, Sequence
from typing import Any, TypeVar

from telegram.error import InvalidToken, NetworkError

from bot import logs, malloc
from bot.domain.identifiers import valid_seller_id
from bot.settings import Settings, SettingsError, load_settings
from storage.revision import NotMigrated


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="chopni-bot", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("run", help="run everything in one process")
    db = commands.add_parser("db", help="database maintenance")
    db.add_subparsers(dest="db_command", required=True).add_parser(
        "upgrade", help="apply pending migrations"
    )
    link = commands.add_parser("link", help="print a one-time link code for a seller")
    link.add_argument("seller_id")
    remind = commands.add_parser("remind", help="the stalled-orders digest")
    remind.add_argument("--now", action="store_true", required=True, help="run the sweep now")
    return parser


T = TypeVar("T")


def run_loop(main: Coroutine[Any, Any, T]) -> T:
    """Run ``main`` on uvloop where it is installed (Linux, macOS), else on asyncio's own loop.

    Every request the bot serves or makes is a handful of loop callbacks and socket calls, which
    libuv's loop runs with less overhead (``python -m bench.ingestion`` shows the difference).
    """
    try:
        import uvloop
    except ImportError:
        return asyncio.run(main)
    return uvloop.run(main)


def _secrets(settings: Settings) -> list[str]:
    values = [
        settings.bot_token,
        settings.chopni_api_token,
        settings.chopni_webhook_secret,
        settings.admin_token,
        settings.telegram_webhook_secret,
    ]
    return [v.get_secret_value() for v in values if v is not None]


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        settings = load_settings()
        logs.configure(settings.log_level, _secrets(settings))
        if args.command == "run":
            malloc.limit_arenas()  # before the first thread: see bot.malloc
            return run_loop(_run(settings))
        if args.command == "db":
            return run_loop(_upgrade(settings))
        if args.command == "link":
            if not valid_seller_id(args.seller_id):
                raise SettingsError(
                    f"SELLER_ID {args.seller_id!r} is not a marketplace seller id: "
                    "letters, digits and _ . : - (not only dots), at most 100"
                )
            return run_loop(_link(settings, args.seller_id))
        return run_loop(_remind(settings))
    except SettingsError as exc:
        print(f"chopni-bot: {exc}", file=sys.stderr)
        return 2
    except NotMigrated as exc:
        print(f"chopni-bot: {exc}", file=sys.stderr)
        return 2
    except InvalidToken:
        print("chopni-bot: BOT_TOKEN was rejected by Telegram: check the token", file=sys.stderr)
        return 2
    except NetworkError as exc:
        print(f"chopni-bot: cannot reach the Telegram Bot API: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


async def _run(settings: Settings) -> int:
    from bot.app import Runtime
    from bot.serving import serve

    runtime = Runtime(settings, token=settings.require_bot_token())
    await serve(runtime, apply_migrations=runtime.db.is_sqlite)
    return 0


async def _upgrade(settings: Settings) -> int:
    from storage.database import Database
    from storage.migrate import upgrade

    db = Database(settings.database_url)
    try:
        await upgrade(db.engine)
    finally:
        await db.dispose()
    print("database is up to date")
    return 0


async def _link(settings: Settings, seller_id: str) -> int:
    from bot.team.linking import Linker
    from storage.database import Database

    db = Database(settings.database_url)
    try:
        issued = await Linker(db).issue(seller_id)
        username = await _bot_username(settings)
    finally:
        await db.dispose()
    print(f"code: {issued.code}")
    print(f"link: {issued.deep_link(username)}")
    print(f"expires: {issued.expires_at.isoformat()}")
    return 0


async def _bot_username(settings: Settings) -> str | None:
    """Ask Telegram for the bot's username for the deep link; None when it cannot be reached."""
    if settings.bot_token is None:
        return None
    from telegram import Bot
    from telegram.error import TelegramError

    api = settings.telegram_api_url.rstrip("/")
    try:
        async with Bot(settings.bot_token.get_secret_value(), base_url=f"{api}/bot") as bot:
            return bot.username
    except (TelegramError, OSError):
        return None


async def _remind(settings: Settings) -> int:
    from bot.app import Runtime

    runtime = Runtime(settings, token=settings.require_bot_token())
    try:
        await runtime.initialize()
        sent = await runtime.reminders.sweep(force=True)
        await runtime.sender.drain()
    finally:
        await runtime.application.shutdown()
        await runtime.aclose()
    print(f"sent: {sent}")
    return 0
