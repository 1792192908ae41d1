"""Loopback stand-ins for the outside world: the Telegram Bot API and the marketplace."""
