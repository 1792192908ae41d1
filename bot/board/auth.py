"""The ``tma`` authorisation of the board: Telegram's signed ``initData``, checked as documented.

Telegram gives a Mini App the raw query string ``Telegram.WebApp.initData``; the page sends it as
``Authorization: tma <initData>``. It is genuine when its ``hash`` is the HMAC-SHA256 of the
sorted ``key=value`` lines (all fields but ``hash``) under the key
HMAC-SHA256("WebAppData", bot token), and fresh when ``auth_date`` is at most 24 hours old.
``init-data-py`` does the check; our own vectors in the tests hold it to the documentation.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import init_data_py
from init_data_py import errors

#: how long a Mini App session's initData is accepted (Telegram's own examples use a day)
MAX_AGE_SECONDS = 24 * 3600


class Unauthorised(Exception):
    """Missing, forged or stale initData: the request gets 401."""


@dataclass(frozen=True, slots=True)
class TelegramUser:
    """Who opened the board, as Telegram signed it."""

    user_id: int
    language_code: str | None


def authenticate(header: str | None, bot_token: str, now: datetime) -> TelegramUser:
    """The Telegram user behind an ``Authorization: tma …`` header, or :class:`Unauthorised`."""
    if not header:
        raise Unauthorised("missing")
    scheme, _, raw = header.strip().partition(" ")
    if scheme.lower() != "tma" or not raw.strip():
        raise Unauthorised("not tma")
    try:
        data = init_data_py.validate_by_hash(
            raw.strip(), bot_token, expires_in=MAX_AGE_SECONDS, now=now
        )
    except errors.ExpiredError as exc:
        raise Unauthorised("stale") from exc
    except errors.InvalidInitDataError as exc:
        raise Unauthorised("forged or malformed") from exc
    if data.user is None:
        raise Unauthorised("no user")
    return TelegramUser(user_id=data.user.id, language_code=data.user.language_code)
