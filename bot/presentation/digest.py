"""The daily digest message: a seller's most urgent stalled orders, why, and what to do.

Implements :class:`bot.reminders.digest.RenderDigest`.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from datetime import datetime
from html import escape
from typing import Any
from zoneinfo import ZoneInfo

from bot.delivery.notify import Recipient
from bot.domain.deadlines import OrderClock, StallReason
from bot.domain.identifiers import ORDER_NUMBER_PATTERN
from bot.domain.lifecycle import Status
from bot.i18n import translator
from bot.presentation.callback_data import Action, OrderCallback
from bot.presentation.limits import MESSAGE_TEXT, visible_length
from bot.reminders.digest import MAX_LISTED, Stalled


@dataclass(frozen=True, slots=True)
class _Phrases:
    """A digest's wording in one language, translated and HTML-escaped once, not per line."""

    zone: ZoneInfo
    reasons: dict[StallReason, str]
    header: str
    more: str
    footer: str
    details: str
    snooze: str


@functools.lru_cache(maxsize=256)
def _phrases(locale: str, timezone: str) -> _Phrases:
    _ = translator(locale)
    reasons = {
        StallReason.RETURN_UNANSWERED: _(
            "the buyer asked for a return: settle it with REFUNDED or write to them"
        ),
        StallReason.SHIP_BY_PASSED: _("ship-by passed on {deadline} and it is not SHIPPED"),
        StallReason.DELIVERY_OVERDUE: _("it should have arrived by {deadline}: is it COMPLETE?"),
        StallReason.SHIP_BY_SOON: _("ship it by {deadline}"),
        StallReason.NOT_STARTED: _("paid on {when} and not started: set PROCESSING"),
        StallReason.VERIFICATION_MISSING: _(
            "COMPLETE, but the marketplace has not verified the delivery: check the tracking"
        ),
    }
    return _Phrases(
        zone=ZoneInfo(timezone),
        reasons={reason: escape(text) for reason, text in reasons.items()},
        header=escape(_("Orders that need you today: {count}")),
        more=escape(_("…and {count} more: see /orders.")),
        footer=escape(_("Snooze puts an order aside until tomorrow's digest.")),
        details=_("Details"),
        snooze=_("Snooze {number}"),
    )


def _deadline(reason: StallReason, clock: OrderClock) -> datetime | None:
    """The moment a digest line names for ``reason``."""
    match reason:
        case StallReason.SHIP_BY_PASSED | StallReason.SHIP_BY_SOON:
            return clock.ship_by
        case StallReason.DELIVERY_OVERDUE:
            return clock.deliver_by
        case StallReason.NOT_STARTED:
            return clock.started_from
        case _:
            return None


def _short(moment: datetime | None, zone: ZoneInfo) -> str:
    """A compact local date and time for digest lines; the order card has the long form."""
    if moment is None:
        return "—"
    local = moment.astimezone(zone)
    return f"{local.day:02}.{local.month:02} {local.hour:02}:{local.minute:02}"


def _action(reason: StallReason, status: Status) -> Action:
    if reason is StallReason.RETURN_UNANSWERED:
        return Action.REFUNDED
    if reason in (StallReason.SHIP_BY_PASSED, StallReason.SHIP_BY_SOON, StallReason.NOT_STARTED):
        return Action.PROCESSING if status is Status.PROCESSED else Action.SHIPPED
    return Action.DETAILS


#: a digest line: its HTML, the order number and the action its first button takes
_Entry = tuple[str, str, Action]
#: the order numbers a button's callback data can carry (callback_data.OrderCallback)
_NUMBER = re.compile(ORDER_NUMBER_PATTERN)

_STATUS_WORD = {
    Action.PROCESSING: "PROCESSING",
    Action.SHIPPED: "SHIPPED",
    Action.REFUNDED: "REFUNDED",
}


def _fitting(entries: list[_Entry], kept: list[str]) -> list[_Entry]:
    """The first entries that fit in one message beside the ``kept`` lines."""
    # A line's UTF-16 length is at most twice its length in characters: most digests are far
    # below the limit, and are not measured line by line.
    if 2 * sum(len(line) + 1 for line in [*kept, *(e[0] for e in entries)]) <= MESSAGE_TEXT:
        return entries
    room = MESSAGE_TEXT - sum(visible_length(line) + 1 for line in kept)
    for count, (line, _number, _action) in enumerate(entries):
        room -= visible_length(line) + 1
        if room < 0:
            return entries[:count]
    return entries


def render_digest(stalled: Stalled, to: Recipient, now: datetime) -> tuple[str, dict[str, Any]]:
    """The digest message: the most urgent orders with why, a button to act and one to snooze."""
    phrases = _phrases(to.locale, to.timezone)
    head = f"⏰ <b>{phrases.header.format(count=stalled.total)}</b>"
    entries = []
    for _position, number, clock, reasons in stalled.orders[:MAX_LISTED]:
        why = "; ".join(
            phrases.reasons[reason].format(
                deadline=(when := _short(_deadline(reason, clock), phrases.zone)), when=when
            )
            for reason in reasons
        )
        line = f"• <b>{escape(number)}</b> ({clock.status.value}) — {why}"
        entries.append((line, number, _action(reasons[0], clock.status)))
    entries = _fitting(entries, [head, phrases.more.format(count=stalled.total), phrases.footer])
    lines = [head]
    rows = []
    for line, number, action in entries:
        lines.append(line)
        if not _NUMBER.match(number):
            continue  # a number buttons cannot carry: the line stays, without buttons
        # Plain Bot API JSON: a digest can list many orders, and building keyboard objects
        # only to serialise them again is most of the cost of a large sweep.
        rows.append(
            [
                {
                    "text": f"{_STATUS_WORD.get(action) or phrases.details} · {number}",
                    "callback_data": OrderCallback(action, number).encode(),
                },
                {
                    "text": phrases.snooze.format(number=number),
                    "callback_data": OrderCallback(Action.SNOOZE, number).encode(),
                },
            ]
        )
    shown = len(entries)
    if stalled.total > shown:
        lines.append(phrases.more.format(count=stalled.total - shown))
    lines.append(phrases.footer)
    return "\n".join(lines), {"inline_keyboard": rows}
