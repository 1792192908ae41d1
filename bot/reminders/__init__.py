"""Reminders: the daily sweep of stalled orders."""
