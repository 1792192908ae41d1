"""Multi-step flows: status changes and messages to buyers, each drawn in a .mmd beside it.

Settings are one screen of buttons without conversation state: ``handlers/settings.py``.
"""
