"""End-to-end: the real bot against loopback stand-ins of Telegram and the marketplace."""
