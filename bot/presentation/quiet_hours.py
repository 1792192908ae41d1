"""How /settings shows and offers quiet hours: one line, a row of windows and a switch.

A button's data is ``set:quiet:<start>-<end>`` (whole local hours), ``set:quiet:off`` or
``set:quiet:on``; :func:`parse` reads it back, and ``/settings quiet 23-07`` the same way.
"""

from __future__ import annotations

import re
from html import escape

from telegram import InlineKeyboardButton

from bot.domain.quiet_hours import QuietHours
from bot.i18n import Gettext

#: windows offered as buttons; any other is ``/settings quiet 23-06``
PRESETS = ((22, 8), (23, 7), (21, 9), (0, 7))
_WINDOW = re.compile(r"^(?P<start>\d{1,2})-(?P<end>\d{1,2})$")


def parse(value: str, current: QuietHours) -> QuietHours | None:
    """The quiet hours ``value`` asks for (``22-08``, ``off``, ``on``), or None if it is not
    one."""
    if value == "off":
        return QuietHours(current.start, current.end, enabled=False)
    if value == "on":
        return QuietHours(current.start, current.end, enabled=True)
    match = _WINDOW.match(value)
    if match is None:
        return None
    start, end = int(match["start"]), int(match["end"])
    if start > 23 or end > 23 or start == end:
        return None
    return QuietHours(start, end, enabled=True)


def _window(start: int, end: int) -> str:
    return f"{start:02}:00–{end:02}:00"


def describe(hours: QuietHours, _: Gettext) -> str:
    if not hours.enabled:
        return escape(_("Quiet hours: off (every notification rings)"))
    return escape(
        _("Quiet hours: {window} (notifications arrive silently, no digest)").format(
            window=_window(hours.start, hours.end)
        )
    )


def buttons(hours: QuietHours, _: Gettext) -> list[list[InlineKeyboardButton]]:
    row = []
    for start, end in PRESETS:
        chosen = hours.enabled and (start, end) == (hours.start, hours.end)
        row.append(
            InlineKeyboardButton(
                ("• " if chosen else "🌙 ") + f"{start:02}–{end:02}",
                callback_data=f"set:quiet:{start:02}-{end:02}",
            )
        )
    switch = InlineKeyboardButton(
        _("No quiet hours") if hours.enabled else _("Quiet hours on"),
        callback_data=f"set:quiet:{'off' if hours.enabled else 'on'}",
    )
    return [row, [switch]]
