"""Secrets never reach the log: not in the message, and not in a traceback or exception text."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest

from bot.logs import JsonFormatter, Redact

TOKEN = "123456:AAE-secret-bot-token-never-logged"


@pytest.fixture
def lines() -> Iterator[io.StringIO]:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(Redact([TOKEN]))
    log = logging.getLogger("test.redaction")
    log.addHandler(handler)
    log.propagate = False
    yield stream
    log.removeHandler(handler)
    log.propagate = True


def test_a_token_in_the_message_is_scrubbed(lines: io.StringIO) -> None:
    logging.getLogger("test.redaction").warning("calling %s/getMe", f"https://api/bot{TOKEN}")
    entry = json.loads(lines.getvalue())
    assert TOKEN not in lines.getvalue()
    assert entry["event"] == "calling https://api/bot***/getMe"


def test_a_token_inside_an_exception_is_scrubbed_from_the_traceback(lines: io.StringIO) -> None:
    def call_api() -> None:
        raise ConnectionError(f"POST https://api.telegram.org/bot{TOKEN}/sendMessage failed")

    try:
        call_api()
    except ConnectionError:
        logging.getLogger("test.redaction").exception("send failed")
    entry = json.loads(lines.getvalue())
    assert TOKEN not in lines.getvalue()
    assert "Traceback" in entry["error"]
    assert "ConnectionError: POST https://api.telegram.org/bot***/" in entry["error"]
