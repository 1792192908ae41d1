"""A flow's step that fails leaves the seller where they were: one line, and the same step.

The composition root makes every conversation steady (:func:`steadied`), in one place.

ConversationHandler ends nothing when a callback returns None, so a step wrapped by
:func:`steady` that raises keeps the flow's state (and the answers in ``user_data``); the error
is logged and reported to the operators as any other, and the seller hears one translated line
instead of a silence.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Coroutine
from typing import Any

from telegram import Update
from telegram.ext import ConversationHandler

from bot import metrics
from handlers.context import Context
from handlers.errors import apologise, report_to_admins

log = logging.getLogger(__name__)

Step = Callable[[Update, Context], Coroutine[Any, Any, object]]


def steady(step: Step) -> Step:
    """``step``, answering and keeping the current state when it raises."""

    @functools.wraps(step)
    async def guarded(update: Update, context: Context) -> object:
        try:
            return await step(update, context)
        except Exception as error:
            metrics.ERRORS.labels("flow").inc()
            log.error("a flow step failed; the seller stays on it", exc_info=error)
            await apologise(update, context, error)
            await report_to_admins(context, error)
            return None

    guarded.steady = True  # type: ignore[attr-defined]
    return guarded


def steadied(conversation: ConversationHandler[Context]) -> ConversationHandler[Context]:
    """``conversation`` with every step (entry points, states, fallbacks) made :func:`steady`."""
    handlers = [
        *conversation.entry_points,
        *(h for state in conversation.states.values() for h in state),
        *conversation.fallbacks,
    ]
    for handler in handlers:
        if not getattr(handler.callback, "steady", False):
            handler.callback = steady(handler.callback)
    return conversation
