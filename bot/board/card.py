"""The weekly performance card: a chart of the last 12 weeks with a one-line verdict, as a PNG.

matplotlib is imported only here and only when a card is drawn (with the Agg backend: no
display), so the bot process never pays for it otherwise. The texts are rendered in the seller's
language when the card is queued (:func:`card_for`) and travel with it; drawing needs no
catalog. DejaVu Sans, matplotlib's own font, has Cyrillic.
"""

from __future__ import annotations

import io
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

from babel.dates import format_date

from bot.domain.board import Week, verdict
from bot.i18n import Gettext
from bot.presentation.formatting import babel_locale

if TYPE_CHECKING:
    from matplotlib.figure import Figure

CARD_KIND = "weekly_card"
#: colours that read on Telegram's light and dark chat backgrounds alike
ON_TIME, LATE, REPLY, GRID = "#2f9e44", "#e03131", "#1c7ed6", "#dee2e6"


@dataclass(frozen=True, slots=True)
class Card:
    """Everything the picture shows, already in the seller's language."""

    title: str
    verdict: str
    weeks: list[str]
    on_time_percent: list[float | None]
    late: list[int]
    reply_hours: list[float | None]
    on_time_label: str
    late_label: str
    reply_label: str

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Card:
        return cls(**data)


def verdict_line(code: str, _: Gettext) -> str:
    return {
        "quiet": _("Quiet week: no order was due."),
        "late": _(
            "Too many orders shipped late: set PROCESSING early and ship before the deadline."
        ),
        "slow_replies": _("Buyers waited for an answer: reply within a day."),
        "better": _("Better than the week before: keep it up."),
        "worse": _("Fewer orders on time than the week before."),
        "perfect": _("Every order shipped on time."),
        "steady": _("A steady week."),
    }[code]


def card_for(weeks: list[Week], locale: str, _: Gettext) -> Card:
    """The card about the last of ``weeks`` (oldest first), in the seller's language."""
    last = weeks[-1]
    before = weeks[-2] if len(weeks) > 1 else None
    day = format_date(last.start, "d MMMM y", locale=babel_locale(locale))
    return Card(
        title=_("Your week, {day}").format(day=day),
        verdict=verdict_line(verdict(last, before), _),
        weeks=[format_date(w.start, "d.MM", locale=babel_locale(locale)) for w in weeks],
        on_time_percent=[None if w.on_time_rate is None else w.on_time_rate * 100 for w in weeks],
        late=[w.late for w in weeks],
        reply_hours=[
            None if w.first_reply_seconds is None else w.first_reply_seconds / 3600 for w in weeks
        ],
        on_time_label=_("On-time shipping"),
        late_label=_("Late orders"),
        reply_label=_("First answer to a buyer (median, hours)"),
    )


def plot(card: Card) -> Figure:
    """The card's figure: on-time shipping and late orders above, first-answer time below."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    figure = Figure(figsize=(8, 6), dpi=100, layout="constrained")
    top, bottom = figure.subplots(2, 1, sharex=True, height_ratios=(3, 2))
    positions = list(range(len(card.weeks)))
    rates = [0.0 if r is None else r for r in card.on_time_percent]
    top.bar(positions, rates, color=ON_TIME, label=card.on_time_label)
    top.set_ylim(0, 110)
    top.set_ylabel("%")
    top.set_title(card.on_time_label, loc="left", fontsize=11)
    late_axis = top.twinx()
    late_axis.plot(positions, card.late, color=LATE, marker="o", label=card.late_label)
    late_axis.set_ylim(0, max([*card.late, 1]) * 1.3)
    late_axis.set_ylabel(card.late_label, color=LATE)
    late_axis.yaxis.set_major_locator(MaxNLocator(integer=True))
    hours = [0.0 if h is None else h for h in card.reply_hours]
    bottom.bar(positions, hours, color=REPLY)
    bottom.set_title(card.reply_label, loc="left", fontsize=11)
    bottom.set_xticks(positions, card.weeks, rotation=45, fontsize=8)
    for axis in (top, bottom):
        axis.grid(axis="y", color=GRID)
        axis.set_axisbelow(True)
    figure.suptitle(f"{card.title}\n{card.verdict}", fontsize=13, ha="left", x=0.02)
    return figure


def draw(card: Card) -> bytes:
    """The card as PNG bytes."""
    buffer = io.BytesIO()
    plot(card).savefig(buffer, format="png")
    return buffer.getvalue()
