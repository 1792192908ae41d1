"""The rules of a saved reply: what may be saved, and how it is filled in for an order."""

from __future__ import annotations

import pytest

from bot.domain.masking import ContactKind
from bot.domain.saved_replies import MAX_REPLY_LENGTH, TemplateRefused, check_reply, fill_reply

VALUES = {
    "order": "100234",
    "tracking": "RB123456785BG",
    "carrier": "Bulgarian Posts",
    "ship_by": "05.12.2026",
    "buyer": "Ivan",
}


def test_every_placeholder_is_filled_in() -> None:
    text = check_reply("  {buyer}: {order} by {ship_by} with {carrier}, {tracking}  ")
    assert (
        fill_reply(text, VALUES) == "Ivan: 100234 by 05.12.2026 with Bulgarian Posts, RB123456785BG"
    )


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("Call me on 0888 123 456", ContactKind.PHONE),
        ("Write to shop@abv.bg about {order}", ContactKind.EMAIL),
        ("See https://example.com/deal", ContactKind.LINK),
    ],
)
def test_a_reply_with_a_contact_is_refused_with_what_was_found(
    text: str, kind: ContactKind
) -> None:
    with pytest.raises(TemplateRefused) as refused:
        check_reply(text)
    assert refused.value.reason == "contact"
    assert kind in refused.value.kinds


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("   ", "empty"),
        ("x" * (MAX_REPLY_LENGTH + 1), "too_long"),
        ("Order {order", "braces"),
        ("Order {order.__class__}", "unknown_placeholder"),
        ("Order {order!r}", "unknown_placeholder"),
        ("Hi {name}", "unknown_placeholder"),
    ],
)
def test_what_is_not_a_reply_is_refused(text: str, reason: str) -> None:
    with pytest.raises(TemplateRefused) as refused:
        check_reply(text)
    assert refused.value.reason == reason


def test_placeholders_side_by_side_are_not_taken_for_a_phone_number() -> None:
    assert check_reply("{order}{tracking}") == "{order}{tracking}"


def test_a_value_the_order_lacks_refuses_to_fill() -> None:
    with pytest.raises(TemplateRefused) as refused:
        fill_reply("Tracking: {tracking}", {**VALUES, "tracking": None})
    assert (refused.value.reason, refused.value.name) == ("missing", "tracking")
