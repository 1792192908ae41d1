"""Telegram handlers: commands, buttons, errors. :func:`handlers.registry.register` wires them."""
