"""A seller takes a sale through the manual's whole life cycle, by buttons and by commands."""

from __future__ import annotations

from bot.domain.lifecycle import Status
from bot.i18n import translator
from testkit.telegram_stub import StubUser, TelegramStub
from tests.e2e.conftest import RunningBot
from tests.e2e.helpers import (
    TRACKING,
    confirm_and_sync,
    marketplace_status,
    paid_demo_order,
    skip_comment_and_save,
    words,
)


async def test_a_sale_is_pushed_with_its_items_deadline_and_a_processing_button(
    bot: RunningBot, seller: StubUser
) -> None:
    order, sale = await paid_demo_order(bot, seller)
    text = sale.text or ""
    assert order.items[0]["title"] in text
    assert order.delivery["label"] in text
    assert "PROCESSING" in sale.button_texts
    assert words("bg")["details"] in sale.button_texts
    # The buyer's name and address never appear in a notification.
    assert order.ship_to is not None
    assert order.ship_to["name"] not in text
    assert order.ship_to["line1"] not in text


async def test_processing_by_button_with_skip_reaches_the_marketplace(
    bot: RunningBot, seller: StubUser
) -> None:
    order, sale = await paid_demo_order(bot, seller)
    await seller.press(sale, "PROCESSING")
    ask = await seller.wait_for(lambda m: words("bg")["skip"] in m.button_texts)
    await seller.press(ask, words("bg")["skip"])
    done = await confirm_and_sync(seller, "bg")
    assert order.number in (done.text or "")
    assert await marketplace_status(bot, order.id) == "PROCESSING"


async def test_the_whole_life_cycle_by_commands(bot: RunningBot, seller: StubUser) -> None:
    order, _ = await paid_demo_order(bot, seller)
    tracking = TRACKING[order.delivery["carrier"]]

    await seller.send(f"/processing {order.number}")
    await seller.wait_for(lambda m: words("bg")["skip"] in m.button_texts)
    await seller.send("Започнах опаковането")
    await confirm_and_sync(seller, "bg")

    await seller.send(f"/ship {order.number} {tracking}")
    await seller.wait_for(lambda m: words("bg")["skip"] in m.button_texts)
    await seller.send("Изпратено днес")
    await confirm_and_sync(seller, "bg")
    assert bot.rt.sandbox is not None
    history = await bot.rt.sandbox.status_history(order.id)
    assert tracking in str(history[-1].get("comment"))

    await seller.send(f"/complete {order.number}")
    ask = await seller.wait_for(lambda m: words("bg")["skip"] in m.button_texts)
    await seller.press(ask, words("bg")["skip"])
    await confirm_and_sync(seller, "bg")
    # The sandbox verifies the delivery, which starts the 14-day return window.
    verified = await seller.wait_for(lambda m: "14" in (m.text or ""), timeout=10)
    assert order.number in (verified.text or "")

    await seller.send(f"/refund {order.number}")
    ask = await seller.wait_for(lambda m: words("bg")["refund"] in m.button_texts)
    await seller.press(ask, words("bg")["exchange"])
    await seller.next_message()
    await seller.send("Разменихме размера на M по молба на купувача")
    await confirm_and_sync(seller, "bg")
    assert await marketplace_status(bot, order.id) == "REFUNDED"

    await seller.send(f"/order {order.number}")
    card = await seller.wait_for(lambda m: "REFUNDED" in (m.text or ""))
    for status in ("PROCESSING", "SHIPPED", "COMPLETE", "REFUNDED"):
        assert status in (card.text or "")
    assert tracking in (card.text or "")
    assert "⏳" not in (card.text or "")


async def test_a_malformed_tracking_number_is_explained_and_the_flow_waits_for_a_good_one(
    bot: RunningBot, seller: StubUser
) -> None:
    order, _ = await paid_demo_order(bot, seller)
    await seller.send(f"/processing {order.number}")
    await seller.wait_for(lambda m: words("bg")["skip"] in m.button_texts)
    await seller.send("-")
    await confirm_and_sync(seller, "bg")

    await seller.send(f"/ship {order.number}")
    await seller.wait_for(lambda m: "RR123456785BG" not in (m.text or "") and m.text is not None)
    await seller.send("ABC")
    refusal = await seller.next_message()
    assert words("bg")["skip"] not in refusal.button_texts
    await seller.send(TRACKING[order.delivery["carrier"]])
    await seller.wait_for(lambda m: words("bg")["skip"] in m.button_texts)


async def test_complete_before_shipped_is_refused_with_a_reason(
    bot: RunningBot, seller: StubUser
) -> None:
    order, _ = await paid_demo_order(bot, seller)
    await seller.send(f"/complete {order.number}")
    answer = await seller.next_message()
    assert "SHIPPED" in (answer.text or "")
    assert await marketplace_status(bot, order.id) == "PROCESSED"


