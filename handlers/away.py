"""/away <until> <message> turns away mode on, /away off ends it, /away alone says how it stands.

The dates: ``YYYY-MM-DD`` or ``DD.MM.YYYY``, the day the seller is back. Only the owner may turn
it on or off (``bot.team.away.AwayMode`` checks); a bad date or a message with a contact detail
gets one line with the reason.
"""

from __future__ import annotations

from telegram import Update

from bot.domain.away import AwayRefused
from bot.presentation import away as view
from bot.presentation import refusals
from bot.team.roles import NotAllowed
from handlers.answers import reply
from handlers.commands import require_seller
from handlers.context import Context
from handlers.who import Who


async def away_command(update: Update, context: Context) -> None:
    """Turn away mode on or off, or show it."""
    who = await require_seller(update, context)
    if who is None:
        return
    args = context.args or []
    if not args:
        current = await context.runtime.away.current(who.seller_id or "")
        await reply(update, view.state(current, who._))
        return
    await reply(update, await turn(context, who, args))


async def turn(context: Context, who: Who, words: list[str]) -> str:
    """Act on ``off`` or ``<until> <message…>`` and say what happened (HTML)."""
    service = context.runtime.away
    try:
        if words[0].lower() == "off":
            return view.stopped(
                await service.stop(who.seller_id or "", actor_telegram_id=who.user_id), who._
            )
        away = await service.start(
            who.seller_id or "", words[0], " ".join(words[1:]), actor_telegram_id=who.user_id
        )
    except NotAllowed as refusal:
        return refusals.not_allowed(refusal.permission, who._)
    except AwayRefused as refusal:
        return view.refused(refusal, who._)
    return view.started(away, who._)
