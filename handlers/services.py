"""What handlers and conversations may use of the running bot: a small protocol.

The composition root's ``Runtime`` satisfies it; handlers never see the concrete class, so a
test can hand them anything shaped like this.
"""

from __future__ import annotations

from typing import Protocol

from bot.delivery.notify import SellerDefaults
from bot.marketplace.sandbox.marketplace import SandboxMarketplace
from bot.relay.files import FileChecker
from bot.relay.replies import Replies
from bot.settings import Settings
from bot.shipping.labels import LabelReader
from bot.shipping.runs import ShippingRuns
from bot.sync.orders import OrderService
from bot.team.away import AwayMode
from bot.team.linking import Linker
from bot.team.members import Team
from bot.team.saved_replies import SavedReplies
from storage.database import Database


class Services(Protocol):
    @property
    def settings(self) -> Settings: ...

    @property
    def db(self) -> Database: ...

    @property
    def defaults(self) -> SellerDefaults: ...

    @property
    def orders(self) -> OrderService: ...

    @property
    def replies(self) -> Replies: ...

    @property
    def files(self) -> FileChecker: ...

    @property
    def labels(self) -> LabelReader:
        """Reads tracking numbers from label photos, in a worker process."""
        ...

    @property
    def runs(self) -> ShippingRuns: ...

    @property
    def linker(self) -> Linker: ...

    @property
    def team(self) -> Team: ...

    @property
    def saved_replies(self) -> SavedReplies: ...

    @property
    def away(self) -> AwayMode: ...

    @property
    def bot_username(self) -> str | None:
        """The bot's @username, for deep links; known once it has met Telegram."""
        ...

    @property
    def sandbox(self) -> SandboxMarketplace | None:
        """The built-in sandbox marketplace, when the bot runs on it."""
        ...

    async def set_chat_commands(self, chat_id: int, locale: str, *, linked: bool) -> None:
        """Show a chat the command menu of its language, linked or not."""
        ...
