"""The bot's OpenAPI document (``GET /openapi.json``) describes exactly the routes it serves:
a route missing from the document, or a documented one no longer served, fails here."""

from __future__ import annotations

import json
from types import SimpleNamespace
from typing import Any, cast

import schemathesis
from starlette.routing import Route

from bot.http import OPENAPI, HttpServices, build_http_app

DOCUMENT: dict[str, Any] = json.loads(OPENAPI.read_text())
#: methods Starlette answers on its own (HEAD for every GET)
IMPLIED = {"HEAD"}


def served() -> set[tuple[str, str]]:
    """(method, path) of every route the HTTP app mounts."""
    app = build_http_app(cast(HttpServices, SimpleNamespace()))
    pairs = set()
    for route in app.routes:
        assert isinstance(route, Route), route
        for method in (route.methods or set()) - IMPLIED:
            pairs.add((method, route.path))
    return pairs


def documented() -> set[tuple[str, str]]:
    return {
        (method.upper(), path)
        for path, item in DOCUMENT["paths"].items()
        for method in item
        if method in ("get", "post", "put", "patch", "delete")
    }


def test_every_served_route_is_in_the_document() -> None:
    missing = served() - documented()
    assert not missing, f"routes missing from bot/openapi.json: {sorted(missing)}"


def test_the_document_names_no_route_that_is_not_served() -> None:
    stale = documented() - served()
    assert not stale, f"documented but not served: {sorted(stale)}"


def test_the_board_api_routes_are_all_documented() -> None:
    board = {(method, path) for method, path in served() if path.startswith("/app")}
    assert ("GET", "/app/api/orders") in board
    assert ("POST", "/app/api/orders/{number}/status") in board
    assert board <= documented()


def test_every_tma_route_documents_its_refusals() -> None:
    secured = [
        (path, method, operation)
        for path, item in DOCUMENT["paths"].items()
        for method, operation in item.items()
        if {"tma": []} in operation.get("security", [])
    ]
    assert len(secured) == 8
    for path, method, operation in secured:
        assert path.startswith("/app/"), path
        assert {"401", "403"} <= set(operation["responses"]), (path, method)


def test_the_document_is_valid_openapi_with_every_reference_resolved() -> None:
    schema = schemathesis.openapi.from_dict(DOCUMENT)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) == len(documented())
