"""What the sandbox marketplace accepts: request checks that answer with RFC 9457 problems.

The life cycle itself is the manual's (:mod:`bot.domain.lifecycle`); on top of it the API asks
that SHIPPED carry a tracking number that its comment repeats, that REFUNDED name its resolution
and carry a note, and that a message to the buyer hold no contact details. The contact check is
a rough imitation of the marketplace's (e-mail addresses and phone numbers), enough to show the
422 a seller may meet.
"""

from __future__ import annotations

import json
import re
from typing import Any

from pydantic import ValidationError

from bot.domain.lifecycle import SELLER_STATUSES, Status, TransitionRefused, check_transition
from bot.marketplace.schemas import StatusChangeRequest

MAX_MESSAGE_LENGTH = 4000
MAX_ATTACHMENTS = 10

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
PHONE = re.compile(
    r"(?<![\w+])\+\d(?:[\s./-]?\d){8,13}(?!\d)"  # international: +359 88 123 4567
    r"|(?<!\d)08[7-9](?:[\s./-]?\d){7}(?!\d)"  # Bulgarian mobile: 0888 123 456
)


class Problem(Exception):
    """An RFC 9457 problem the API answers with."""

    def __init__(
        self,
        status: int,
        title: str,
        detail: str | None = None,
        *,
        current_status: Status | None = None,
    ) -> None:
        super().__init__(f"{status} {title}: {detail}")
        self.status = status
        self.title = title
        self.detail = detail
        self.current_status = current_status

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {"type": "about:blank", "title": self.title, "status": self.status}
        if self.detail is not None:
            body["detail"] = self.detail
        if self.current_status is not None:
            body["current_status"] = self.current_status.value
        return body


def parse_json(raw: bytes) -> dict[str, Any]:
    """The request body as a JSON object."""
    try:
        body = json.loads(raw)
    except ValueError as exc:
        raise Problem(400, "Malformed JSON", str(exc)) from exc
    if not isinstance(body, dict):
        raise Problem(422, "Invalid body", "expected a JSON object")
    return body


def _describe(exc: ValidationError) -> str:
    return "; ".join(
        f"{'.'.join(str(p) for p in error['loc']) or 'body'}: {error['msg']}"
        for error in exc.errors(include_input=False, include_url=False)
    )


def check_status_change(body: dict[str, Any], current: Status) -> dict[str, Any]:
    """The change as it will be stored, or the problem: 422 for the request, 409 for the order."""
    try:
        change = StatusChangeRequest.model_validate(body)
    except ValidationError as exc:
        raise Problem(422, "Invalid status change", _describe(exc)) from exc
    target = change.status
    if target not in SELLER_STATUSES:
        allowed = ", ".join(SELLER_STATUSES)
        raise Problem(422, "Invalid status change", f"a seller sets one of {allowed}")
    tracking = (change.tracking_number or "").strip()
    comment = change.comment or ""
    if target is Status.SHIPPED:
        if not tracking:
            raise Problem(422, "Tracking number required", "SHIPPED needs tracking_number")
        if tracking not in comment:
            raise Problem(
                422, "Tracking number not in the comment", "the comment must name the number"
            )
    if target is Status.REFUNDED:
        if change.resolution is None:
            raise Problem(422, "Resolution required", "REFUNDED needs resolution")
        if not comment.strip():
            raise Problem(422, "Note required", "REFUNDED needs a comment saying how it settled")
    try:
        check_transition(current, target)
    except TransitionRefused as refused:
        raise Problem(
            409,
            "Status change not allowed",
            f"{refused.reason}: the order is {current}",
            current_status=current,
        ) from refused
    stored = change.to_json()
    if tracking:
        stored["tracking_number"] = tracking
    return stored


def check_message(body: dict[str, Any]) -> tuple[str, list[str]]:
    """The text and attachment ids of a message to the buyer, or a 422 problem."""
    text = body.get("text", "")
    file_ids = body.get("attachment_ids", [])
    if not isinstance(text, str) or len(text) > MAX_MESSAGE_LENGTH:
        raise Problem(422, "Invalid text", f"text is a string of at most {MAX_MESSAGE_LENGTH}")
    if (
        not isinstance(file_ids, list)
        or len(file_ids) > MAX_ATTACHMENTS
        or not all(isinstance(file_id, str) for file_id in file_ids)
    ):
        raise Problem(422, "Invalid attachments", f"at most {MAX_ATTACHMENTS} file ids")
    if not text.strip() and not file_ids:
        raise Problem(422, "Empty message", "send some text or an attachment")
    if EMAIL.search(text) or PHONE.search(text):
        raise Problem(422, "Contact details", "messages may not carry contact or personal details")
    return text, file_ids
