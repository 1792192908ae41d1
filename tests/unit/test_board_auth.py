"""The board's ``tma`` check against test vectors of our own, signed as Telegram documents it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qsl, urlencode

import pytest

from bot.board.auth import Unauthorised, authenticate
from testkit.webapp import data_check_string, init_data, signature

TOKEN = "123456:TEST-token"
SIGNED_AT = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)
#: initData for user 7001 ("Мария", bg) signed at SIGNED_AT with TOKEN; the hash was computed
#: with the documented recipe (``testkit.webapp``) and is kept here so that a change to either
#: side shows up
VECTOR = (
    "query_id=AAHdF6IQAAAAAN0XohDhrOrc"
    "&user=%7B%22id%22%3A7001%2C%22first_name%22%3A%22%D0%9C%D0%B0%D1%80%D0%B8%D1%8F%22%2C"
    "%22language_code%22%3A%22bg%22%7D&auth_date=1796119200"
    "&hash=b19ae9d4e59de457f1051f408422261d077f6e859099ecad82c77328bbab1aa6"
)


def test_the_signing_recipe_reproduces_the_kept_vector() -> None:
    signed = init_data(TOKEN, 7001, auth_date=SIGNED_AT, first_name="Мария", language_code="bg")
    assert signed == VECTOR


def test_the_data_check_string_is_sorted_lines_without_the_hash() -> None:
    pairs = parse_qsl(VECTOR)
    assert data_check_string(pairs) == (
        "auth_date=1796119200\n"
        "query_id=AAHdF6IQAAAAAN0XohDhrOrc\n"
        'user={"id":7001,"first_name":"Мария","language_code":"bg"}'
    )


def test_the_kept_vector_is_accepted_within_a_day() -> None:
    user = authenticate(f"tma {VECTOR}", TOKEN, SIGNED_AT + timedelta(hours=23, minutes=59))
    assert (user.user_id, user.language_code) == (7001, "bg")


def test_initdata_older_than_a_day_is_refused() -> None:
    with pytest.raises(Unauthorised):
        authenticate(f"tma {VECTOR}", TOKEN, SIGNED_AT + timedelta(hours=24, seconds=1))


@pytest.mark.parametrize(
    "header",
    [
        None,
        "",
        "tma",
        "tma ",
        f"Bearer {VECTOR}",
        f"tma {VECTOR.replace('7001', '7002')}",
        f"tma {VECTOR[:-1]}0",
        f"tma {VECTOR.replace('&hash=', '&hash=0')}",
        "tma " + VECTOR.split("&hash=")[0],
        "tma user=%7B%7D&auth_date=1796119200&hash=00",
    ],
)
def test_missing_malformed_or_forged_initdata_is_refused(header: str | None) -> None:
    with pytest.raises(Unauthorised):
        authenticate(header, TOKEN, SIGNED_AT)


def test_initdata_signed_with_another_bots_token_is_refused() -> None:
    other = init_data("654321:another-bot", 7001, auth_date=SIGNED_AT)
    with pytest.raises(Unauthorised):
        authenticate(f"tma {other}", TOKEN, SIGNED_AT)


def test_a_field_added_after_signing_breaks_the_signature() -> None:
    pairs = parse_qsl(VECTOR)
    pairs.insert(0, ("start_param", "admin"))
    with pytest.raises(Unauthorised):
        authenticate(f"tma {urlencode(pairs)}", TOKEN, SIGNED_AT)
    resigned = [p for p in pairs if p[0] != "hash"]
    resigned.append(("hash", signature(resigned, TOKEN)))
    assert authenticate(f"tma {urlencode(resigned)}", TOKEN, SIGNED_AT).user_id == 7001


def test_initdata_without_a_user_is_refused() -> None:
    pairs = [("auth_date", "1796119200"), ("query_id", "x")]
    raw = urlencode([*pairs, ("hash", signature(pairs, TOKEN))])
    with pytest.raises(Unauthorised):
        authenticate(f"tma {raw}", TOKEN, SIGNED_AT)
