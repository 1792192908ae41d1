"""``python -m bot`` is ``chopni-bot``."""

import sys

from bot.cli import main

sys.exit(main())
