"""/settings: language, time zone, reminder hour, the daily digest, the weekly card and quiet
hours, by buttons.

Also ``/settings timezone <Area/City>`` for a zone that is not among the buttons,
``/settings quiet 23-06`` for a quiet window that is not, and the digest's "Snooze" button. One
screen, no conversation state: each button stores its setting and redraws the screen
(settings.mmd).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from html import escape
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot.delivery.notify import quiet_hours_of
from bot.domain.deadlines import snooze_until_tomorrow
from bot.domain.quiet_hours import QuietHours
from bot.i18n import Gettext
from bot.presentation import away as away_view
from bot.presentation import quiet_hours as quiet_views
from bot.presentation import refusals
from bot.sync.orders import OrderNotFound
from bot.team.access import authorise
from bot.team.roles import NotAllowed, Permission
from handlers.answers import no_longer_valid, not_allowed, reply
from handlers.commands import require_seller
from handlers.context import Context
from handlers.who import Who, identify, pressing
from storage import repositories

ZONES = (
    "Europe/Sofia",
    "Europe/Athens",
    "Europe/Bucharest",
    "Europe/Istanbul",
    "Europe/Berlin",
    "Europe/London",
    "UTC",
)
HOURS = tuple(range(6, 23))
#: what a settings button sets (``set:<what>:<value>``); each is drawn in settings.mmd
SETTINGS = ("lang", "tz", "hour", "digest", "card", "away", "quiet")
_DATA = re.compile(rf"^set:(?P<what>{'|'.join(SETTINGS)}):(?P<value>[A-Za-z0-9_/+-]{{1,40}})$")
#: what ``/settings <name> <value>`` may set, by the name typed
_TYPED = {"timezone": "tz", "tz": "tz", "quiet": "quiet"}


async def _quiet(context: Context, who: Who) -> QuietHours:
    async with context.runtime.db.snapshot() as session:
        seller = await repositories.seller(session, who.seller_id or "")
    return quiet_hours_of(seller)


async def _current(context: Context, who: Who) -> tuple[str, int, bool]:
    async with context.runtime.db.snapshot() as session:
        seller = await repositories.seller(session, who.seller_id or "")
    defaults = context.runtime.defaults
    zone = (seller.timezone if seller else None) or defaults.timezone
    hour = (
        seller.reminder_hour
        if seller and seller.reminder_hour is not None
        else defaults.reminder_hour
    )
    return zone, hour, bool(seller.digest_enabled) if seller else True


async def _weekly_card(context: Context, who: Who) -> bool:
    """Whether the weekly performance card is on (it is until the seller turns it off)."""
    async with context.runtime.db.snapshot() as session:
        seller = await repositories.seller(session, who.seller_id or "")
    return bool(seller.weekly_card_enabled) if seller else True


async def _screen(context: Context, who: Who) -> tuple[str, InlineKeyboardMarkup]:
    _ = who._
    zone, hour, digest = await _current(context, who)
    card = await _weekly_card(context, who)
    away = await context.runtime.away.current(who.seller_id or "")
    quiet = await _quiet(context, who)
    text = "\n".join(
        [
            "<b>" + escape(_("Settings")) + "</b>",
            escape(
                _("Language: {language}").format(
                    language="Български" if who.locale == "bg" else "English"
                )
            ),
            escape(_("Time zone: {zone}").format(zone=zone)),
            escape(
                _("Daily digest: {state} at {hour}:00").format(
                    state=_("on") if digest else _("off"), hour=hour
                )
            ),
            escape(_("Weekly card: {state}").format(state=_("on") if card else _("off"))),
            quiet_views.describe(quiet, _),
            escape(_("Another zone: /settings timezone America/New_York")),
            away_view.state(away, _),
        ]
    )
    rows = [
        [
            InlineKeyboardButton("🇧🇬 Български", callback_data="set:lang:bg"),
            InlineKeyboardButton("🇬🇧 English", callback_data="set:lang:en"),
        ],
        *[
            [
                InlineKeyboardButton(("• " if z == zone else "") + z, callback_data=f"set:tz:{z}")
                for z in ZONES[i : i + 2]
            ]
            for i in range(0, len(ZONES), 2)
        ],
        *[
            [
                InlineKeyboardButton(
                    ("• " if h == hour else "") + f"{h}:00", callback_data=f"set:hour:{h}"
                )
                for h in HOURS[i : i + 6]
            ]
            for i in range(0, len(HOURS), 6)
        ],
        [
            InlineKeyboardButton(
                _("Turn the digest off") if digest else _("Turn the digest on"),
                callback_data=f"set:digest:{'off' if digest else 'on'}",
            )
        ],
        [
            InlineKeyboardButton(
                _("Turn the weekly card off") if card else _("Turn the weekly card on"),
                callback_data=f"set:card:{'off' if card else 'on'}",
            )
        ],
        [
            InlineKeyboardButton(
                _("End away mode") if away else _("🌴 Turn away mode on"),
                callback_data=f"set:away:{'off' if away else 'on'}",
            )
        ],
        *quiet_views.buttons(quiet, _),
    ]
    if not who.may(Permission.SHOP_SETTINGS):
        # Staff choose their own language; the shop's settings are the owner's.
        rows = rows[:1]
        text += "\n" + escape(_("Only the shop's owner changes the shop's settings."))
    return text, InlineKeyboardMarkup(rows)


async def settings_command(update: Update, context: Context) -> None:
    """Show the settings with buttons to change them."""
    who = await require_seller(update, context)
    if who is None:
        return
    chat = update.effective_chat
    assert chat is not None
    args = context.args or []
    if len(args) == 2 and args[0].lower() in _TYPED:
        what, value = _TYPED[args[0].lower()], args[1]
        if not _valid(what, value):
            await chat.send_message(_typed_wrong(what, value, who._))
            return
        try:
            await _store(context, who, what, value)
        except NotAllowed as refusal:
            await chat.send_message(refusals.not_allowed(refusal.permission, who._))
            return
    await reply(update, *await _screen(context, who))


def _typed_wrong(what: str, value: str, _: Gettext) -> str:
    """Why a typed time zone or quiet hours cannot be stored."""
    if what == "tz":
        return _("Unknown time zone {zone}. Use a name like Europe/Sofia.").format(zone=value)
    return _("Quiet hours are two whole hours, e.g. /settings quiet 23-07.")


async def settings_button(update: Update, context: Context) -> None:
    """Store what the pressed settings button says and redraw the screen."""
    query, who = await pressing(update, context)
    match = _DATA.match(query.data or "")
    if match is None or who.seller_id is None or not _valid(match["what"], match["value"]):
        await no_longer_valid(query, who)
        return
    try:
        await _store(context, who, match["what"], match["value"])
    except NotAllowed as refusal:
        await not_allowed(query, who, refusal.permission)
        return
    await query.answer()
    who = await identify(update, context)
    if match["what"] == "lang":
        await context.runtime.set_chat_commands(who.chat_id, who.locale, linked=True)
    text, markup = await _screen(context, who)
    await query.edit_message_text(text, parse_mode="HTML", reply_markup=markup)


def _valid(what: str, value: str) -> bool:
    if what == "lang":
        return value in ("bg", "en")
    if what == "tz":
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            return False
        return True
    if what == "hour":
        return value.isdigit() and 0 <= int(value) <= 23
    if what == "quiet":
        return quiet_views.parse(value, QuietHours()) is not None
    return value in ("on", "off")


async def _store(context: Context, who: Who, what: str, value: str) -> None:
    """Store one setting; the language is the account's own, the rest the owner's to change."""
    if what == "away":
        # "on" asks for the date and message (conversations/away.py); "off" ends it here.
        await context.runtime.away.stop(who.seller_id or "", actor_telegram_id=who.user_id)
        return
    async with context.runtime.db.transaction() as session:
        if what != "lang":
            await authorise(session, who.user_id, who.seller_id or "", Permission.SHOP_SETTINGS)
        if what == "lang":
            account = await repositories.account(session, who.user_id)
            if account is not None:
                account.locale = value
        else:
            seller = await repositories.ensure_seller(session, who.seller_id or "")
            if what == "tz":
                seller.timezone = value
            elif what == "hour":
                seller.reminder_hour = int(value)
            elif what == "card":
                seller.weekly_card_enabled = value == "on"
            elif what == "quiet":
                chosen = quiet_views.parse(value, quiet_hours_of(seller))
                if chosen is not None:
                    seller.quiet_start, seller.quiet_end = chosen.start, chosen.end
                    seller.quiet_enabled = chosen.enabled
            else:
                seller.digest_enabled = value == "on"
        await session.commit()


async def snooze(update: Update, context: Context, who: Who, number: str) -> None:
    """Put an order aside until tomorrow's digest."""
    chat = update.effective_chat
    assert chat is not None
    zone, hour, _digest = await _current(context, who)
    until = snooze_until_tomorrow(datetime.now(UTC), zone, hour)
    try:
        await context.runtime.orders.snooze(
            who.seller_id or "", number, until, actor_telegram_id=who.user_id
        )
    except OrderNotFound:
        await chat.send_message(refusals.unknown_order(number, who._))
        return
    await chat.send_message(
        who._("Order {number} is set aside until {when}.").format(
            number=number, when=who.reader.when(until)
        )
    )
