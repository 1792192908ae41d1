"""What a stand-in user sees of their chat with the bot: its messages as they are now, their
earlier versions, the answers to button presses, and waiting for the next one, never sleeping."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from testkit.telegram_stub_records import BotMessage

if TYPE_CHECKING:
    from testkit.telegram_stub import TelegramStub


class ChatView:
    """The reading side of :class:`~testkit.telegram_stub_users.StubUser`."""

    stub: TelegramStub
    user_id: int
    chat_id: int
    _cursor: int
    _answers_seen: int

    def _current(self, message: BotMessage) -> BotMessage:
        return self.stub.latest(message)

    @property
    def messages(self) -> list[BotMessage]:
        """Every bot message in the chat, as it looks now (deleted ones left out)."""
        current: dict[int, BotMessage] = {}
        for event in self.stub.events(self.chat_id):
            current[event.message_id] = event
        return [m for m in current.values() if not self.stub.latest(m).deleted]

    def versions(self, message: BotMessage) -> list[BotMessage]:
        """The message as first sent and after each edit."""
        return [m for m in self.stub.events(self.chat_id) if m.message_id == message.message_id]

    @property
    def answered_callbacks(self) -> list[dict[str, Any]]:
        """The bot's answers to this user's button presses: text, show_alert, url."""
        return list(self.stub.answers(self.user_id))

    async def next_message(
        self, timeout: float = 5.0, predicate: Callable[[BotMessage], bool] | None = None
    ) -> BotMessage:
        """The next bot message (or edit) in this chat not yet looked at; with ``predicate``,
        the next one that matches it, skipping the others."""
        if predicate is not None:
            return await self.wait_for(predicate, timeout)
        events = self.stub.events(self.chat_id)
        if not await self.stub.wait_changed(lambda: len(events) > self._cursor, timeout):
            raise AssertionError(
                f"no message from the bot within {timeout}s; chat so far:\n" + self._transcript()
            )
        message = events[self._cursor]
        self._cursor += 1
        return message

    async def wait_for(
        self, predicate: Callable[[BotMessage], bool], timeout: float = 15.0
    ) -> BotMessage:
        """Skip bot messages until one matches ``predicate``."""
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            try:
                message = await self.next_message(max(remaining, 0.001))
            except AssertionError:
                raise AssertionError(
                    f"no matching bot message within {timeout}s; chat so far:\n"
                    + self._transcript()
                ) from None
            if predicate(message):
                return message

    async def callback_answer(self, timeout: float = 5.0) -> str:
        """The text of the bot's answer to this user's next unanswered button press."""
        answers = self.stub.answers(self.user_id)
        if not await self.stub.wait_changed(lambda: len(answers) > self._answers_seen, timeout):
            raise AssertionError("the bot did not answer the button press")
        answer = answers[self._answers_seen]
        self._answers_seen += 1
        return str(answer.get("text") or "")

    def _transcript(self) -> str:
        lines = []
        for event in self.stub.events(self.chat_id)[-12:]:
            mark = "✎" if event.edited else "•"
            lines.append(
                f"  {mark} [{event.method}] {(event.text or '')[:160]!r} {event.button_texts}"
            )
        return "\n".join(lines) or "  (nothing)"
