"""Who may do what, command by command and button by button: the owner, a packer on the owner's
team (staff), and the owner of another shop. Each line of the tables is one try and the answer
it must get; at the end nothing reached the marketplace that should not have."""

from __future__ import annotations

from collections.abc import Awaitable

from sqlalchemy import select

from storage.models import MarketplaceOutbox, Order, SavedReply, TelegramAccount
from testkit.telegram_stub import StubUser, TelegramStub
from tests.e2e.conftest import RunningBot
from tests.e2e.helpers import paid_demo_order
from tests.e2e.test_saved_replies import TEMPLATE, save_reply
from tests.e2e.test_team import invite_packer

OWNER_ONLY = "Only the shop"
NOT_YOURS = "There is no order"


async def reaction(user: StubUser, act: Awaitable[object], expected: str) -> str:
    """What the bot says to ``user`` after ``act`` (button alerts and messages), once it has said
    ``expected`` or has been quiet for the wait."""
    answers = user.stub.answers(user.user_id)
    events = user.stub.events(user.chat_id)
    seen_answers, seen_events = len(answers), len(events)
    await act

    def said() -> str:
        alerts = [str(a.get("text")) for a in answers[seen_answers:] if a.get("text")]
        return " | ".join(alerts + [m.text or m.filename or "" for m in events[seen_events:]])

    await user.stub.wait_changed(lambda: expected in said(), 10)
    return said()


