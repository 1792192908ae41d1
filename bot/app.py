"""The composition root: builds every part from the settings (``bot.serving`` runs them).

PTB's Application handles Telegram (long polling, or updates pushed to ``POST /telegram``),
Starlette + uvicorn serve HTTP, and three delivery loops work the inbox and the two outboxes.
Nothing here runs at import time.
"""

from __future__ import annotations

import base64
import functools
import logging
import secrets
from datetime import timedelta

import httpx
from telegram import BotCommandScopeAllPrivateChats, BotCommandScopeChat
from telegram.error import TelegramError
from telegram.ext import Application

from bot.application import build_application
from bot.board.api import BoardState
from bot.board.messages import keeping
from bot.board.weekly import WeeklyCards, with_cards
from bot.delivery.leases import DEFAULT_TTL, Lease
from bot.delivery.liveness import liveness_for
from bot.delivery.notify import SellerDefaults
from bot.delivery.rate_limit import ChatRateLimiter
from bot.delivery.takeover import STUCK_AFTER, Takeover
from bot.delivery.telegram_outbox import LEASE as CLAIM_LEASE
from bot.delivery.telegram_outbox import TelegramSender
from bot.domain.files import MAX_IMAGE_PIXELS
from bot.http import build_http_app
from bot.i18n import LOCALES, translator
from bot.marketplace import Marketplace, schemas
from bot.marketplace.client import HttpMarketplace
from bot.marketplace.sandbox.marketplace import SandboxMarketplace
from bot.presentation import coalesced, keyboards
from bot.presentation.away import AwayTexts
from bot.presentation.digest import render_digest
from bot.presentation.file_notes import BuyerFileNotes
from bot.presentation.menus import command_menu
from bot.presentation.notices import Notices
from bot.presentation.relayed import render_buyer_message
from bot.relay.buyer_notes import FILE_NOTE, BuyerNotes
from bot.relay.files import FileChecker
from bot.relay.incoming import BuyerRelay
from bot.relay.replies import Replies, telegram_download
from bot.reminders.sweep import Reminders
from bot.routing import register
from bot.scanning.pool import Limits, ScanPool
from bot.settings import Settings
from bot.shipping.labels import TIME_LIMIT as LABEL_TIME_LIMIT
from bot.shipping.labels import LabelReader
from bot.shipping.runs import ShippingRuns
from bot.sync.events import EventProcessor
from bot.sync.inbox import WebhookReceiver
from bot.sync.marketplace_outbox import MarketplaceDispatcher
from bot.sync.orders import OrderService
from bot.sync.reconcile import Reconciler
from bot.team.away import AwayMode
from bot.team.linking import Linker
from bot.team.members import Team
from bot.team.saved_replies import SavedReplies
from storage.database import AsyncSession, Database
from storage.models import Order

log = logging.getLogger(__name__)


#: seconds a batch of stored events waits at most while webhooks keep arriving. A burst is
#: stored and answered first (its writes go ahead of the processor's on SQLite, and a batch is
#: some 8 ms of work); the processor keeps up with it in the gaps, since every
#: sale must reach its seller's phone within seconds of the burst
PROCESSING_PATIENCE = 0.1
#: stored events waiting to be processed from which the bot counts as behind
BEHIND = 200


