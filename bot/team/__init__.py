"""Accounts and the team behind a shop: link codes, roles and invites, saved replies, away mode."""
