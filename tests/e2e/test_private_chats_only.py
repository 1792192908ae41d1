"""The bot works in a seller's own private chat only: a group never gets order data, never becomes
the account's chat, and a button that carries another chat's message changes nothing."""

from __future__ import annotations

from storage.models import TelegramAccount
from testkit.telegram_stub import StubUser, TelegramStub
from tests.e2e.conftest import RunningBot
from tests.e2e.helpers import paid_demo_order

GROUP = -4001


async def account_chat(bot: RunningBot, user_id: int) -> int:
    async with bot.rt.db.snapshot() as session:
        account = await session.get(TelegramAccount, user_id)
    assert account is not None
    return account.chat_id


async def test_a_group_gets_no_order_data_and_never_becomes_the_accounts_chat(
    bot: RunningBot, telegram: TelegramStub, english_seller: StubUser
) -> None:
    order, _ = await paid_demo_order(bot, english_seller)
    in_group = english_seller.in_group(GROUP)

    for command in ("/orders", f"/order {order.number}", "/help", "/settings", "/demo"):
        await in_group.send(command)
        answer = await in_group.next_message()
        assert answer.text == "I work only in a private chat. Write to me directly, not in a group."
    await in_group.send("plain words in the group")
    await in_group.send(f"/ship {order.number}")
    await in_group.next_message()

    assert await account_chat(bot, english_seller.user_id) == english_seller.chat_id
    # The next sale still goes to the private chat, and the group heard nothing about orders.
    second, sale = await paid_demo_order(bot, english_seller)
    assert sale.chat_id == english_seller.chat_id
    await bot.settle()
    group_texts = [m.text or "" for m in in_group.messages]
    assert all(order.number not in text and second.number not in text for text in group_texts)
    assert all(not m.buttons for m in in_group.messages)


async def test_a_group_answer_is_translated(
    bot: RunningBot, telegram: TelegramStub, seller: StubUser
) -> None:
    await seller.in_group(GROUP).send("/orders")
    answer = await seller.in_group(GROUP).next_message()
    assert answer.text and "private chat" not in answer.text
    assert "лич" in answer.text.lower()


async def test_a_button_carrying_another_chats_message_changes_nothing(
    bot: RunningBot, telegram: TelegramStub, english_seller: StubUser
) -> None:
    _, sale = await paid_demo_order(bot, english_seller)
    processing = next(data for text, data in sale.buttons if text == "PROCESSING")
    assert processing is not None
    # The seller's own sale message, replayed from a group, and then as if it sat in another
    # user's private chat: neither starts a flow nor moves the account.
    for chat in (telegram.chat(GROUP), telegram.chat(7777)):
        message = {**telegram.render(sale), "chat": chat}
        query_id = telegram.new_query(english_seller.user_id)
        await telegram.push_update(
            {
                "callback_query": {
                    "id": query_id,
                    "from": english_seller.as_user(),
                    "chat_instance": f"ci-{chat['id']}",
                    "message": message,
                    "data": processing,
                }
            }
        )
        assert "private chat" in await english_seller.callback_answer()
    # The same button pressed where it really is still works: the gate is not in the way.
    await english_seller.press(sale, "PROCESSING")
    await english_seller.wait_for(lambda m: "Skip" in m.button_texts)
    assert await account_chat(bot, english_seller.user_id) == english_seller.chat_id
    prompts = [m for m in english_seller.messages if "Add a comment" in (m.text or "")]
    assert len(prompts) == 1
    assert not telegram.events(GROUP) and not telegram.events(7777)


async def test_the_command_menu_is_offered_in_private_chats_only(
    bot: RunningBot, telegram: TelegramStub
) -> None:
    assert telegram.commands_for("en", scope="all_private_chats")
    assert telegram.commands_for("bg", scope="all_private_chats")
    assert telegram.commands_for("", scope="all_private_chats")
    assert not telegram.commands_for("", scope="default")
    assert not telegram.commands_for("en", scope="all_group_chats")


async def test_a_link_code_sent_in_a_group_links_nothing_and_stays_valid(
    bot: RunningBot, telegram: TelegramStub
) -> None:
    response = await bot.admin("POST", "/admin/sellers/shop-group/link-codes")
    code = response.json()["code"]
    user = telegram.user(4100, language_code="en")
    await user.in_group(GROUP).send(f"/start {code}")
    answer = await user.in_group(GROUP).next_message()
    assert "private chat" in (answer.text or "")
    async with bot.rt.db.snapshot() as session:
        assert await session.get(TelegramAccount, user.user_id) is None
    # Privately, the same code still links: the group did not use it up.
    await user.send(f"/start {code}")
    linked = await user.next_message()
    assert "Linked to seller shop-group" in (linked.text or "")
    assert await account_chat(bot, user.user_id) == user.chat_id
