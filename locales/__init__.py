"""Gettext catalogs (messages.pot, bg/ and en/); compiled to .mo at install."""
