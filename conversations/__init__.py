"""Multi-step flows: status changes, buyer replies and settings, each drawn in a .mmd beside it."""
