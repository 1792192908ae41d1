"""The bot's command menus, per language, before and after an account is linked."""

from __future__ import annotations

from telegram import BotCommand

from bot.i18n import translator


def command_menu(locale: str, linked: bool) -> list[BotCommand]:
    """The command menu in ``locale``: the full one once the account is linked."""
    _ = translator(locale)
    menu = [
        BotCommand("orders", _("Open orders")),
        BotCommand("order", _("One order: details, actions, history")),
        BotCommand("processing", _("Set PROCESSING")),
        BotCommand("ship", _("Ship: a run through PROCESSING orders, or one order")),
        BotCommand("complete", _("Set COMPLETE")),
        BotCommand("refund", _("Settle a dispute: REFUNDED")),
        BotCommand("form", _("Printable refund form")),
        BotCommand("settings", _("Language, time zone, reminders, quiet hours")),
        BotCommand("team", _("Your team; invite a packer")),
        BotCommand("replies", _("Saved replies to buyers")),
        BotCommand("away", _("Away mode: /away 2026-12-10 Back on Monday")),
        BotCommand("cancel", _("Leave the current step")),
    ]
    basic = [
        BotCommand("start", _("Link your account")),
        BotCommand("help", _("What this bot does")),
        BotCommand("language", _("Language")),
    ]
    return (menu + basic[1:]) if linked else basic
