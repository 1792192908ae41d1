"""Who is talking: the Telegram account, the seller it serves, and how to speak to them."""

from __future__ import annotations

from dataclasses import dataclass

from telegram import CallbackQuery, Chat, Update

from bot.delivery.notify import recipient_for
from bot.i18n import Gettext
from bot.presentation.views import Reader
from bot.team.roles import Permission, Role, allows
from handlers.context import Context
from storage import repositories
from storage.models import TelegramAccount


@dataclass(frozen=True, slots=True)
class Who:
    user_id: int
    chat_id: int
    account: TelegramAccount | None
    reader: Reader

    @property
    def seller_id(self) -> str | None:
        return self.account.seller_id if self.account and self.account.active else None

    @property
    def role(self) -> Role:
        return Role.parse(self.account.role if self.account else None)

    def may(self, permission: Permission) -> bool:
        """Whether to offer what needs ``permission`` (the services check it again)."""
        return self.seller_id is not None and allows(self.role, permission)

    @property
    def _(self) -> Gettext:
        return self.reader._

    @property
    def locale(self) -> str:
        return self.reader.locale


async def identify(update: Update, context: Context) -> Who:
    """Look up the account behind the update, remembering the language Telegram reports."""
    user = update.effective_user
    chat = update.effective_chat
    if user is None or chat is None:
        raise LookupError("update without a user or chat")
    runtime = context.runtime
    async with runtime.db.snapshot() as session:
        account = await repositories.account(session, user.id)
        seller = None
        if account is not None and account.seller_id is not None:
            seller = await repositories.seller(session, account.seller_id)
    # Only the user's own private chat may become the account's chat: never a group's.
    own_chat = chat.type == Chat.PRIVATE and chat.id == user.id
    moved = own_chat and account is not None and account.chat_id != chat.id
    renamed = account is not None and account.first_name != user.first_name
    if account is not None and (account.telegram_locale != user.language_code or moved or renamed):
        async with runtime.db.transaction() as session:
            stored = await repositories.account(session, user.id)
            if stored is not None:
                stored.telegram_locale = user.language_code
                if own_chat:
                    stored.chat_id = chat.id
                stored.first_name = user.first_name[:64]
                await session.commit()
                account = stored
    # An unlinked account still has a language: its own choice, or Telegram's.
    probe = account or TelegramAccount(
        user_id=user.id, chat_id=chat.id, locale=None, telegram_locale=user.language_code
    )
    reader = Reader.of(recipient_for(probe, seller, runtime.defaults))
    return Who(user_id=user.id, chat_id=chat.id, account=account, reader=reader)


async def pressing(update: Update, context: Context) -> tuple[CallbackQuery, Who]:
    """The pressed button and who pressed it."""
    query = update.callback_query
    assert query is not None
    return query, await identify(update, context)
