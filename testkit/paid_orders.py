"""A paid order for the integration tests: made on the marketplace and copied into the replica,
for a seller whose Telegram accounts are linked (as the sync leaves it when the payment lands)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime

from bot.marketplace.sandbox.marketplace import SandboxMarketplace
from bot.marketplace.schemas import Order
from bot.sync.replica import apply_remote_order
from bot.team.linking import Linker
from storage.database import Database


async def paid_order(
    db: Database, sandbox: SandboxMarketplace, seller: str, accounts: Mapping[int, str]
) -> Order:
    """A demo order of ``seller``, whose accounts (user id → Telegram language) are linked."""
    remote = await sandbox.create_demo_order(seller)
    linker = Linker(db)
    for user_id, locale in accounts.items():
        await linker.link_directly(seller, user_id=user_id, chat_id=user_id, telegram_locale=locale)
    async with db.transaction() as session:
        await apply_remote_order(session, remote, now=datetime.now(UTC))
        await session.commit()
    return remote
