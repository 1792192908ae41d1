"""The team behind one seller: who is linked, inviting staff, removing an account.

Each method checks the acting account's role in its own transaction (``bot.team.access``):
only the owner invites and removes; anyone on the team may see who is on it. An invite is the
linker's one-time code, carrying the staff role.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from bot.team.access import NotAMember, authorise
from bot.team.linking import IssuedCode, Linker
from bot.team.roles import Permission, Role
from storage import repositories
from storage.database import Database
from storage.models import TelegramAccount


class LastOwner(Exception):
    """Removing this account would leave the shop without an owner."""


@dataclass(frozen=True, slots=True)
class Teammate:
    user_id: int
    chat_id: int
    role: Role
    first_name: str | None
    linked_at: datetime | None


def _teammate(account: TelegramAccount) -> Teammate:
    return Teammate(
        user_id=account.user_id,
        chat_id=account.chat_id,
        role=Role.parse(account.role),
        first_name=account.first_name,
        linked_at=account.linked_at,
    )


class Team:
    def __init__(
        self,
        db: Database,
        linker: Linker,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._db = db
        self._linker = linker
        self._clock = clock

    async def members(self, seller_id: str, *, actor_telegram_id: int | None) -> list[Teammate]:
        """Everyone linked to the seller, owners first, then by when they were linked."""
        async with self._db.snapshot() as session:
            await authorise(session, actor_telegram_id, seller_id, Permission.SEE_ORDERS)
            accounts: Sequence[TelegramAccount] = await repositories.seller_accounts(
                session, seller_id
            )
        mates = [_teammate(account) for account in accounts]
        return sorted(mates, key=lambda mate: mate.role is not Role.OWNER)

    async def invite(self, seller_id: str, *, actor_telegram_id: int | None) -> IssuedCode:
        """A one-time code (and deep link) that links one more account as staff."""
        async with self._db.transaction() as session:
            await authorise(session, actor_telegram_id, seller_id, Permission.MANAGE_TEAM)
            issued = await self._linker.issue_in(session, seller_id, role=Role.STAFF)
            await session.commit()
        return issued

    async def remove(
        self, seller_id: str, user_id: int, *, actor_telegram_id: int | None
    ) -> Teammate:
        """Unlink ``user_id`` from the seller; returns who it was.

        Raises :class:`NotAMember` when that account is not on this team, :class:`LastOwner`
        when it is the only owner left.
        """
        async with self._db.transaction() as session:
            await authorise(session, actor_telegram_id, seller_id, Permission.MANAGE_TEAM)
            account = await session.get(TelegramAccount, user_id)
            if account is None or account.seller_id != seller_id or not account.active:
                raise NotAMember(user_id)
            removed = _teammate(account)
            if removed.role is Role.OWNER:
                owners = [
                    other
                    for other in await repositories.seller_accounts(session, seller_id)
                    if Role.parse(other.role) is Role.OWNER
                ]
                if len(owners) <= 1:
                    raise LastOwner(user_id)
            account.seller_id = None
            await session.commit()
        return removed
