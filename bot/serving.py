"""Running the bot: every part built by :class:`bot.app.Runtime` on one event loop.

PTB's Application handles Telegram (long polling, or updates pushed to ``POST /telegram``),
Starlette + uvicorn serve HTTP, and the delivery loops work the inbox and the two outboxes until
SIGINT/SIGTERM (or the ``stop`` event), then every part stops in order.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import signal
from collections.abc import Callable, Coroutine, Iterator
from typing import Any

import uvicorn

from bot.app import Runtime
from bot.board.weekly import WeeklyCards
from bot.reminders.sweep import Reminders
from bot.team.away import AwayMode
from handlers.context import Context
from storage.revision import migrate_if_behind, require_migrated

log = logging.getLogger(__name__)

REMINDER_SWEEP_INTERVAL = 300


def settle_heap() -> None:
    """Take what start-up built out of the garbage collector's sight.

    The libraries and the runtime leave some 150,000 long-lived objects behind, and every full
    collection walks all of them: about 100 ms here, a stall that lands on whichever requests
    are in flight (under a burst of webhooks, the slowest 1%). Frozen objects are never walked
    again; what the bot allocates afterwards is collected as usual.
    """
    gc.collect()
    gc.freeze()


def _weekly_job(cards: WeeklyCards) -> Callable[[Context], Coroutine[Any, Any, None]]:
    """The JobQueue's periodic weekly-card sweep."""

    async def sweep(context: Context) -> None:
        await cards.sweep()

    return sweep


def _sweep_job(
    reminders: Reminders, away: AwayMode
) -> Callable[[Context], Coroutine[Any, Any, None]]:
    """The JobQueue's periodic sweep: away modes whose date has come end, then the digests."""

    async def sweep(context: Context) -> None:
        await away.expire()
        await reminders.sweep()

    return sweep


class _Server(uvicorn.Server):
    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        # The runtime owns SIGINT/SIGTERM so it can stop every part in order.
        yield


async def serve(
    runtime: Runtime, *, apply_migrations: bool, stop: asyncio.Event | None = None
) -> None:
    """Run the bot until ``stop`` is set or the process gets SIGINT/SIGTERM."""
    settings = runtime.settings
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop.set)
    try:
        if apply_migrations:
            await migrate_if_behind(runtime.db.engine)
        else:
            await require_migrated(runtime.db.engine)
    except BaseException:
        await runtime.aclose()
        raise

    application = runtime.application
    server = _Server(
        uvicorn.Config(
            runtime.http,
            host=settings.host,
            port=settings.port,
            log_config=None,
            access_log=False,
            lifespan="off",
        )
    )
    tasks: list[asyncio.Task[Any]] = []
    try:
        # Before anything is claimed: take this process's lock, and take over at once what
        # processes found dead had claimed (this very bot before a kill -9, say).
        await runtime.takeover.register()
        await runtime.takeover.sweep()
        await runtime.initialize()
    except BaseException:
        await runtime.takeover.close()
        await runtime.aclose()
        raise
    try:
        await application.start()
        tasks.append(asyncio.create_task(server.serve(), name="http"))
        for name, loop_fn in (
            ("events", runtime.events.run),
            ("marketplace-outbox", runtime.dispatcher.run),
            ("telegram-outbox", runtime.sender.run),
            ("reconcile", runtime.reconciler.run),
            ("takeover", runtime.takeover.run),
        ):
            tasks.append(asyncio.create_task(loop_fn(stop), name=name))
        tasks.append(asyncio.create_task(_receive_updates(runtime, stop), name="telegram-updates"))
        if runtime.sandbox is not None:
            await runtime.sandbox.resume()
        if application.job_queue is not None:
            # Every process sweeps; the stored digest records make each digest go out once.
            application.job_queue.run_repeating(
                _sweep_job(runtime.reminders, runtime.away),
                interval=REMINDER_SWEEP_INTERVAL,
                first=5,
                name="stalled-orders",
            )
            # The weekly card the same way: its (seller, week) records make it go out once.
            application.job_queue.run_repeating(
                _weekly_job(runtime.weekly),
                interval=REMINDER_SWEEP_INTERVAL,
                first=10,
                name="weekly-cards",
            )
        settle_heap()
        log.info(
            "bot @%s is running; HTTP on %s:%s", runtime.bot_username, settings.host, settings.port
        )
        await stop.wait()
    finally:
        server.should_exit = True
        if application.updater is not None and application.updater.running:
            await application.updater.stop()
        if application.running:
            await application.stop()
        await application.shutdown()
        for task in tasks:
            if task.get_name() != "http":
                task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await runtime.poller_lease.release()
        await runtime.takeover.close()
        await runtime.aclose()


async def _receive_updates(runtime: Runtime, stop: asyncio.Event) -> None:
    """Webhook mode: register the URL. Polling: only the process holding the lease polls."""
    settings = runtime.settings
    bot = runtime.application.bot
    if settings.telegram_webhook_url:
        secret = settings.telegram_webhook_secret
        await bot.set_webhook(
            settings.telegram_webhook_url,
            secret_token=secret.get_secret_value() if secret else None,
            allowed_updates=["message", "edited_message", "callback_query"],
        )
        return
    lease = runtime.poller_lease
    holding = asyncio.create_task(lease.hold(stop), name="poller-lease")
    held, stopped = asyncio.ensure_future(lease.held.wait()), asyncio.ensure_future(stop.wait())
    await asyncio.wait([held, stopped], return_when=asyncio.FIRST_COMPLETED)
    held.cancel()
    stopped.cancel()
    if not stop.is_set():
        updater = runtime.application.updater
        assert updater is not None
        log.info("this process holds the poller lease; polling Telegram")
        await updater.start_polling(poll_interval=0.0, timeout=25, drop_pending_updates=False)
    await holding