async def test_every_command_and_button_for_staff_and_for_another_shop(
    bot: RunningBot, telegram: TelegramStub, english_seller: StubUser
) -> None:
    owner = english_seller
    packer = await invite_packer(owner, telegram)
    stranger = telegram.user(2040, first_name="Eve", language_code="en")
    await stranger.send("/start")
    await stranger.wait_for(lambda m: "/demo" in (m.text or ""))
    listing = await save_reply(owner, TEMPLATE)
    reply_id = next(int(d.split(":")[-1]) for _t, d in listing.buttons if d and "sr:del:" in d)
    order, sale = await paid_demo_order(bot, owner)
    n = order.number
    async with bot.rt.db.transaction() as session:
        replica = await session.get(Order, order.id)
        assert replica is not None
        replica.status = "PROCESSING"  # so that SHIPPED may come next, and PROCESSING is "already"
        await session.commit()
    await packer.wait_for(lambda m: f"New sale: order {n}" in (m.text or ""))
    await bot.settle()

    staff_commands = [
        ("/orders", "Open orders"),
        (f"/order {n}", "Order Status History"),
        (f"/processing {n}", "already PROCESSING"),
        (f"/ship {n}", "Send the tracking number"),
        ("/cancel", "Nothing was changed"),
        (f"/complete {n}", OWNER_ONLY),
        (f"/refund {n}", OWNER_ONLY),
        (f"/form {n}", "print it and put it in the parcel"),
        ("/team", "Your team"),
        ("/team invite", OWNER_ONLY),
        ("/replies", OWNER_ONLY),
        ("/away 2099-01-01 Back soon", OWNER_ONLY),
        ("/away off", OWNER_ONLY),
        ("/settings", "Settings"),
    ]
    for command, expected in staff_commands:
        assert expected in await reaction(packer, packer.send(command), expected), command

    staff_buttons = [
        (f"o:details:{n}", "Order Status History"),
        (f"o:address:{n}", "Shipping address for"),
        (f"o:form:{n}", "print it and put it in the parcel"),
        (f"o:snooze:{n}", "set aside"),
        (f"o:processing:{n}", "already PROCESSING"),
        (f"o:shipped:{n}", "Send the tracking number"),
        ("s:cancel", "Nothing was changed"),
        (f"o:complete:{n}", OWNER_ONLY),
        (f"o:refunded:{n}", OWNER_ONLY),
        (f"o:reply:{n}", OWNER_ONLY),
        ("t:invite", OWNER_ONLY),
        (f"t:rm:{owner.user_id}", OWNER_ONLY),
        ("sr:add", OWNER_ONLY),
        (f"sr:edit:{reply_id}", OWNER_ONLY),
        (f"sr:up:{reply_id}", OWNER_ONLY),
        (f"sr:down:{reply_id}", OWNER_ONLY),
        (f"sr:del:{reply_id}", OWNER_ONLY),
        (f"sr:use:{reply_id}", "This step is over"),
        ("sr:send", "This step is over"),
    ]
    for data, expected in staff_buttons:
        assert expected in await reaction(packer, packer.press_data(sale, data), expected), data
    screen = next(m for m in reversed(packer.messages) if "Time zone" in (m.text or ""))
    for data, expected in [
        ("set:tz:Europe/London", OWNER_ONLY),
        ("set:hour:18", OWNER_ONLY),
        ("set:digest:off", OWNER_ONLY),
        ("set:card:off", OWNER_ONLY),
        ("set:away:on", OWNER_ONLY),
        ("set:away:off", OWNER_ONLY),
        ("set:lang:bg", "Настройки"),  # the language is the account's own
    ]:
        assert expected in await reaction(packer, packer.press_data(screen, data), expected), data

    stranger_tries: list[tuple[str, str]] = [
        (f"o:{action}:{n}", NOT_YOURS)
        for action in ("processing", "shipped", "complete", "refunded", "details", "address")
    ]
    stranger_tries += [
        (f"o:reply:{n}", NOT_YOURS),
        (f"o:form:{n}", NOT_YOURS),
        (f"o:snooze:{n}", NOT_YOURS),
        (f"t:rm:{packer.user_id}", "not on your team"),
        (f"sr:del:{reply_id}", "no longer there"),
        (f"sr:edit:{reply_id}", "Send the text"),  # their own shop's flow: editing finds nothing
    ]
    for data, expected in stranger_tries:
        assert expected in await reaction(stranger, stranger.press_data(sale, data), expected), data
    gone = "no longer there"
    assert gone in await reaction(stranger, stranger.send("Hacked {order}"), gone)
    for command in (f"/order {n}", f"/processing {n}", f"/ship {n}", f"/refund {n}"):
        assert NOT_YOURS in await reaction(stranger, stranger.send(command), NOT_YOURS), command

    await bot.settle()
    async with bot.rt.db.snapshot() as session:
        queued = (await session.scalars(select(MarketplaceOutbox))).all()
        replies = (await session.scalars(select(SavedReply))).all()
        linked = {
            a.user_id: a.seller_id for a in (await session.scalars(select(TelegramAccount))).all()
        }
    assert queued == []
    assert [r.text for r in replies] == [TEMPLATE]
    assert linked[packer.user_id] == linked[owner.user_id] == f"demo-{owner.user_id}"
    assert bot.rt.sandbox is not None
    assert (await bot.rt.sandbox.order(order.id)).status == "PROCESSED"


async def test_the_owner_may_do_everything_the_packer_may_not(
    bot: RunningBot, english_seller: StubUser
) -> None:
    owner = english_seller
    order, sale = await paid_demo_order(bot, owner)
    n = order.number
    for data, expected in [
        (f"o:refunded:{n}", "how was the dispute settled"),
        ("s:cancel", "Nothing was changed"),
        (f"o:reply:{n}", "Write your message"),
    ]:
        assert expected in await reaction(owner, owner.press_data(sale, data), expected), data
    prompt = next(m for m in reversed(owner.messages) if "Write your message" in (m.text or ""))
    cancelled = "Nothing was sent"
    assert cancelled in await reaction(owner, owner.press(prompt, "Cancel"), cancelled)
    assert "?start=" in await reaction(owner, owner.press_data(sale, "t:invite"), "?start=")
    assert "Until when" in await reaction(owner, owner.press_data(sale, "set:away:on"), "Until")
    assert "Cancelled" in await reaction(owner, owner.send("/cancel"), "Cancelled")
    for command, expected in [
        ("/team invite", "?start="),
        ("/replies", "Saved replies: 0 of 20"),
        ("/away", "Away mode: off"),
    ]:
        assert expected in await reaction(owner, owner.send(command), expected), command
