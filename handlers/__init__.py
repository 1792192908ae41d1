"""Telegram handlers: commands, buttons, errors. :func:`bot.routing.register` wires them."""
