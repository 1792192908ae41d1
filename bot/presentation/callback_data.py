"""The text inside inline buttons, and its strict parser.

Callback data comes back from the client and is never trusted: it only names an action and an
order number. Every handler re-checks that the order belongs to the seller linked to the account
that pressed the button, so a replayed or forged button changes nothing.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass


class Action(enum.StrEnum):
    PROCESSING = "processing"
    SHIPPED = "shipped"
    COMPLETE = "complete"
    REFUNDED = "refunded"
    DETAILS = "details"
    ADDRESS = "address"
    FORM = "form"
    REPLY = "reply"
    SNOOZE = "snooze"


#: Buttons inside a flow: the answer to the question on screen.
class Step(enum.StrEnum):
    SKIP = "skip"
    CONFIRM = "confirm"
    CANCEL = "cancel"
    REFUND = "refund"
    EXCHANGE = "exchange"
    #: the label reader's number: take it, or type one instead
    USE = "use"
    TYPE = "type"
    #: a tracking number already on another order: take it all the same
    SURE = "sure"
    #: in a shipping run: leave this order for later, or end the run
    LATER = "later"
    STOP = "stop"


#: The "Ship next" button: starts a shipping run through the PROCESSING orders.
SHIP_RUN = "run:ship"


_ORDER = re.compile(r"^o:(?P<action>[a-z]{1,16}):(?P<number>[0-9A-Za-z-]{1,40})$")
_STEP = re.compile(r"^s:(?P<step>[a-z]{1,16})$")
_HISTORY = re.compile(r"^h:(?P<page>[0-9]{1,3}):(?P<number>[0-9A-Za-z-]{1,40})$")


class ForgedCallback(ValueError):
    """Callback data that this bot could not have produced."""


@dataclass(frozen=True, slots=True)
class OrderCallback:
    action: Action
    number: str

    def encode(self) -> str:
        return f"o:{self.action.value}:{self.number}"

    @classmethod
    def decode(cls, data: str | None) -> OrderCallback:
        match = _ORDER.match(data or "")
        if match is None:
            raise ForgedCallback(data)
        try:
            action = Action(match["action"])
        except ValueError:
            raise ForgedCallback(data) from None
        return cls(action, match["number"])


@dataclass(frozen=True, slots=True)
class HistoryPage:
    """A page of an order card's history: ``h:<page>:<number>``."""

    number: str
    page: int

    def encode(self) -> str:
        return f"h:{self.page}:{self.number}"

    @classmethod
    def decode(cls, data: str | None) -> HistoryPage:
        match = _HISTORY.match(data or "")
        if match is None:
            raise ForgedCallback(data)
        return cls(match["number"], int(match["page"]))


def understood(data: str) -> bool:
    """True for callback data this bot can read back (so a button carrying it works)."""
    for decode in (OrderCallback.decode, HistoryPage.decode, decode_step):
        try:
            decode(data)
        except ForgedCallback:
            continue
        return True
    return data.startswith(("lang:", "set:"))


def step_data(step: Step) -> str:
    return f"s:{step.value}"


def decode_step(data: str | None) -> Step:
    match = _STEP.match(data or "")
    if match is None:
        raise ForgedCallback(data)
    try:
        return Step(match["step"])
    except ValueError:
        raise ForgedCallback(data) from None


def new_orders_data() -> str:
    """The button that lists every new sale not started yet."""
    return "n:new"


ORDER_PATTERN = r"^o:"
NEW_ORDERS_PATTERN = r"^n:new$"
STEP_PATTERN = r"^s:"
HISTORY_PATTERN = r"^h:"
