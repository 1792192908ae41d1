"""The order board: a Telegram Mini App served by the bot, its API, figures and weekly card."""