async def test_an_unknown_order_number_gets_one_clear_line(seller: StubUser) -> None:
    await seller.send("/order 999999")
    answer = await seller.next_message()
    assert "999999" in (answer.text or "")
    await seller.send("/order '; drop table")
    answer = await seller.next_message()
    assert answer.text


async def test_a_button_replayed_from_another_sellers_account_changes_nothing(
    bot: RunningBot, telegram: TelegramStub, seller: StubUser
) -> None:
    order, sale = await paid_demo_order(bot, seller)
    stranger = telegram.user(2002, language_code="en")
    await stranger.send("/start")
    await stranger.wait_for(lambda m: "/demo" in (m.text or ""))
    await stranger.press_data(sale, f"o:processing:{order.number}")
    answer = await stranger.next_message()
    assert order.number in (answer.text or "")
    assert "PROCESSING" not in answer.button_texts
    assert await marketplace_status(bot, order.id) == "PROCESSED"


async def test_a_forged_button_gets_a_one_line_answer(seller: StubUser, bot: RunningBot) -> None:
    _, sale = await paid_demo_order(bot, seller)
    await seller.press_data(sale, "o:launch-missiles:1")
    answer = await seller.callback_answer()
    assert answer


async def test_cancel_leaves_a_flow_and_nothing_changes(bot: RunningBot, seller: StubUser) -> None:
    order, sale = await paid_demo_order(bot, seller)
    await seller.press(sale, "PROCESSING")
    await seller.wait_for(lambda m: words("bg")["skip"] in m.button_texts)
    await seller.send("/cancel")
    answer = await seller.next_message()
    assert answer.text == translator("bg")("Cancelled. Nothing was changed.")
    assert await marketplace_status(bot, order.id) == "PROCESSED"


async def test_a_flow_survives_a_restart_in_the_middle(bot: RunningBot, seller: StubUser) -> None:
    order, sale = await paid_demo_order(bot, seller)
    await seller.press(sale, "PROCESSING")
    await seller.wait_for(lambda m: words("bg")["skip"] in m.button_texts)
    await bot.restart()
    await seller.send("Коментар след рестарт")
    await confirm_and_sync(seller, "bg")
    assert await marketplace_status(bot, order.id) == "PROCESSING"


async def test_the_flows_speak_english_to_an_english_seller(
    bot: RunningBot, english_seller: StubUser
) -> None:
    _order, sale = await paid_demo_order(bot, english_seller)
    assert "New sale" in (sale.text or "")
    await english_seller.press(sale, "PROCESSING")
    done = await skip_comment_and_save(english_seller)
    assert "PROCESSING" in (done.text or "")


async def test_a_seller_who_chose_english_reads_english_despite_a_bulgarian_phone(
    bot: RunningBot, seller: StubUser
) -> None:
    await seller.send("/language")
    choice = await seller.wait_for(lambda m: "English" in " ".join(m.button_texts))
    await seller.press(choice, "🇬🇧 English")
    await seller.wait_for(lambda m: "English" in (m.text or ""))
    await seller.send("/orders")
    answer = await seller.next_message()
    assert "No open orders" in (answer.text or "") or "Open orders" in (answer.text or "")


async def test_an_unlinked_account_is_told_how_to_link(
    bot: RunningBot, telegram: TelegramStub
) -> None:
    newcomer = telegram.user(3003, language_code="en")
    await newcomer.send("/orders")
    answer = await newcomer.next_message()
    assert "/start" in (answer.text or "")


async def test_a_link_code_links_once(bot: RunningBot, telegram: TelegramStub) -> None:
    response = await bot.admin("POST", "/admin/sellers/shop-77/link-codes")
    assert response.status_code == 201
    code = response.json()["code"]
    assert response.json()["url"].endswith(f"?start={code}")
    owner = telegram.user(4004, language_code="en")
    await owner.send(f"/start {code}")
    linked = await owner.next_message()
    assert "shop-77" in (linked.text or "")
    packer = telegram.user(4005, language_code="en")
    await packer.send(f"/start {code}")
    refused = await packer.next_message()
    assert "already used" in (refused.text or "")


async def test_command_menus_are_set_per_language_at_start(
    bot: RunningBot, telegram: TelegramStub
) -> None:
    languages = {language for (_scope, language) in telegram.commands}
    assert {"bg", "en"} <= languages


def test_status_words_are_the_marketplaces_own() -> None:
    assert [s.value for s in Status][:4] == ["PROCESSED", "PROCESSING", "SHIPPED", "COMPLETE"]


async def test_the_refund_form_arrives_as_a_printable_pdf(
    bot: RunningBot, english_seller: StubUser
) -> None:
    order, _ = await paid_demo_order(bot, english_seller)
    await english_seller.send(f"/form {order.number}")
    form = await english_seller.wait_for(lambda m: m.document is not None, timeout=10)
    assert form.filename == f"refund-form-{order.number}.pdf"
    assert form.document is not None
    assert form.document.startswith(b"%PDF")
    await english_seller.send("/form 999999")
    refusal = await english_seller.next_message()
    assert "999999" in (refusal.text or "")
