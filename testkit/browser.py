"""A real headless Chromium for the board's browser tests, driven by Playwright.

Playwright's own browser download cannot work here (no internet), so the tests use Debian's
``chromium`` package at :data:`CHROMIUM`, which ``.ci/run`` installs. Without it the browser
tests skip and say why; with ``CHOPNI_BROWSER_TESTS=required`` (set by ``.ci/run``) they fail
instead, so CI cannot pass them silently.

Every request the page makes off the loopback is refused, except Telegram's script, which is
answered by the test's stand-in (:func:`testkit.webapp.script`).
"""

from __future__ import annotations

import contextlib
import os
import shutil
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from bot.board.page import TELEGRAM_SCRIPT

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
REQUIRED = os.environ.get("CHOPNI_BROWSER_TESTS") == "required"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
#: the phone the board is made for: 360 CSS pixels wide
PHONE = {"width": 360, "height": 640}


def unavailable() -> str | None:
    """Why the browser tests cannot run here, or None when they can."""
    if shutil.which(CHROMIUM) is None and not Path(CHROMIUM).is_file():
        return f"no Chromium at {CHROMIUM} (apt-get install chromium)"
    try:
        import playwright.async_api  # noqa: F401
    except ImportError:
        return "Playwright is not installed (pip install -e '.[test]')"
    return None


def require_browser() -> None:
    """Skip (or, where the browser tests are required, fail) when there is no browser."""
    reason = unavailable()
    if reason is None:
        return
    if REQUIRED:
        pytest.fail(f"browser tests are required but cannot run: {reason}")
    pytest.skip(f"browser tests skipped: {reason}")


@contextlib.asynccontextmanager
async def phone_browser(
    profile: Path, telegram_script: str, viewport: dict[str, int] | None = None
) -> AsyncIterator[Any]:
    """A fresh Chromium context (new user-data-dir) the size of a phone, offline but for the
    loopback, with ``telegram_script`` served in place of Telegram's script."""
    from playwright.async_api import Route, async_playwright

    async def route(route: Route) -> None:
        url = route.request.url
        if url == TELEGRAM_SCRIPT:
            await route.fulfill(body=telegram_script, content_type="text/javascript")
        elif urlsplit(url).hostname in ("127.0.0.1", "localhost"):
            await route.continue_()
        else:
            await route.abort()

    async with async_playwright() as playwright:
        context = await playwright.chromium.launch_persistent_context(
            str(profile),
            executable_path=CHROMIUM,
            headless=True,
            args=FLAGS,
            viewport=viewport or PHONE,
            has_touch=True,
            is_mobile=True,
            device_scale_factor=2,
        )
        try:
            await context.route("**/*", route)
            yield context
        finally:
            await context.close()
