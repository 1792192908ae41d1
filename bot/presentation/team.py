"""How the team looks: who is linked to the shop, in which role, and the owner's buttons."""

from __future__ import annotations

import re
from collections.abc import Sequence
from html import escape

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.i18n import Gettext
from bot.presentation.callback_data import ForgedCallback
from bot.presentation.limits import clip
from bot.team.members import Teammate
from bot.team.roles import Role

INVITE_DATA = "t:invite"
_REMOVE = re.compile(r"^t:rm:(?P<user_id>[0-9]{1,20})$")
TEAM_PATTERN = r"^t:"


def remove_data(user_id: int) -> str:
    return f"t:rm:{user_id}"


def decode_remove(data: str | None) -> int:
    match = _REMOVE.match(data or "")
    if match is None:
        raise ForgedCallback(data)
    return int(match["user_id"])


def name_of(mate: Teammate, _: Gettext) -> str:
    return mate.first_name or _("Account {user_id}").format(user_id=mate.user_id)


def role_word(role: Role, _: Gettext) -> str:
    return _("owner") if role is Role.OWNER else _("staff")


def team_list(mates: Sequence[Teammate], viewer_id: int, _: Gettext) -> str:
    lines = ["👥 <b>" + escape(_("Your team")) + "</b>"]
    for mate in mates:
        you = " " + escape(_("(you)")) if mate.user_id == viewer_id else ""
        lines.append(f"• {escape(name_of(mate, _))} — {escape(role_word(mate.role, _))}{you}")
    lines.append(
        escape(
            _(
                "Staff see orders and the shipping address and set PROCESSING and SHIPPED; "
                "only an owner refunds, writes to buyers and manages the team."
            )
        )
    )
    return "\n".join(lines)


def team_keyboard(mates: Sequence[Teammate], viewer_id: int, _: Gettext) -> InlineKeyboardMarkup:
    """The owner's buttons: invite a packer, remove an account."""
    rows = [[InlineKeyboardButton(_("Invite a packer"), callback_data=INVITE_DATA)]]
    for mate in mates:
        if mate.user_id == viewer_id:
            continue
        label = _("Remove {name}").format(name=clip(name_of(mate, _), 32))
        rows.append([InlineKeyboardButton(label, callback_data=remove_data(mate.user_id))])
    return InlineKeyboardMarkup(rows)


def invite_text(url: str, _: Gettext) -> str:
    return escape(
        _(
            "Send this link to your packer. It links one Telegram account as staff, "
            "once, within 24 hours:\n{url}"
        ).format(url=url)
    )


def removed_text(mate: Teammate, _: Gettext) -> str:
    return escape(_("{name} was removed from the team.").format(name=name_of(mate, _)))


def you_were_removed(seller_id: str, _: Gettext) -> str:
    return escape(
        _(
            "You were removed from the team of seller {seller}. Orders no longer arrive here."
        ).format(seller=seller_id)
    )


def last_owner(_: Gettext) -> str:
    return escape(_("The shop needs an owner: add another owner before you remove this one."))


def not_on_team(_: Gettext) -> str:
    return escape(_("That account is not on your team any more."))
