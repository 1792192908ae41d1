"""The permission check every service runs inside its own transaction, whatever the way in.

Commands, buttons and the Mini App all reach a service with the Telegram account that acts;
the service asks :func:`authorise` before it changes anything, so a forged or replayed button
from a staff account changes nothing. ``None`` is the bot itself (the CLI, the sandbox, tests).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from bot.team.roles import Permission, Role, require
from storage.models import TelegramAccount


class NotAMember(LookupError):
    """The account is not linked to this seller (another seller's, unlinked, or removed)."""


@dataclass(frozen=True, slots=True)
class Member:
    user_id: int
    seller_id: str
    role: Role
    first_name: str | None


def member_of(account: TelegramAccount | None) -> Member | None:
    if account is None or not account.active or account.seller_id is None:
        return None
    return Member(
        user_id=account.user_id,
        seller_id=account.seller_id,
        role=Role.parse(account.role),
        first_name=account.first_name,
    )


async def authorise(
    session: AsyncSession, user_id: int | None, seller_id: str, permission: Permission
) -> Member | None:
    """The acting member, if they may do ``permission`` for ``seller_id``; raises otherwise.

    Raises :class:`NotAMember` or :class:`bot.team.roles.NotAllowed`. ``None`` (the bot itself)
    is allowed and returns ``None``.
    """
    if user_id is None:
        return None
    member = member_of(await session.get(TelegramAccount, user_id))
    if member is None or member.seller_id != seller_id:
        raise NotAMember(user_id)
    require(member.role, permission)
    return member
