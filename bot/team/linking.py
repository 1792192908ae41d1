"""One-time link codes that tie a Telegram account to a marketplace seller.

A code is shown once (``chopni-bot link`` or the admin API), stored only as a SHA-256 hash,
valid for 24 hours and for one use. Several accounts may be linked to one seller.

A code carries the role its account gets: codes from the marketplace or an operator link owners,
an owner's team invite (``bot.team``) links staff.
"""

from __future__ import annotations

import enum
import hashlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.team.roles import Role
from storage import repositories
from storage.database import Database
from storage.models import LinkAttempt, LinkCode, TelegramAccount

CODE_LIFETIME = timedelta(hours=24)
#: codes that linked nothing, per Telegram account and window, before /start stops trying:
#: cheap insurance beside the codes' 80 bits
MAX_FAILED_CODES = 5
FAILED_CODES_WINDOW = timedelta(minutes=10)
_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


class LinkRefusal(enum.StrEnum):
    UNKNOWN = "unknown"
    EXPIRED = "expired"
    USED = "used"
    THROTTLED = "throttled"


class LinkRefused(Exception):
    def __init__(self, reason: LinkRefusal) -> None:
        super().__init__(reason.value)
        self.reason = reason


@dataclass(frozen=True, slots=True)
class IssuedCode:
    code: str
    seller_id: str
    expires_at: datetime

    def deep_link(self, bot_username: str | None) -> str:
        return f"https://t.me/{bot_username or 'your_bot'}?start={self.code}"


def hash_code(code: str) -> str:
    return hashlib.sha256(code.strip().upper().encode()).hexdigest()


def _refusal(link: LinkCode | None, now: datetime) -> LinkRefusal | None:
    if link is None:
        return LinkRefusal.UNKNOWN
    if link.used_at is not None:
        return LinkRefusal.USED
    if link.expires_at <= now:
        return LinkRefusal.EXPIRED
    return None


async def _recent_failures(session: AsyncSession, user_id: int, now: datetime) -> int:
    """Failed codes of this account within the window; older ones are forgotten here."""
    since = now - FAILED_CODES_WINDOW
    await session.execute(
        delete(LinkAttempt).where(LinkAttempt.user_id == user_id, LinkAttempt.attempted_at < since)
    )
    count = await session.scalar(
        select(func.count()).select_from(LinkAttempt).where(LinkAttempt.user_id == user_id)
    )
    return int(count or 0)


class Linker:
    def __init__(
        self, db: Database, clock: Callable[[], datetime] = lambda: datetime.now(UTC)
    ) -> None:
        self._db = db
        self._clock = clock

    async def issue(self, seller_id: str, *, role: Role = Role.OWNER) -> IssuedCode:
        """Create a fresh code for ``seller_id`` (the seller is created if new)."""
        async with self._db.transaction() as session:
            issued = await self.issue_in(session, seller_id, role=role)
            await session.commit()
        return issued

    async def issue_in(
        self, session: AsyncSession, seller_id: str, *, role: Role = Role.OWNER
    ) -> IssuedCode:
        """:meth:`issue` inside the caller's transaction."""
        code = "".join(secrets.choice(_CODE_ALPHABET) for _ in range(16))
        expires_at = self._clock() + CODE_LIFETIME
        await repositories.ensure_seller(session, seller_id)
        session.add(
            LinkCode(
                code_hash=hash_code(code),
                seller_id=seller_id,
                expires_at=expires_at,
                role=role.value,
            )
        )
        return IssuedCode(code, seller_id, expires_at)

    async def redeem(
        self,
        code: str,
        *,
        user_id: int,
        chat_id: int,
        telegram_locale: str | None,
        first_name: str | None = None,
    ) -> str:
        """Link the account with ``code`` in the role the code carries; returns the seller id.

        After :data:`MAX_FAILED_CODES` codes that linked nothing within
        :data:`FAILED_CODES_WINDOW`, every code is refused until the oldest failure ages out.
        """
        now = self._clock()
        async with self._db.transaction() as session:
            if await _recent_failures(session, user_id, now) >= MAX_FAILED_CODES:
                raise LinkRefused(LinkRefusal.THROTTLED)
            link = await session.get(LinkCode, hash_code(code))
            refusal = _refusal(link, now)
            if refusal is not None or link is None:
                session.add(LinkAttempt(user_id=user_id, attempted_at=now))
                await session.commit()
                raise LinkRefused(refusal or LinkRefusal.UNKNOWN)
            link.used_at = now
            link.used_by = user_id
            account = await self._link(
                session, link.seller_id, user_id, chat_id, telegram_locale, now
            )
            account.role = Role.parse(link.role).value
            account.first_name = first_name or account.first_name
            await session.commit()
            return link.seller_id

    async def link_directly(
        self,
        seller_id: str,
        *,
        user_id: int,
        chat_id: int,
        telegram_locale: str | None,
        first_name: str | None = None,
    ) -> None:
        """Link without a code, as the owner: only for the sandbox's demo seller."""
        async with self._db.transaction() as session:
            await repositories.ensure_seller(session, seller_id)
            account = await self._link(
                session, seller_id, user_id, chat_id, telegram_locale, self._clock()
            )
            account.role = Role.OWNER.value
            account.first_name = first_name or account.first_name
            await session.commit()

    @staticmethod
    async def _link(
        session: AsyncSession,
        seller_id: str,
        user_id: int,
        chat_id: int,
        telegram_locale: str | None,
        now: datetime,
    ) -> TelegramAccount:
        account = await session.get(TelegramAccount, user_id)
        if account is None:
            account = TelegramAccount(user_id=user_id, chat_id=chat_id)
            session.add(account)
        account.chat_id = chat_id
        account.seller_id = seller_id
        account.telegram_locale = telegram_locale
        account.active = True
        account.blocked_at = None
        account.linked_at = now
        return account
