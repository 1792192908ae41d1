"""A status change sent by the board, checked with the same rules as the chat flows' answers.

SHIPPED needs a tracking number that fits the buyer's carrier (the chat's
:func:`~bot.domain.tracking.parse_tracking_number` check); REFUNDED needs the resolution and the
mandatory note; a comment holds at most :data:`MAX_COMMENT_LENGTH` characters. A refusal carries
the same translated line the chat would answer with.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.domain.lifecycle import (
    MAX_COMMENT_LENGTH,
    Resolution,
    Status,
    StatusChange,
    comment_room,
)
from bot.domain.tracking import TrackingRefused, parse_tracking_number
from bot.i18n import Gettext
from bot.presentation import refusals
from storage.models import Order


class ChangeRefused(Exception):
    """The change is incomplete or malformed: the request gets 422 with ``detail``."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


def _text(data: Mapping[str, Any], key: str) -> str | None:
    value = data.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise ChangeRefused(key)
    return value.strip() or None


def parse_change(target: Status, data: Mapping[str, Any], order: Order, _: Gettext) -> StatusChange:
    """The :class:`StatusChange` the request describes for ``order``, or :class:`ChangeRefused`."""
    try:
        comment = _text(data, "comment")
        raw_tracking = _text(data, "tracking_number")
        raw_resolution = _text(data, "resolution")
    except ChangeRefused:
        raise ChangeRefused(_("Send the change as a JSON object.")) from None
    if comment is not None and len(comment) > MAX_COMMENT_LENGTH:
        raise ChangeRefused(
            _("That is {length} characters; a comment holds at most {limit}.").format(
                length=len(comment), limit=MAX_COMMENT_LENGTH
            )
        )
    tracking = carrier = None
    resolution = None
    if target is Status.SHIPPED:
        expected = order.delivery.get("carrier")
        try:
            parsed = parse_tracking_number(raw_tracking or "", expected_carrier=expected)
        except TrackingRefused as refusal:
            label = order.delivery.get("label") or expected or ""
            raise ChangeRefused(refusals.tracking(refusal, label, _)) from None
        tracking, carrier = parsed.number, parsed.marketplace_carrier
    # The limit holds for the history comment as sent: SHIPPED puts its tracking line first.
    room = comment_room(target, tracking, carrier)
    if comment is not None and len(comment) > room and not (tracking and tracking in comment):
        raise ChangeRefused(
            _(
                "That is {length} characters; with the tracking number line in front, "
                "a comment holds at most {limit}. Shorten it and send it again."
            ).format(length=len(comment), limit=room)
        )
    if target is Status.REFUNDED:
        try:
            resolution = Resolution(raw_resolution or "")
        except ValueError:
            raise ChangeRefused(
                _("Choose how the dispute was settled: money returned or item exchanged.")
            ) from None
        if not comment:
            raise ChangeRefused(_("The note is required for REFUNDED."))
    return StatusChange(
        status=target,
        comment=comment,
        tracking_number=tracking,
        carrier=carrier,
        resolution=resolution,
    )
