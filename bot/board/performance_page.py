"""How the board's performance page looks: the last weeks' figures as a table."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from babel.dates import format_date

from bot.board.views import nav
from bot.domain.board import Week
from bot.i18n import N_, Gettext
from bot.presentation.formatting import babel_locale
from bot.presentation.views import Reader

EXPLAINED = N_(
    "Last 12 weeks: the share of orders shipped before their ship-by deadline, late orders, "
    "and the median time to the first answer to a buyer."
)


def duration(seconds: float | None, _: Gettext) -> str:
    if seconds is None:
        return "—"
    minutes = round(seconds / 60)
    if minutes < 60:
        return _("{minutes} min").format(minutes=minutes)
    return _("{hours} h").format(hours=f"{seconds / 3600:.1f}")


def percent(rate: float | None) -> str:
    return "—" if rate is None else f"{rate * 100:.0f}%"


def performance(weeks: Sequence[Week], reader: Reader) -> str:
    """The last weeks' figures as a table, this week first."""
    _ = reader._
    t_performance = escape(_("Performance"))
    t_week_of = escape(_("Week of"))
    t_on_time = escape(_("On time"))
    t_late = escape(_("Late"))
    t_first_answer = escape(_("First answer"))
    rows = []
    for week in reversed(weeks):
        rate = week.on_time_rate
        bar = f'<span class="bar" style="width:{round((rate or 0) * 100)}%"></span>'
        rows.append(
            f'<tr data-week="{week.start.isoformat()}"><th scope="row">'
            f"{escape(format_date(week.start, 'd MMM', locale=babel_locale(reader.locale)))}</th>"
            f'<td class="rate">{percent(rate)}{bar}</td>'
            f'<td class="late">{week.late}</td>'
            f'<td class="reply">{escape(duration(week.first_reply_seconds, _))}</td></tr>'
        )
    return (
        f'<section class="performance"><h1>{t_performance}</h1>'
        f'<p class="hint">{escape(_(EXPLAINED))}</p>'
        f'<table><thead><tr><th scope="col">{t_week_of}</th>'
        f'<th scope="col">{t_on_time}</th><th scope="col">{t_late}</th>'
        f'<th scope="col">{t_first_answer}</th></tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table></section>{nav(reader, 'performance')}"
    )
