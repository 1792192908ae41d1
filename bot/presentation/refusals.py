"""One translated line for each thing a seller can be refused, and why."""

from __future__ import annotations

from bot.domain.lifecycle import TransitionRefused
from bot.domain.tracking import TrackingRefused
from bot.i18n import Gettext
from bot.team.roles import Permission


def transition(refusal: TransitionRefused, number: str, _: Gettext) -> str:
    current, target = refusal.current.value, refusal.target.value
    actor = getattr(refusal, "actor_name", False)
    if actor is not False:
        # Someone else on the team was first: say who, so nobody does it twice.
        name = actor or _("A teammate")
        if refusal.reason == "already":
            text = _("{name} already marked order {number} {current}.")
        else:
            text = _("{name} already set order {number} to {current}: it cannot be {target} now.")
        return text.format(name=name, number=number, current=current, target=target)
    texts = {
        "already": _("Order {number} is already {current}."),
        "final": _("Order {number} is {current}: nothing can follow that."),
        "complete_before_shipped": _(
            "Order {number} is {current}: it can be COMPLETE only after it is SHIPPED."
        ),
        "ship_before_processing": _(
            "Order {number} is {current}: set PROCESSING first, then SHIPPED."
        ),
        "backwards": _("Order {number} is {current}: it cannot go back to {target}."),
        "not_settable": _("{target} is set by the marketplace, not by the seller."),
    }
    text = texts.get(refusal.reason, _("Order {number} cannot change from {current} to {target}."))
    return text.format(number=number, current=current, target=target)


def tracking(refusal: TrackingRefused, carrier_label: str, _: Gettext) -> str:
    texts = {
        "empty": _("Send the tracking number as text, e.g. RR123456785BG."),
        "too_short": _("That tracking number is too short. Check it and send it again."),
        "too_long": _("That tracking number is too long. Send only the number."),
        "bad_characters": _(
            "A tracking number has only Latin letters and digits. Check it and send it again."
        ),
        "bad_check_digit": _(
            "The check digit of that tracking number is wrong: there is a typo. "
            "Check it and send it again."
        ),
        "unknown_format": _(
            "That does not look like a tracking number of {carrier}. Check it and send it again."
        ),
        "carrier_mismatch": _(
            "That number belongs to another carrier, but the buyer chose {carrier}. "
            "The parcel must go out with the buyer's delivery option."
        ),
    }
    text = texts.get(refusal.reason, texts["unknown_format"])
    return text.format(carrier=carrier_label)


def unknown_order(number: str, _: Gettext) -> str:
    return _("There is no order {number} among your orders. See /orders.").format(number=number)


def bad_number(_: Gettext) -> str:
    return _("Order numbers are digits, e.g. /order 100234.")


def not_allowed(permission: Permission, _: Gettext) -> str:
    """Why a staff account cannot do this, and who can."""
    texts = {
        Permission.SET_COMPLETE: _("Only the shop's owner sets COMPLETE."),
        Permission.REFUND: _("Only the shop's owner settles disputes with REFUNDED."),
        Permission.WRITE_TO_BUYERS: _("Only the shop's owner writes to buyers."),
        Permission.MANAGE_TEAM: _("Only the shop's owner manages the team."),
        Permission.MANAGE_REPLIES: _("Only the shop's owner manages the saved replies."),
        Permission.MANAGE_AWAY: _("Only the shop's owner turns away mode on or off."),
        Permission.SHOP_SETTINGS: _("Only the shop's owner changes the shop's settings."),
    }
    return texts.get(permission, _("Your role in this shop does not allow that."))
