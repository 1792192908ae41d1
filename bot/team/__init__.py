"""A shop run by a team: roles and invites, saved replies, away mode."""
