"""Steps the end-to-end tests share: a paid demo order, expected words, tracking numbers."""

from __future__ import annotations

import re

from sqlalchemy import select

from bot.i18n import translator
from storage.models import Order
from testkit.telegram_stub import BotMessage, StubUser
from tests.e2e.conftest import RunningBot

#: a valid tracking number for each carrier the sandbox's delivery options use
TRACKING = {
    "econt": "1051602258993",
    "speedy": "61234567890",
    "bgpost": "RB123456785BG",
    "dhl": "3318810025",
    "ups": "1Z5R89390357567127",
    "fedex": "986578788855",
}

#: another valid number for each carrier: a second parcel must not reuse the first one's (a number
#: already on another order asks for a second confirmation)
SECOND_TRACKING = {
    "econt": "1051602258090",
    "speedy": "61234567090",
    "bgpost": "RB123456706BG",
    "dhl": "3318810121",
    "ups": "1Z5R89390357567029",
    "fedex": "986578788053",
}


def words(locale: str) -> dict[str, str]:
    _ = translator(locale)
    return {
        "skip": _("Skip"),
        "confirm": _("Change Order Status"),
        "details": _("Details"),
        "refund": _("Money returned"),
        "exchange": _("Item exchanged"),
        "cancel": _("Cancel"),
    }


async def paid_demo_order(bot: RunningBot, user: StubUser) -> tuple[Order, BotMessage]:
    """/demo, then the sale notification that arrives for it."""
    await user.send("/demo")
    sale = await user.wait_for(lambda m: "PROCESSING" in m.button_texts, timeout=10)
    async with bot.rt.db.snapshot() as session:
        order = await session.scalar(
            select(Order)
            .where(Order.seller_id == f"demo-{user.user_id}")
            .order_by(Order.created_at.desc(), Order.number.desc())
        )
    assert order is not None
    assert order.number in (sale.text or "")
    return order, sale


async def skip_comment_and_confirm(user: StubUser, timeout: float = 15.0) -> None:
    """Answer the comment question with Skip, then press "Change Order Status"."""
    ask = await user.wait_for(lambda m: "Skip" in m.button_texts, timeout=timeout)
    await user.press(ask, "Skip")
    confirm = await user.wait_for(lambda m: "Change Order Status" in m.button_texts, timeout)
    await user.press(confirm, "Change Order Status")


async def skip_comment_and_save(user: StubUser) -> BotMessage:
    """Save the change without a comment and wait for the marketplace's ✅."""
    await skip_comment_and_confirm(user)
    return await user.wait_for(lambda m: (m.text or "").startswith("✅"), timeout=10)


def sales_in(text: str, numbers: list[str]) -> list[str]:
    """Which of ``numbers`` a sale notification names: one sale ("New sale: order 100234"), or
    several listed in one message ("3 new sales", "• Order 100234 — …")."""
    if not re.search(r"new sales?\b", text, re.IGNORECASE):
        return []
    return [n for n in numbers if re.search(rf"\border {re.escape(n)}\b", text, re.IGNORECASE)]


def sale_numbers(user: StubUser, numbers: list[str]) -> list[str]:
    """Which of ``numbers`` the sale notifications ``user`` received name, one entry each."""
    return [number for m in user.messages for number in sales_in(m.text or "", numbers)]


async def confirm_and_sync(user: StubUser, locale: str) -> BotMessage:
    """Press "Change Order Status" and wait for the marketplace's ✅."""
    prompt = await user.wait_for(lambda m: words(locale)["confirm"] in m.button_texts)
    await user.press(prompt, words(locale)["confirm"])
    return await user.wait_for(lambda m: (m.text or "").startswith("✅"), timeout=10)


async def marketplace_status(bot: RunningBot, order_id: str) -> str:
    assert bot.rt.sandbox is not None
    return str((await bot.rt.sandbox.order(order_id)).status)
