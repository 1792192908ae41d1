"""Every kind of message the bot builds stays within Telegram's limits with every field at its
maximum: the longest comments, titles, aliases, reasons and addresses, the most items, orders and
history entries. Telegram's judgement is the loopback stand-in's (testkit): it parses the HTML
as Telegram does and refuses what Telegram refuses."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from telegram import InlineKeyboardMarkup

from bot.domain.deadlines import OrderClock, StallReason
from bot.domain.lifecycle import MAX_COMMENT_LENGTH, Status, TransitionRefused
from bot.domain.relay_text import MARKETPLACE_TEXT_LIMIT
from bot.domain.saved_replies import MAX_REPLY_LENGTH, MAX_SAVED_REPLIES, TemplateRefused
from bot.domain.tracking import TrackingRefused
from bot.marketplace import schemas
from bot.presentation import keyboards, order_card, refusals, views
from bot.presentation import saved_replies as saved_view
from bot.presentation import team as team_view
from bot.presentation.digest import render_digest
from bot.presentation.limits import (
    BUTTON_TEXT,
    BUTTONS,
    BUTTONS_PER_ROW,
    CALLBACK_ANSWER,
    CAPTION,
    MESSAGE_TEXT,
)
from bot.presentation.notices import Notices
from bot.presentation.relayed import render_buyer_message
from bot.presentation.views import Reader
from bot.reminders.digest import Stalled
from bot.team.members import Teammate
from bot.team.roles import Permission, Role
from bot.team.saved_replies import Saved
from conversations.status_change import _checklist
from handlers.commands import help_text
from handlers.who import Who
from storage.models import HistoryEntry, Order
from testkit.telegram_stub_formatting import check_markup, parse_html, strip, utf16_len

NOW = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)
#: the longest number a button can carry, and a marketplace number (50) that none can
NUMBER = "9" * 40
ODD_NUMBER = "№" * 50
#: a character Telegram counts twice (UTF-16), with markup characters that must be escaped
WIDE = "🙂<&>"


def long_text(length: int) -> str:
    return (WIDE * length)[:length]


def max_order(number: str = NUMBER) -> Order:
    order = Order(
        id="ord_" + number,
        number=number,
        seller_id="shop-1",
        status=Status.SHIPPED.value,
        placed_at=NOW - timedelta(days=3),
        paid_at=NOW - timedelta(days=3),
        currency="EUR",
        total="9999999999.99",
        items=[
            {"title": long_text(1000), "quantity": 999_999, "unit_price": "9999999.99"}
            for _ in range(200)
        ],
        delivery={"option": "x", "carrier": "econt", "label": long_text(1000), "max_days": 99},
        ship_by=NOW,
        deliver_by=NOW + timedelta(days=5),
        buyer_alias=long_text(100),
        ship_to={field: long_text(1000) for field in ("name", "line1", "line2", "city", "postcode")}
        | {"country": "BG"},
        tracking_number="T" * 64,
        delivered_at=NOW,
        return_window_ends_at=NOW + timedelta(days=14),
        return_requested_at=NOW,
        return_kind="refund",
        return_reason=long_text(4000),
    )
    return order


def max_history(count: int = 23) -> list[HistoryEntry]:
    states = ["pending", "refused", "synced", "remote"]
    return [
        HistoryEntry(
            id=i,
            order_id="ord",
            status=Status.REFUNDED.value,
            comment=long_text(MAX_COMMENT_LENGTH).replace("<", "\n", 3),
            resolution="refund",
            source="seller",
            sync_state=states[i % len(states)],
            created_at=NOW + timedelta(minutes=i),
        )
        for i in range(count)
    ]


def assert_fits(text: str, markup: Any = None, *, limit: int = MESSAGE_TEXT) -> None:
    """Refused by nothing Telegram checks: HTML, length, buttons and their callback data."""
    raw, entities = parse_html(text)
    plain, _ = strip(raw, entities)
    assert 0 < utf16_len(plain) <= limit, utf16_len(plain)
    if isinstance(markup, InlineKeyboardMarkup):
        markup = markup.to_dict()
    check_markup(markup)
    rows = (markup or {}).get("inline_keyboard", [])
    assert sum(len(row) for row in rows) <= BUTTONS
    for row in rows:
        assert len(row) <= BUTTONS_PER_ROW
        for button in row:
            assert 0 < len(button["text"]) <= BUTTON_TEXT


def readers() -> Iterator[Reader]:
    for locale in ("bg", "en"):
        yield Reader(locale=locale, timezone="Pacific/Kiritimati")


@pytest.mark.parametrize("reader", list(readers()), ids=lambda r: r.locale)
def test_every_notice_and_view_fits_with_every_field_at_its_maximum(reader: Reader) -> None:
    notices = Notices()
    for number in (NUMBER, ODD_NUMBER):
        order = max_order(number)
        assert_fits(*notices.sale(order, reader))
        for status in (Status.CANCELLED, Status.COMPLETE):
            assert_fits(*notices.status_changed(order, status, reader))
        assert_fits(*notices.delivery_verified(order, NOW, NOW, reader))
        assert_fits(*notices.return_requested(order, "refund", long_text(4000), reader))
        assert_fits(views.shipping_address(order, reader))
        assert_fits(views.order_list([max_order(number) for _ in range(500)], reader))
        who = Who(user_id=1, chat_id=1, account=None, reader=reader)
        assert_fits(_checklist(order, who), keyboards.form_and_cancel(number, reader._))


@pytest.mark.parametrize("reader", list(readers()), ids=lambda r: r.locale)
def test_every_page_of_the_longest_history_fits_in_one_card(reader: Reader) -> None:
    order = max_order()
    history = max_history()
    pages = order_card.pages_of(history)
    assert pages > 1
    seen = []
    for page in range(pages):
        shown = order_card.card(order, history, reader, page)
        markup = keyboards.order_actions(
            order.number, Status(order.status), reader._, page=shown.page, pages=shown.pages
        )
        assert_fits(shown.text, markup)
        seen.append(shown.page)
    assert seen == list(range(pages))
    # Without a page the card opens on the newest entries.
    assert order_card.card(order, history, reader).page == pages - 1


@pytest.mark.parametrize("reader", list(readers()), ids=lambda r: r.locale)
def test_the_digest_fits_with_the_most_orders_and_reasons(reader: Reader) -> None:
    clock = OrderClock(
        status=Status.PROCESSING, placed_at=NOW, paid_at=NOW, ship_by=NOW, deliver_by=NOW
    )
    reasons = tuple(StallReason)
    stalled = Stalled(
        total=1_000_000,
        orders=[(i, NUMBER if i % 2 else ODD_NUMBER, clock, reasons) for i in range(50)],
    )
    assert_fits(*render_digest(stalled, reader, NOW))


@pytest.mark.parametrize("reader", list(readers()), ids=lambda r: r.locale)
def test_a_buyer_message_at_its_longest_fits_in_texts_and_captions(reader: Reader) -> None:
    order = max_order()
    attachments = [
        schemas.Attachment(
            id=f"f{i}", filename=long_text(255), content_type="image/jpeg", size=10_000
        )
        for i in range(10)
    ]
    text = long_text(4000)
    message = schemas.Message(
        id="m1", order_id=order.id, author="buyer", text=text, sent_at=NOW, attachments=attachments
    )
    out = render_buyer_message(message, order, text + "[hidden]", reader, chat_id=1)
    for outgoing in out:
        params = outgoing.params
        if "caption" in params:
            assert_fits(params["caption"], params.get("reply_markup"), limit=CAPTION)
        else:
            assert_fits(params["text"], params.get("reply_markup"))


@pytest.mark.parametrize("reader", list(readers()), ids=lambda r: r.locale)
def test_one_line_answers_fit_a_button_press_answer(reader: Reader) -> None:
    _ = reader._
    answers = [refusals.unknown_order(NUMBER, _), refusals.bad_number(_)]
    for current in Status:
        for target in Status:
            reason = "backwards" if current is not target else "already"
            answers.append(
                refusals.transition(TransitionRefused(reason, current, target), NUMBER, _)
            )
    for reason in ("empty", "too_short", "bad_check_digit", "unknown_format", "carrier_mismatch"):
        answers.append(refusals.tracking(TrackingRefused(reason), long_text(100)[:40], _))
    answers.extend(refusals.not_allowed(permission, _) for permission in Permission)
    answers.append(saved_view.refused(TemplateRefused("missing", name="tracking"), _))
    answers.append(_("I work only in a private chat. Write to me directly, not in a group."))
    for answer in answers:
        assert 0 < utf16_len(answer) <= CALLBACK_ANSWER, answer
    assert_fits(help_text(_, linked=True))
    assert_fits(help_text(_, linked=False))


@pytest.mark.parametrize("reader", list(readers()), ids=lambda r: r.locale)
def test_saved_replies_and_the_team_fit_at_their_most(reader: Reader) -> None:
    _ = reader._
    saved = [
        Saved(id=10_000_000 + i, position=i, text=long_text(MAX_REPLY_LENGTH))
        for i in range(MAX_SAVED_REPLIES)
    ]
    assert_fits(saved_view.listing(saved, _), saved_view.manage_keyboard(saved, _))
    assert_fits(saved_view.ask_text(_), saved_view.compose_keyboard(saved, _("Cancel")))
    assert_fits(
        saved_view.preview(NUMBER, long_text(MARKETPLACE_TEXT_LIMIT), True, _),
        saved_view.preview_keyboard(_),
    )
    mates = [
        Teammate(
            user_id=9_000_000_000 + i,
            chat_id=9_000_000_000 + i,
            role=Role.STAFF,
            first_name=long_text(64),
            linked_at=NOW,
        )
        for i in range(20)
    ]
    assert_fits(team_view.team_list(mates, mates[0].user_id, _))
    assert_fits("x", team_view.team_keyboard(mates, mates[0].user_id, _))