class Runtime:
    """Every long-lived part of the bot, built once from the settings."""

    def __init__(
        self, settings: Settings, *, token: str, limiter: ChatRateLimiter | None = None
    ) -> None:
        self.settings = settings
        self.defaults = SellerDefaults(
            settings.default_locale, settings.default_timezone, settings.reminder_hour
        )
        self.db = Database(settings.database_url)
        self.bot_username: str | None = None
        secret = (
            settings.chopni_webhook_secret.get_secret_value()
            if settings.chopni_webhook_secret
            else "whsec_" + base64.b64encode(secrets.token_bytes(24)).decode()
        )
        self.receiver = WebhookReceiver(self.db, secret)
        self.http = build_http_app(self)
        self.sandbox: SandboxMarketplace | None = None
        self.marketplace: Marketplace
        if settings.uses_sandbox:
            self._to_self = httpx.AsyncClient(
                transport=httpx.ASGITransport(app=self.http), base_url="http://chopni-bot"
            )
            self.sandbox = SandboxMarketplace(
                self.db,
                webhook_secret=secret,
                deliver=self._deliver_to_self,
                verify_delay=settings.sandbox_verify_delay,
            )
            self.marketplace = HttpMarketplace(
                "http://sandbox.chopni", None, transport=httpx.ASGITransport(app=self.sandbox.app)
            )
        else:
            assert settings.chopni_api_url is not None
            token_value = settings.chopni_api_token
            self.marketplace = HttpMarketplace(
                settings.chopni_api_url, token_value.get_secret_value() if token_value else None
            )

        # Telegram's own limits unless told otherwise (a stand-in that enforces none, in tests).
        self.limiter = limiter or ChatRateLimiter()
        self.application: Application = build_application(settings, token, self.db, self.limiter)
        notices = Notices()
        # Every relayed file is read and covered in a worker process, never in this one.
        self.files = FileChecker(ScanPool(workers=settings.scan_pool_size))
        # Buyers are told about their files on the order's thread, through the marketplace outbox.
        self.buyer_notes = BuyerNotes(
            self.db, BuyerFileNotes(), wake_dispatcher=lambda: self.dispatcher.wake()
        )
        self.relay = BuyerRelay(
            self.marketplace, self.defaults, render_buyer_message, self.files, self.buyer_notes
        )
        # This process's owner id and the lock that dies with it: what a killed process claimed
        # is taken over as soon as its lock is free, not when its claims' leases run out.
        self.liveness = liveness_for(self.db.url, self.db.engine)
        owner = self.liveness.owner
        # Outbox rows a sender claimed come back after this long if it failed to settle them.
        claims = timedelta(seconds=settings.lease_seconds or CLAIM_LEASE.total_seconds())
        self.events: EventProcessor  # built below, once the sender it wakes exists
        self.sender = TelegramSender(
            self.db,
            self.application.bot,
            limiter=self.limiter,
            load_attachment=with_cards(self.relay.load_attachment),
            combine=coalesced.combine,
            owner=owner,
            lease=claims,
            # A flash sale's events go before its notifications (which then list more sales).
            behind=lambda: self.events.backlog >= BEHIND,
        )
        # Away mode answers buyers through the marketplace outbox, built below.
        self.away = AwayMode(
            self.db,
            self.defaults,
            AwayTexts(),
            wake_dispatcher=lambda: self.dispatcher.wake(),
            on_notified=self.sender.wake,
        )
        # The buyer <-> seller relay, buyer messages in (and kept for the board).
        self._relayed = keeping(self.relay.on_buyer_message)
        self.events = EventProcessor(
            self.db,
            self.marketplace,
            self.defaults,
            notices,
            on_notified=self.sender.wake,
            make_way=functools.partial(self.receiver.lull, PROCESSING_PATIENCE),
            receiving=lambda: self.receiver.receiving,
            on_buyer_message=self._on_buyer_message,
        )
        # Seller replies out: queued by Replies, delivered by the marketplace outbox, which
        # Replies wakes (the outbox is built next, with Replies' delivery as its "message" kind).
        self.dispatcher: MarketplaceDispatcher
        self.replies = Replies(
            self.db,
            self.marketplace,
            functools.partial(telegram_download, self.application.bot),
            self.files,
            wake_dispatcher=lambda: self.dispatcher.wake(),
        )
        self.dispatcher = MarketplaceDispatcher(
            self.db,
            self.marketplace,
            on_telegram_queued=self.sender.wake,
            lease=claims,
            kinds={"message": self.replies.deliver, FILE_NOTE: self.replies.deliver},
            owner=owner,
        )
        self.orders = OrderService(self.db, wake_dispatcher=self.dispatcher.wake)
        self.linker = Linker(self.db)
        # Label photos are read in a worker process of their own, never in this one, so a
        # seller at the packing table never waits behind a relayed file.
        self.label_pool = ScanPool(workers=1, limits=Limits(time_limit=LABEL_TIME_LIMIT))
        self.labels = LabelReader(self.label_pool, max_pixels=MAX_IMAGE_PIXELS)
        # The order board is another face of the same order service.
        self.http.state.board = BoardState(
            self.db, self.orders, token, self.defaults, labels=self.labels
        )
        self.runs = ShippingRuns(self.db)
        self.reminders = Reminders(
            self.db, self.defaults, render_digest, on_queued=self.sender.wake
        )
        self.weekly = WeeklyCards(self.db, self.defaults, on_queued=self.sender.wake)
        self.team = Team(self.db, self.linker)
        self.saved_replies = SavedReplies(self.db, settings.default_timezone)
        self.reconciler = Reconciler(
            self.db, self.marketplace, self.defaults, notices, on_notified=self.sender.wake
        )
        self.poller_lease = Lease(
            self.db,
            "telegram-poller",
            owner,
            ttl=settings.lease_seconds or DEFAULT_TTL,
            liveness=self.liveness,
        )
        # A process alive but without a heartbeat for this long is stuck: its claims go too.
        self.takeover = Takeover(
            self.db,
            self.liveness,
            on_taken=self._taken_over,
            stuck_after=timedelta(seconds=settings.lease_seconds or STUCK_AFTER.total_seconds()),
        )
        register(self.application)

    async def _on_buyer_message(
        self, session: AsyncSession, message: schemas.Message, order: Order
    ) -> None:
        """A buyer's message: kept and relayed to the team, and answered while away."""
        await self._relayed(session, message, order)
        await self.away.on_buyer_message(session, message, order)

    def _taken_over(self) -> None:
        """A dead process's claims were given back: send them, and poll if it polled."""
        self.sender.wake()
        self.dispatcher.wake()
        self.poller_lease.wake()

    async def _deliver_to_self(self, body: bytes, headers: dict[str, str]) -> int:
        response = await self._to_self.post("/webhooks/chopni", content=body, headers=headers)
        return response.status_code

    async def initialize(self) -> None:
        """Connect to Telegram (getMe), attach the runtime to the handlers, set the menus."""
        await self.application.initialize()
        self.application.bot_data.runtime = self
        self.bot_username = self.application.bot.username
        await self.set_command_menus()

    async def set_command_menus(self) -> None:
        bot = self.application.bot
        try:
            # Private chats only: in a group the bot works for nobody, so it offers nothing there.
            private = BotCommandScopeAllPrivateChats()
            for locale in LOCALES:
                await bot.set_my_commands(
                    command_menu(locale, linked=True), scope=private, language_code=locale
                )
            await bot.set_my_commands(
                command_menu(self.defaults.locale, linked=True), scope=private
            )
            if self.settings.board_url:
                _ = translator(self.defaults.locale)
                await bot.set_chat_menu_button(
                    menu_button=keyboards.board_menu_button(self.settings.board_url, _)
                )
        except TelegramError as exc:
            log.warning("could not set the command menus: %s", exc)

    async def set_chat_commands(self, chat_id: int, locale: str, *, linked: bool) -> None:
        """A seller's own menu follows the language they chose, not their phone's."""
        try:
            await self.application.bot.set_my_commands(
                command_menu(locale, linked), scope=BotCommandScopeChat(chat_id)
            )
            if self.settings.board_url and linked:
                button = keyboards.board_menu_button(self.settings.board_url, translator(locale))
                await self.application.bot.set_chat_menu_button(chat_id, button)
        except TelegramError as exc:
            log.warning("could not set the chat's command menu: %s", exc)

    async def aclose(self) -> None:
        await self.files.aclose()
        await self.label_pool.close()
        await self.marketplace.aclose()
        if self.sandbox is not None:
            await self.sandbox.aclose()
            await self._to_self.aclose()
        await self.db.dispose()
