"""Roles in the service layer: what a staff account may do, what only the owner may, and two
accounts changing one order at once, on a real database with the sandbox marketplace."""

from __future__ import annotations

import asyncio

import pytest

from bot.domain.lifecycle import Resolution, Status, StatusChange, TransitionRefused
from bot.relay.files import FileChecker
from bot.relay.replies import Replies
from bot.sync.orders import ChangedByTeammate, OrderNotFound
from bot.team.access import NotAMember
from bot.team.linking import Linker
from bot.team.members import LastOwner, Team
from bot.team.roles import NotAllowed, Permission, Role
from storage.database import Database
from storage.models import TelegramAccount
from tests.integration.test_order_pipeline import SELLER, Pipeline, pipeline  # noqa: F401

OWNER, PACKER, STRANGER = 11, 13, 21
TRACKING = {"econt": "1051602258993", "speedy": "61234567890", "bgpost": "RB123456785BG"}


async def _packer(db: Database) -> None:
    """Account 13, Maria, joins shop-1 through an invite; account 21 serves another shop."""
    team = Team(db, Linker(db))
    invite = await team.invite(SELLER, actor_telegram_id=OWNER)
    linker = Linker(db)
    await linker.redeem(
        invite.code, user_id=PACKER, chat_id=PACKER, telegram_locale="en", first_name="Maria"
    )
    await linker.link_directly("shop-2", user_id=STRANGER, chat_id=STRANGER, telegram_locale=None)


async def _two_connections_ready(db: Database) -> None:
    """Open two pooled connections, so that neither change waits for a new one and both really
    run at once."""

    async def ping() -> None:
        async with db.engine.connect() as connection:
            await connection.exec_driver_sql("SELECT 1")
            await asyncio.sleep(0.05)

    await asyncio.gather(ping(), ping())


def _shipped(carrier: str) -> StatusChange:
    return StatusChange(Status.SHIPPED, tracking_number=TRACKING.get(carrier, "RB123456785BG"))


async def test_an_invite_links_a_staff_account_and_earlier_links_are_owners(
    pipeline: Pipeline,  # noqa: F811
) -> None:
    await _packer(pipeline.db)
    async with pipeline.db.snapshot() as session:
        packer = await session.get(TelegramAccount, PACKER)
        owner = await session.get(TelegramAccount, OWNER)
    assert packer is not None and owner is not None
    assert (packer.seller_id, packer.role, packer.first_name) == (SELLER, "staff", "Maria")
    assert owner.role == "owner"


async def test_staff_sets_processing_and_shipped_but_not_complete_or_refunded(
    pipeline: Pipeline,  # noqa: F811
) -> None:
    await _packer(pipeline.db)
    order = await pipeline.sandbox.create_demo_order(SELLER)
    await pipeline.settle()
    orders = pipeline.orders
    await orders.change_status(
        SELLER, order.number, StatusChange(Status.PROCESSING), actor_telegram_id=PACKER
    )
    shipped = _shipped(order.delivery.carrier)
    await orders.change_status(SELLER, order.number, shipped, actor_telegram_id=PACKER)
    with pytest.raises(NotAllowed) as refused:
        await orders.check(SELLER, order.number, Status.COMPLETE, actor_telegram_id=PACKER)
    assert refused.value.permission is Permission.SET_COMPLETE
    refund = StatusChange(Status.REFUNDED, comment="returned", resolution=Resolution.REFUND)
    with pytest.raises(NotAllowed):
        await orders.change_status(SELLER, order.number, refund, actor_telegram_id=PACKER)
    await pipeline.settle()
    remote = [entry["status"] for entry in await pipeline.sandbox.status_history(order.id)]
    assert remote == ["PROCESSING", "SHIPPED"]


async def test_another_sellers_account_finds_no_such_order(
    pipeline: Pipeline,  # noqa: F811
) -> None:
    await _packer(pipeline.db)
    order = await pipeline.sandbox.create_demo_order(SELLER)
    await pipeline.settle()
    with pytest.raises(OrderNotFound):
        await pipeline.orders.change_status(
            SELLER, order.number, StatusChange(Status.PROCESSING), actor_telegram_id=STRANGER
        )
    with pytest.raises(OrderNotFound):
        await pipeline.orders.find(SELLER, order.number, actor_telegram_id=STRANGER)


