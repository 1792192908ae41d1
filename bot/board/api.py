"""The board's HTTP endpoints: JSON under ``/app/api/``, HTML fragments under ``/app/view/``.

Module-level Starlette endpoints; what they need is ``request.app.state.board`` (a
:class:`BoardState`, set by the composition root). Every request is authorised by ``tma``
initData (401), must come from a linked account (403) and reads only that account's seller's
orders (404 for any other). A status change goes through the same order service as the chat
flows, so the same rules, history and marketplace outbox apply.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response

from bot.board import answers, performance, performance_page, views
from bot.board.auth import Unauthorised, authenticate
from bot.board.changes import ChangeRefused, parse_change
from bot.board.labels import MAX_LABEL_BYTES, Labels, read_label
from bot.board.queries import BoardRow, NotLinked, OrderPage, board, order_page, viewer
from bot.delivery.notify import SellerDefaults
from bot.domain.board import Week
from bot.domain.lifecycle import Status, StatusChange, TransitionRefused, allowed_next
from bot.i18n import Gettext, pick_locale, translator
from bot.presentation import refusals
from bot.presentation.formatting import first_week_day
from bot.presentation.views import Reader
from bot.sync.orders import OrderNotFound, Saved
from bot.team.roles import NotAllowed, Role, allows, permission_for
from storage.database import Database
from storage.models import Order

#: the most bytes a status change body may have
MAX_BODY = 16_000


class Orders(Protocol):
    """The part of the order service the board uses (the chat flows use the same one)."""

    async def check(
        self, seller_id: str, number: str, target: Status, *, actor_telegram_id: int | None
    ) -> Order: ...

    async def change_status(
        self,
        seller_id: str,
        number: str,
        change: StatusChange,
        *,
        actor_telegram_id: int | None,
    ) -> Saved: ...


@dataclass(frozen=True, slots=True)
class BoardState:
    db: Database
    orders: Orders
    bot_token: str
    defaults: SellerDefaults
    #: the shipping label reader; None = photos of labels are not offered
    labels: Labels | None = None
    clock: Callable[[], datetime] = lambda: datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class Seen:
    """The linked account making the request, and how to speak to it."""

    user_id: int
    seller_id: str
    reader: Reader
    role: Role
    #: the request's read-only snapshot (one per request: the account and the data it reads)
    session: AsyncSession


def _state(request: Request) -> BoardState:
    state: BoardState = request.app.state.board
    return state


def _anonymous(request: Request, state: BoardState) -> Gettext:
    """Before the account is known: the language the page says Telegram reported."""
    lang = request.query_params.get("lang")
    return translator(pick_locale(None, lang, state.defaults.locale))


def problem(status: int, title: str, detail: str) -> JSONResponse:
    body = {"type": "about:blank", "title": title, "status": status, "detail": detail}
    return JSONResponse(body, status_code=status, media_type="application/problem+json")


class Refusal(Exception):
    """A request answered with an error: its status, title and translated detail."""

    def __init__(self, status: int, title: str, detail: str) -> None:
        super().__init__(detail)
        self.status, self.title, self.detail = status, title, detail


async def _viewer(request: Request, session: AsyncSession) -> Seen:
    state = _state(request)
    _ = _anonymous(request, state)
    try:
        user = authenticate(request.headers.get("authorization"), state.bot_token, state.clock())
    except Unauthorised as exc:
        raise Refusal(
            401, _("Not signed in"), _("Open the board from the bot's chat in Telegram.")
        ) from exc
    try:
        found = await viewer(session, user.user_id, user.language_code, state.defaults)
    except NotLinked as exc:
        raise Refusal(
            403,
            _("Not linked"),
            _("This Telegram account is linked to no shop. Send /start with your link code."),
        ) from exc
    return Seen(found.user_id, found.seller_id, Reader.of(found.recipient), found.role, session)


def _json(handler: Callable[[Request, Seen], Awaitable[Response]]) -> Any:
    async def endpoint(request: Request) -> Response:
        try:
            async with _state(request).db.snapshot() as session:
                return await handler(request, await _viewer(request, session))
        except Refusal as refusal:
            return problem(refusal.status, refusal.title, refusal.detail)

    return endpoint


def _html(handler: Callable[[Request, Seen], Awaitable[str]]) -> Any:
    async def endpoint(request: Request) -> Response:
        try:
            async with _state(request).db.snapshot() as session:
                body = await handler(request, await _viewer(request, session))
        except Refusal as refusal:
            return HTMLResponse(views.error(refusal.title, refusal.detail), refusal.status)
        return HTMLResponse(body, headers={"Cache-Control": "no-store"})

    return endpoint


def _status_filter(request: Request, _: Gettext) -> Status | None:
    raw = request.query_params.get("status")
    if not raw:
        return None
    try:
        return Status(raw.upper())
    except ValueError:
        detail = _("Unknown status {status}.").format(status=raw)
        raise Refusal(422, _("Unknown status"), detail) from None


async def _rows(request: Request, who: Seen) -> tuple[list[BoardRow], str | None]:
    state = _state(request)
    q = (request.query_params.get("q") or "").strip()[:100] or None
    status = _status_filter(request, who.reader._)
    rows = await board(
        who.session, who.seller_id, state.clock(), who.reader.timezone, q=q, status=status
    )
    return rows, q


async def _orders(request: Request, who: Seen) -> Response:
    rows, _q = await _rows(request, who)
    return JSONResponse({"orders": [row.to_json() for row in rows]})


async def _board_view(request: Request, who: Seen) -> str:
    rows, q = await _rows(request, who)
    return views.board(rows, who.reader, q)


async def _page_of(request: Request, who: Seen) -> OrderPage:
    number = request.path_params["number"]
    found = await order_page(who.session, who.seller_id, number)
    if found is None:
        _ = who.reader._
        raise Refusal(404, _("No such order"), refusals.unknown_order(number, _))
    return found


async def _order(request: Request, who: Seen) -> Response:
    order, history, lines = await _page_of(request, who)
    return JSONResponse(answers.order_answer(order, history, lines, _allowed(order, who.role)))


def _allowed(order: Order, role: Role) -> list[Status]:
    """The status actions the life cycle allows now and the account's role permits."""
    return [s for s in allowed_next(Status(order.status)) if allows(role, permission_for(s))]


