"""Tables. SQLAlchemy 2 declarative style, timezone-aware timestamps, Telegram ids as BigInteger.

Every table that the bot writes from more than one place names its constraints through the
metadata's naming convention so migrations stay reviewable. One module per concern; everything
is importable from here (``from storage.models import Order``), and importing this package
registers every table on ``Base.metadata`` (Alembic's env relies on it).
"""

from __future__ import annotations

from storage.models.accounts import LinkAttempt, LinkCode, SavedReply, Seller, TelegramAccount
from storage.models.base import NAMING_CONVENTION, Base, Timestamp, utcnow
from storage.models.delivery import (
    ConversationState,
    DigestRecord,
    InboxEvent,
    Lease,
    MarketplaceOutbox,
    Owner,
    RelayLink,
    TelegramOutbox,
)
from storage.models.orders import HistoryEntry, Order, OrderMessage, WeeklyCard
from storage.models.sandbox import SandboxFile, SandboxRecord

__all__ = [
    "NAMING_CONVENTION",
    "Base",
    "ConversationState",
    "DigestRecord",
    "HistoryEntry",
    "InboxEvent",
    "Lease",
    "LinkAttempt",
    "LinkCode",
    "MarketplaceOutbox",
    "Order",
    "OrderMessage",
    "Owner",
    "RelayLink",
    "SandboxFile",
    "SandboxRecord",
    "SavedReply",
    "Seller",
    "TelegramAccount",
    "TelegramOutbox",
    "Timestamp",
    "WeeklyCard",
    "utcnow",
]
