"""What the label reader and the shipping run say, and their buttons."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.domain.labels import Source
from bot.domain.lifecycle import Status
from bot.domain.tracking import CARRIER_NAMES, TrackingNumber
from bot.i18n import Gettext
from bot.presentation.callback_data import SHIP_RUN, Action, OrderCallback, Step, step_data
from bot.presentation.views import ORDERS_LISTED, Reader
from storage.models import Order

Screen = tuple[str, InlineKeyboardMarkup]


def _step(text: str, step: Step) -> InlineKeyboardButton:
    return InlineKeyboardButton(text, callback_data=step_data(step))


def label_offer(number: TrackingNumber, _: Gettext) -> Screen:
    """The number read from the label, to take with one press."""
    text = escape(
        _("On the label: {carrier} {number}").format(
            carrier=number.carrier_name, number=number.number
        )
    )
    use = _("{carrier} {number} — Use it").format(carrier=number.carrier_name, number=number.number)
    keyboard = [[_step(use, Step.USE)], [_step(_("Type it instead"), Step.TYPE)]]
    return "📷 " + text, InlineKeyboardMarkup(keyboard)


def label_refusal(
    outcome: str,
    found: Source | None,
    others: tuple[str, ...],
    carrier: str,
    _: Gettext,
    unchecked: str | None = None,
) -> str:
    """One line saying why the photo gave no number; the step stays open."""
    if outcome == "unchecked" and unchecked:
        return escape(
            _(
                "I cannot read the barcode; the print seems to say {number}. "
                "Check it on the label and type it."
            ).format(number=unchecked)
        )
    if outcome == "not_fitting":
        what = {
            Source.BARCODE: _("I found a barcode, but it is not a tracking number of {carrier}."),
            Source.CODE_2D: _("I found a QR code, but no tracking number of {carrier} in it."),
            Source.PRINT: _(
                "I read a number on the label, but it is not a tracking number of {carrier}."
            ),
        }[found or Source.BARCODE].format(carrier=carrier)
        if others:
            names = ", ".join(CARRIER_NAMES.get(code, code) for code in others)
            what += " " + _("It looks like {carriers}.").format(carriers=names)
        return escape(what + " " + _("Send another photo or type the number."))
    texts = {
        "blurred": _("The photo is too blurred to read: hold the phone still and send another."),
        "nothing": _(
            "I found no barcode or tracking number in this photo. "
            "Photograph the parcel's label, or type the number."
        ),
        "too_large": _("That picture is too large to read. Send it as a photo, not as a file."),
        "not_an_image": _("That file is not a picture I can read. Send a photo of the label."),
    }
    default = _("I could not read that picture. Send another photo, or type the number.")
    return escape(texts.get(outcome, default))


def tracking_twice(tracking: str, other_order: str, _: Gettext) -> Screen:
    """A number already on another order: a second, explicit confirmation."""
    text = _(
        "Tracking number {tracking} is already on order {other}. Use it for this order too?"
    ).format(tracking=tracking, other=other_order)
    keyboard = [
        [_step(_("Yes, use it again"), Step.SURE)],
        [_step(_("Type it instead"), Step.TYPE)],
    ]
    return "⚠️ " + escape(text), InlineKeyboardMarkup(keyboard)


def ask_tracking(_: Gettext) -> str:
    return escape(_("Send the tracking number, or a photo of the parcel's label."))


def run_start(count: int, _: Gettext) -> str:
    if count == 0:
        return escape(_("No order is waiting to ship: none is PROCESSING."))
    return (
        "🚚 <b>"
        + escape(
            _("Shipping run: {count} orders to ship, the earliest ship-by first.").format(
                count=count
            )
        )
        + "</b>"
    )


def run_order(order: Order, position: int, total: int, reader: Reader) -> Screen:
    """One order of the run: compact checklist, delivery option, where the label goes."""
    _ = reader._
    lines = [
        "<b>"
        + escape(
            _("{position}/{total} · Order {number}").format(
                position=position, total=total, number=order.number
            )
        )
        + "</b>",
        escape(_("☐ warranty card ☐ invoice or receipt ☐ refund form")),
        escape(_("Delivery: {option}").format(option=order.delivery["label"])),
    ]
    if order.ship_by is not None:
        lines.append(
            "⏰ " + escape(_("Ship by: {deadline}").format(deadline=reader.when(order.ship_by)))
        )
    lines.append("📷 " + escape(_("Send a photo of the label, or type the tracking number.")))
    keyboard = [
        [
            InlineKeyboardButton(
                _("Refund form"), callback_data=OrderCallback(Action.FORM, order.number).encode()
            )
        ],
        [_step(_("Later"), Step.LATER), _step(_("Stop the run"), Step.STOP)],
    ]
    return "\n".join(lines), InlineKeyboardMarkup(keyboard)


def run_end(shipped: int, total: int, _: Gettext) -> str:
    return "🏁 " + escape(
        _("Shipping run over: {shipped} of {total} orders shipped.").format(
            shipped=shipped, total=total
        )
    )


def ship_next(_: Gettext) -> InlineKeyboardButton:
    return InlineKeyboardButton(_("🚚 Ship next"), callback_data=SHIP_RUN)


def next_action(number: str, status: Status, _: Gettext) -> InlineKeyboardMarkup | None:
    """The one button that most likely comes next after ``status`` was saved."""
    if status is Status.PROCESSING:
        button = InlineKeyboardButton(
            Status.SHIPPED.value, callback_data=OrderCallback(Action.SHIPPED, number).encode()
        )
    elif status is Status.SHIPPED:
        button = ship_next(_)
    else:
        button = InlineKeyboardButton(
            _("Details"), callback_data=OrderCallback(Action.DETAILS, number).encode()
        )
    return InlineKeyboardMarkup([[button]])


def order_buttons(orders: Sequence[Order], reader: Reader) -> InlineKeyboardMarkup | None:
    """Under /orders: every order as a button that opens it, and "Ship next" when some are
    PROCESSING."""
    if not orders:
        return None
    zone = ZoneInfo(reader.timezone)
    rows = []
    for order in orders[:ORDERS_LISTED]:
        text = f"{order.number} · {order.status}"
        if order.ship_by is not None and order.status in (Status.PROCESSED, Status.PROCESSING):
            local = order.ship_by.astimezone(zone)
            text += f" · ⏰ {local.day:02}.{local.month:02}"
        data = OrderCallback(Action.DETAILS, order.number).encode()
        rows.append([InlineKeyboardButton(text, callback_data=data)])
    if any(order.status == Status.PROCESSING for order in orders):
        rows.insert(0, [ship_next(reader._)])
    return InlineKeyboardMarkup(rows)