async def _order_view(request: Request, who: Seen) -> str:
    order, history, lines = await _page_of(request, who)
    return views.order_page(order, history, lines, who.reader, _allowed(order, who.role))


async def _change(request: Request, who: Seen) -> Response:
    state = _state(request)
    _ = who.reader._
    number = request.path_params["number"]
    body = await request.body()
    try:
        data = json.loads(body) if len(body) <= MAX_BODY else None
    except ValueError:
        data = None
    if not isinstance(data, dict):
        raise Refusal(422, _("Invalid change"), _("Send the change as a JSON object."))
    try:
        target = Status(str(data.get("status", "")).upper())
    except ValueError:
        raise Refusal(
            422,
            _("Unknown status"),
            _("Unknown status {status}.").format(status=data.get("status")),
        ) from None
    try:
        order = await state.orders.check(
            who.seller_id, number, target, actor_telegram_id=who.user_id
        )
        change = parse_change(target, data, order, _)
        saved = await state.orders.change_status(
            who.seller_id, number, change, actor_telegram_id=who.user_id
        )
    except OrderNotFound:
        raise Refusal(404, _("No such order"), refusals.unknown_order(number, _)) from None
    except TransitionRefused as refusal:
        raise Refusal(409, _("Not allowed now"), refusals.transition(refusal, number, _)) from None
    except NotAllowed:
        detail = _("Your role in this shop does not allow {status}.").format(status=target.value)
        raise Refusal(403, _("Not allowed"), detail) from None
    except ChangeRefused as refusal:
        raise Refusal(422, _("Check the change"), refusal.detail) from None
    return JSONResponse(
        {
            "number": number,
            "status": saved.entry.status,
            "comment": saved.entry.comment,
            "sync": saved.entry.sync_state,
        },
        status_code=202,
    )


async def _label(request: Request, who: Seen) -> Response:
    state = _state(request)
    _ = who.reader._
    if state.labels is None:
        raise Refusal(404, _("No such order"), _("Reading label photos is not available."))
    order, _history, _lines = await _page_of(request, who)
    data = b""
    async for chunk in request.stream():
        data += chunk
        if len(data) > MAX_LABEL_BYTES:
            break
    return JSONResponse(await read_label(state.labels, order, data, _))


async def _weeks(request: Request, who: Seen) -> list[Week]:
    """The shop's last weeks, begun on the day its week begins (the weekly card's weeks)."""
    state = _state(request)
    tz = who.reader.timezone
    first_day = first_week_day(tz, state.defaults.locale)
    return await performance.figures(
        who.session, who.seller_id, tz, state.clock(), first_day=first_day
    )


async def _performance(request: Request, who: Seen) -> Response:
    weeks = await _weeks(request, who)
    return JSONResponse(
        {"timezone": who.reader.timezone, "weeks": [performance.to_json(w) for w in weeks]}
    )


async def _performance_view(request: Request, who: Seen) -> str:
    return performance_page.performance(await _weeks(request, who), who.reader)


orders_endpoint = _json(_orders)
order_endpoint = _json(_order)
change_endpoint = _json(_change)
performance_endpoint = _json(_performance)
label_endpoint = _json(_label)
board_view = _html(_board_view)
order_view = _html(_order_view)
performance_view = _html(_performance_view)