async def test_two_accounts_shipping_at_once_make_one_marketplace_change(
    pipeline: Pipeline,  # noqa: F811
) -> None:
    await _packer(pipeline.db)
    order = await pipeline.sandbox.create_demo_order(SELLER)
    await pipeline.settle()
    await pipeline.orders.change_status(
        SELLER, order.number, StatusChange(Status.PROCESSING), actor_telegram_id=OWNER
    )
    shipped = _shipped(order.delivery.carrier)
    await _two_connections_ready(pipeline.db)
    results = await asyncio.gather(
        pipeline.orders.change_status(SELLER, order.number, shipped, actor_telegram_id=PACKER),
        pipeline.orders.change_status(SELLER, order.number, shipped, actor_telegram_id=OWNER),
        return_exceptions=True,
    )
    refused = [r for r in results if isinstance(r, Exception)]
    assert len(refused) == 1, results
    assert isinstance(refused[0], ChangedByTeammate)
    assert refused[0].current is Status.SHIPPED
    first = PACKER if isinstance(results[1], Exception) else OWNER
    names = {PACKER: "Maria", OWNER: None}
    assert refused[0].actor_name == names[first]
    await pipeline.settle()
    remote = [entry["status"] for entry in await pipeline.sandbox.status_history(order.id)]
    assert remote.count("SHIPPED") == 1


async def test_the_same_account_pressing_twice_hears_the_plain_refusal(
    pipeline: Pipeline,  # noqa: F811
) -> None:
    order = await pipeline.sandbox.create_demo_order(SELLER)
    await pipeline.settle()
    change = StatusChange(Status.PROCESSING)
    await pipeline.orders.change_status(SELLER, order.number, change, actor_telegram_id=OWNER)
    with pytest.raises(TransitionRefused) as refused:
        await pipeline.orders.change_status(SELLER, order.number, change, actor_telegram_id=OWNER)
    assert not isinstance(refused.value, ChangedByTeammate)
    assert getattr(refused.value, "reason", None) == "already"


async def test_staff_cannot_write_to_a_buyer(pipeline: Pipeline, files: FileChecker) -> None:  # noqa: F811
    await _packer(pipeline.db)
    order = await pipeline.sandbox.create_demo_order(SELLER)
    await pipeline.settle()

    async def download(file_id: str) -> bytes:
        raise AssertionError("nothing is downloaded")

    replies = Replies(pipeline.db, pipeline.marketplace, download, files)
    with pytest.raises(NotAllowed):
        await replies.queue(
            SELLER, order.number, "Hi", [], source="13-1", notice=None, actor_telegram_id=PACKER
        )
    await replies.queue(
        SELLER, order.number, "Hi", [], source="11-1", notice=None, actor_telegram_id=OWNER
    )


async def test_only_the_owner_manages_the_team_and_the_last_owner_stays(
    pipeline: Pipeline,  # noqa: F811
) -> None:
    await _packer(pipeline.db)
    team = Team(pipeline.db, Linker(pipeline.db))
    with pytest.raises(NotAllowed):
        await team.invite(SELLER, actor_telegram_id=PACKER)
    with pytest.raises(NotAllowed):
        await team.remove(SELLER, OWNER, actor_telegram_id=PACKER)
    with pytest.raises(NotAMember):
        await team.invite(SELLER, actor_telegram_id=STRANGER)
    with pytest.raises(NotAMember):
        await team.remove(SELLER, STRANGER, actor_telegram_id=OWNER)
    roles = [m.role for m in await team.members(SELLER, actor_telegram_id=PACKER)]
    assert roles == [Role.OWNER, Role.OWNER, Role.STAFF]
    removed = await team.remove(SELLER, PACKER, actor_telegram_id=OWNER)
    assert removed.first_name == "Maria"
    await team.remove(SELLER, 12, actor_telegram_id=OWNER)
    with pytest.raises(LastOwner):
        await team.remove(SELLER, OWNER, actor_telegram_id=OWNER)
    assert [m.user_id for m in await team.members(SELLER, actor_telegram_id=OWNER)] == [OWNER]
