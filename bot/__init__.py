"""Chopni seller assistant: a Telegram bot that runs a marketplace seller's order work."""

__version__ = "0.1.0"
