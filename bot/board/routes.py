"""The board's routes, mounted by the HTTP app under ``/app``."""

from __future__ import annotations

from starlette.routing import BaseRoute, Route

from bot.board import api, page

ROUTES: list[BaseRoute] = [
    Route("/app", page.to_shell, methods=["GET"]),
    Route("/app/", page.shell, methods=["GET"]),
    Route("/app/static/{name}", page.static, methods=["GET"]),
    Route("/app/api/orders", api.orders_endpoint, methods=["GET"]),
    Route("/app/api/orders/{number}", api.order_endpoint, methods=["GET"]),
    Route("/app/api/orders/{number}/status", api.change_endpoint, methods=["POST"]),
    Route("/app/api/performance", api.performance_endpoint, methods=["GET"]),
    Route("/app/api/orders/{number}/label", api.label_endpoint, methods=["POST"]),
    Route("/app/view/board", api.board_view, methods=["GET"]),
    Route("/app/view/orders/{number}", api.order_view, methods=["GET"]),
    Route("/app/view/performance", api.performance_view, methods=["GET"]),
]
