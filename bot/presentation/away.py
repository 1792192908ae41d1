"""How away mode reads: its state, the answers to /away, the reasons it is refused, and the
notice that it ended. ``AwayTexts`` implements :class:`bot.team.away.AwayNotices`."""

from __future__ import annotations

from datetime import date
from html import escape

from bot.delivery.notify import Message, Recipient
from bot.domain.away import MAX_AWAY_DAYS, MAX_AWAY_MESSAGE, AwayRefused
from bot.i18n import Gettext
from bot.presentation.views import Reader
from bot.team.away import Away

USAGE = "/away 2026-12-10 Back on Monday"


def day(until: date) -> str:
    return f"{until:%d.%m.%Y}"


class AwayTexts:
    def ended(self, until: date, to: Recipient) -> Message:
        _ = Reader.of(to)._
        text = _(
            "🌴 Away mode ended today ({date}) as planned. Buyers no longer get the away "
            "message, and the daily digest is back."
        ).format(date=day(until))
        return escape(text), None


def started(away: Away, _: Gettext) -> str:
    return escape(
        _(
            "🌴 Away until {date}. Each buyer who writes gets, once a day per order: "
            "«{message}». The daily digest pauses; sales still arrive. /away off ends it."
        ).format(date=day(away.until), message=away.message)
    )


def stopped(was_on: bool, _: Gettext) -> str:
    if was_on:
        return escape(_("Away mode is off. Welcome back!"))
    return escape(_("Away mode was not on."))


def state(away: Away | None, _: Gettext) -> str:
    if away is None:
        return escape(_("Away mode: off. Turn it on with {usage}").format(usage=USAGE))
    return escape(
        _("Away mode: on until {date}, answering «{message}».").format(
            date=day(away.until), message=away.message
        )
    )


def ask(_: Gettext) -> str:
    return escape(
        _(
            "Until when, and what should buyers read? Send the date you are back and the "
            "message, e.g. {usage} (the date may also be 10.12.2026). /cancel leaves."
        ).format(usage=USAGE.removeprefix("/away "))
    )


def refused(refusal: AwayRefused, _: Gettext) -> str:
    texts = {
        "date": _("Give the date you are back as 2026-12-10 or 10.12.2026, then the message."),
        "past": _("That date has already come: give the day you are back, after today."),
        "too_far": _("Away mode lasts at most {days} days."),
        "empty": _("Add the message buyers should read, e.g. {usage}"),
        "too_long": _("The away message holds at most {limit} characters."),
        "contact": _(
            "Not turned on: the message contains contact details. The marketplace forbids "
            "exchanging them with buyers."
        ),
    }
    text = texts.get(refusal.reason, texts["date"])
    return escape(text.format(days=MAX_AWAY_DAYS, usage=USAGE, limit=MAX_AWAY_MESSAGE))


def while_away(until: date, _: Gettext) -> str:
    """The line a sale notification starts with while the owner is away."""
    return escape(
        _("🌴 While you are away (back on {date}): buyers get your away message.").format(
            date=day(until)
        )
    )
