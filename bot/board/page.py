"""The board's page: a small HTML shell, its stylesheet and its script, served from memory.

The shell holds no seller data and no text to translate: its script loads Telegram's own
``telegram-web-app.js`` (as Telegram asks), then fetches the server-rendered fragments of
:mod:`bot.board.views` with the signed initData. Server-rendered HTML and one vanilla script
need no front-end build: the whole page is a few kilobytes, and there is nothing to compile.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

STATIC = Path(__file__).with_name("static")
TELEGRAM_SCRIPT = "https://telegram.org/js/telegram-web-app.js"
ASSETS = {"board.css": "text/css", "board.js": "text/javascript"}

SHELL = f"""<!doctype html>
<html>
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1, viewport-fit=cover">
<meta name="referrer" content="no-referrer">
<title>Chopni</title>
<link rel="stylesheet" href="static/board.css">
<script src="{TELEGRAM_SCRIPT}"></script>
<script src="static/board.js" defer></script>
</head>
<body><main id="main" aria-live="polite"><p class="hint">…</p></main></body>
</html>
"""

#: the page's own security policy: its own files, Telegram's script, nothing else
POLICY = (
    "default-src 'self'; script-src 'self' https://telegram.org; "
    "style-src 'self' 'unsafe-inline'; img-src 'self' data:; frame-ancestors *"
)


@cache
def asset(name: str) -> bytes:
    return (STATIC / name).read_bytes()


async def shell(request: Request) -> Response:
    return Response(
        SHELL,
        media_type="text/html; charset=utf-8",
        headers={"Content-Security-Policy": POLICY, "Cache-Control": "no-cache"},
    )


async def to_shell(request: Request) -> Response:
    return RedirectResponse(str(request.url.replace(path="/app/")), status_code=308)


async def static(request: Request) -> Response:
    name = request.path_params["name"]
    if name not in ASSETS:
        raise HTTPException(404)  # answered like any unknown path (problem details)
    return Response(asset(name), media_type=ASSETS[name], headers={"Cache-Control": "no-cache"})
