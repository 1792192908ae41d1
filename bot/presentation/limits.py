"""Telegram's limits on what the bot sends, and the means to stay within them.

Telegram counts a text's length in UTF-16 code units after the markup is parsed, so a message is
measured as the user sees it: tags removed, entities unescaped. Values that come from the
marketplace or from people (titles, aliases, comments, reasons) have no length of their own that
Telegram would respect, so every view clips them with :func:`clip` before escaping.
"""

from __future__ import annotations

import html
import re

from bot.domain.relay_text import TELEGRAM_CAPTION_LIMIT, TELEGRAM_TEXT_LIMIT, utf16_len

#: a message's text, and a photo's or document's caption (UTF-16 code units, markup parsed)
MESSAGE_TEXT = TELEGRAM_TEXT_LIMIT
CAPTION = TELEGRAM_CAPTION_LIMIT
#: a button's callback data, in bytes
CALLBACK_DATA = 64
#: buttons in one inline keyboard, and in one of its rows
BUTTONS = 100
BUTTONS_PER_ROW = 8
#: what the bot puts on a button: short enough to read on a phone, whatever it names
BUTTON_TEXT = 64
#: the text of an answer to a button press (a toast or an alert)
CALLBACK_ANSWER = 200

ELLIPSIS = "…"
_TAG = re.compile(r"<[^>]*>")


def visible_length(markup: str) -> int:
    """The length Telegram counts for an HTML text: tags removed, entities unescaped."""
    return utf16_len(html.unescape(_TAG.sub("", markup)))


def clip(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` UTF-16 code units, ending in "…" when it was cut."""
    if utf16_len(text) <= limit:
        return text
    kept, used = [], 0
    for char in text:
        size = utf16_len(char)
        if used + size > limit - 1:
            break
        kept.append(char)
        used += size
    return "".join(kept).rstrip() + ELLIPSIS
