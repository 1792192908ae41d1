"""Marketplace sync: webhook inbox, events, replica, reconciliation, marketplace outbox."""
