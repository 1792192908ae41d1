"""Telegram accounts and the sellers they serve: one-time link codes."""
