"""Telegram delivery: the Telegram outbox, rate limits, update processing, persistence, leases."""
