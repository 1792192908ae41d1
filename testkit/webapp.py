"""Telegram's side of a Mini App, for tests and benchmarks: signed initData and a stand-in for
``telegram-web-app.js``.

:func:`init_data` signs as Telegram's documentation describes, written here from the
documentation rather than with the library the bot uses, so the two check each other:
the data-check-string is every ``key=value`` but ``hash``, sorted and joined by newlines; the key
is HMAC-SHA256 of the bot token under the constant ``"WebAppData"``; ``hash`` is the hex
HMAC-SHA256 of the data-check-string under that key.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import datetime
from urllib.parse import urlencode

#: the stand-in's theme, as Telegram's dark theme would give it
DARK_THEME = {
    "bg_color": "#17212b",
    "text_color": "#f5f5f5",
    "hint_color": "#708499",
    "link_color": "#6ab3f3",
    "button_color": "#5288c1",
    "button_text_color": "#ffffff",
    "secondary_bg_color": "#232e3c",
}
LIGHT_THEME = {
    "bg_color": "#ffffff",
    "text_color": "#000000",
    "hint_color": "#999999",
    "link_color": "#2481cc",
    "button_color": "#2481cc",
    "button_text_color": "#ffffff",
    "secondary_bg_color": "#efeff3",
}


def data_check_string(pairs: list[tuple[str, str]]) -> str:
    return "\n".join(sorted(f"{key}={value}" for key, value in pairs if key != "hash"))


def signature(pairs: list[tuple[str, str]], bot_token: str) -> str:
    secret = hmac.new(b"WebAppData", bot_token.encode(), hashlib.sha256).digest()
    return hmac.new(secret, data_check_string(pairs).encode(), hashlib.sha256).hexdigest()


def init_data(
    bot_token: str,
    user_id: int,
    *,
    auth_date: datetime,
    first_name: str = "Seller",
    language_code: str | None = "en",
    query_id: str = "AAHdF6IQAAAAAN0XohDhrOrc",
) -> str:
    """The raw ``Telegram.WebApp.initData`` Telegram would give ``user_id``'s Mini App."""
    user: dict[str, object] = {"id": user_id, "first_name": first_name}
    if language_code:
        user["language_code"] = language_code
    pairs = [
        ("query_id", query_id),
        ("user", json.dumps(user, separators=(",", ":"), ensure_ascii=False)),
        ("auth_date", str(int(auth_date.timestamp()))),
    ]
    return urlencode([*pairs, ("hash", signature(pairs, bot_token))])


def script(
    raw_init_data: str, *, theme: dict[str, str] | None = None, scheme: str = "light"
) -> str:
    """A stand-in for ``telegram-web-app.js``: ``window.Telegram.WebApp`` as the page uses it.

    Calls the page makes are recorded in ``window.__telegram`` for the tests to read.
    """
    params = json.dumps(theme or LIGHT_THEME)
    raw = json.dumps(raw_init_data)
    return f"""(function () {{
  var raw = {raw};
  var calls = window.__telegram = [];
  var query = new URLSearchParams(raw);
  var unsafe = {{}};
  query.forEach(function (value, key) {{
    try {{ unsafe[key] = key === "user" ? JSON.parse(value) : value; }} catch (e) {{ }}
  }});
  function record(name) {{ return function () {{ calls.push(name); }}; }}
  window.Telegram = {{ WebApp: {{
    initData: raw, initDataUnsafe: unsafe, version: "8.0", platform: "tdesktop",
    colorScheme: {json.dumps(scheme)}, themeParams: {params},
    ready: record("ready"), expand: record("expand"),
    onEvent: function (name) {{ calls.push("onEvent:" + name); }},
    BackButton: {{ show: record("back.show"), hide: record("back.hide"),
                  onClick: record("back.onClick") }}
  }} }};
}})();
"""
