"""/team: who is linked to the shop; the owner invites a packer and removes accounts.

Every action goes through ``bot.team.members.Team``, which checks the pressing account's role:
a forged or replayed button from staff changes nothing and gets one translated line.
"""

from __future__ import annotations

import logging

from telegram import Update
from telegram.error import TelegramError

from bot.i18n import translator
from bot.presentation import refusals
from bot.presentation import team as view
from bot.team.access import NotAMember
from bot.team.members import LastOwner
from bot.team.roles import NotAllowed, Permission
from handlers.answers import decoded, link_first, not_allowed, reply
from handlers.commands import require_seller
from handlers.context import Context
from handlers.who import Who, pressing

log = logging.getLogger(__name__)


async def team_command(update: Update, context: Context) -> None:
    """List the team; ``/team invite`` answers with a one-time link for a staff account."""
    who = await require_seller(update, context)
    if who is None:
        return
    if context.args and context.args[0].lower() == "invite":
        await _invite(update, context, who)
        return
    await _show(update, context, who)


async def _show(update: Update, context: Context, who: Who) -> None:
    try:
        mates = await context.runtime.team.members(
            who.seller_id or "", actor_telegram_id=who.user_id
        )
    except NotAMember:
        await reply(update, view.not_on_team(who._))
        return
    markup = (
        view.team_keyboard(mates, who.user_id, who._) if who.may(Permission.MANAGE_TEAM) else None
    )
    await reply(update, view.team_list(mates, who.user_id, who._), markup)


async def _invite(update: Update, context: Context, who: Who) -> None:
    try:
        issued = await context.runtime.team.invite(
            who.seller_id or "", actor_telegram_id=who.user_id
        )
    except NotAllowed as refusal:
        await reply(update, refusals.not_allowed(refusal.permission, who._))
        return
    except NotAMember:
        await reply(update, view.not_on_team(who._))
        return
    await reply(update, view.invite_text(issued.deep_link(context.runtime.bot_username), who._))


async def team_button(update: Update, context: Context) -> None:
    """Invite or remove, from the buttons under /team."""
    query, who = await pressing(update, context)
    if who.seller_id is None:
        await link_first(query, who)
        return
    if query.data == view.INVITE_DATA:
        await query.answer()
        await _invite(update, context, who)
        return
    user_id = await decoded(query, who, view.decode_remove)
    if user_id is None:
        return
    try:
        removed = await context.runtime.team.remove(
            who.seller_id, user_id, actor_telegram_id=who.user_id
        )
    except NotAllowed as refusal:
        await not_allowed(query, who, refusal.permission)
        return
    except NotAMember:
        await query.answer(view.not_on_team(who._), show_alert=True)
        return
    except LastOwner:
        await query.answer(view.last_owner(who._), show_alert=True)
        return
    await query.answer()
    await reply(update, view.removed_text(removed, who._))
    await _tell_removed(context, who, removed.chat_id)
    await _show(update, context, who)


async def _tell_removed(context: Context, who: Who, chat_id: int) -> None:
    """Tell the removed account, in the owner's language (theirs is no longer the shop's)."""
    _ = translator(who.locale)
    try:
        await context.bot.send_message(
            chat_id, view.you_were_removed(who.seller_id or "", _), parse_mode="HTML"
        )
    except TelegramError as exc:
        log.info("could not tell a removed account: %s", exc)
