"""Persistence: the order replica, the Order Status History, inbox and outboxes, and their
migrations. Nothing here connects at import time; :mod:`storage.database` builds engines."""
