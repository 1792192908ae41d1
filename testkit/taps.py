"""Counting what a seller does: taps (button presses and photos sent) and typed characters.

    seller = Counted(user)
    await seller.press(message, "SHIPPED")
    await seller.send_photo(label)
    assert (seller.taps, seller.typed) == (2, 0)

A typed message counts its characters, not a tap; the README's table compares these counts.
"""

from __future__ import annotations

from typing import Any

from testkit.telegram_stub_records import BotMessage
from testkit.telegram_stub_users import ButtonChoice, StubUser


class Counted:
    def __init__(self, user: StubUser) -> None:
        self.user = user
        self.taps = 0
        self.typed = 0

    async def press(self, message: BotMessage, button: ButtonChoice) -> str:
        self.taps += 1
        return await self.user.press(message, button)

    async def send_photo(self, data: bytes) -> dict[str, Any]:
        self.taps += 1
        return await self.user.send_photo(data)

    async def send(self, text: str) -> dict[str, Any]:
        self.typed += len(text)
        return await self.user.send(text)
