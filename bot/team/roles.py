"""Who on a seller's team may do what. Pure rules: the services ask, the handlers never decide.

The owner does everything. Staff (a packer) may see orders and the shipping address and set
PROCESSING and SHIPPED; only the owner refunds, completes, writes to buyers, manages the team,
the saved replies, away mode and the shop's settings.
"""

from __future__ import annotations

import enum

from bot.domain.lifecycle import Status


class Role(enum.StrEnum):
    OWNER = "owner"
    STAFF = "staff"

    @classmethod
    def parse(cls, value: str | None) -> Role:
        """A stored role; anything unknown is the least trusted one."""
        try:
            return cls(value or "")
        except ValueError:
            return cls.STAFF


class Permission(enum.StrEnum):
    SEE_ORDERS = "see_orders"
    SET_PROCESSING = "set_processing"
    SET_SHIPPED = "set_shipped"
    SET_COMPLETE = "set_complete"
    REFUND = "refund"
    WRITE_TO_BUYERS = "write_to_buyers"
    MANAGE_TEAM = "manage_team"
    MANAGE_REPLIES = "manage_replies"
    MANAGE_AWAY = "manage_away"
    SHOP_SETTINGS = "shop_settings"


_STAFF = frozenset({Permission.SEE_ORDERS, Permission.SET_PROCESSING, Permission.SET_SHIPPED})

_FOR_STATUS = {
    Status.PROCESSING: Permission.SET_PROCESSING,
    Status.SHIPPED: Permission.SET_SHIPPED,
    Status.COMPLETE: Permission.SET_COMPLETE,
    Status.REFUNDED: Permission.REFUND,
}


class NotAllowed(Exception):
    """The account's role does not allow this; ``permission`` says what was asked."""

    def __init__(self, permission: Permission, role: Role) -> None:
        super().__init__(f"{role} may not {permission}")
        self.permission = permission
        self.role = role


def allows(role: Role, permission: Permission) -> bool:
    return role is Role.OWNER or permission in _STAFF


def permission_for(target: Status) -> Permission:
    """What setting ``target`` needs; statuses no seller sets need the owner."""
    return _FOR_STATUS.get(target, Permission.REFUND)


def require(role: Role, permission: Permission) -> None:
    if not allows(role, permission):
        raise NotAllowed(permission, role)
