"""Who on a team may do what: the owner everything, staff see orders and ship them."""

from __future__ import annotations

import pytest

from bot.domain.lifecycle import Status
from bot.team.roles import NotAllowed, Permission, Role, allows, permission_for, require

STAFF_MAY = {Permission.SEE_ORDERS, Permission.SET_PROCESSING, Permission.SET_SHIPPED}


@pytest.mark.parametrize("permission", list(Permission))
def test_the_owner_may_do_everything(permission: Permission) -> None:
    assert allows(Role.OWNER, permission)


@pytest.mark.parametrize("permission", list(Permission))
def test_staff_may_see_orders_and_ship_them_and_nothing_else(permission: Permission) -> None:
    assert allows(Role.STAFF, permission) is (permission in STAFF_MAY)


def test_each_status_a_seller_sets_needs_its_own_permission() -> None:
    assert permission_for(Status.PROCESSING) is Permission.SET_PROCESSING
    assert permission_for(Status.SHIPPED) is Permission.SET_SHIPPED
    assert permission_for(Status.COMPLETE) is Permission.SET_COMPLETE
    assert permission_for(Status.REFUNDED) is Permission.REFUND
    assert not allows(Role.STAFF, permission_for(Status.CANCELLED))


def test_an_unknown_stored_role_is_the_least_trusted() -> None:
    assert Role.parse("owner") is Role.OWNER
    assert Role.parse("admin") is Role.STAFF
    assert Role.parse(None) is Role.STAFF


def test_a_refusal_says_what_was_asked() -> None:
    with pytest.raises(NotAllowed) as refused:
        require(Role.STAFF, Permission.WRITE_TO_BUYERS)
    assert refused.value.permission is Permission.WRITE_TO_BUYERS
