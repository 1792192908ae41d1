"""A raw ``..`` or ``.`` as a seller id, sent as is over the wire (no client normalises it away),
is refused with 422 by the running bot: it would collapse the marketplace's path."""

from __future__ import annotations

import asyncio
import json

import pytest

from tests.e2e.conftest import ADMIN_TOKEN, RunningBot


async def raw_post(port: int, path: str) -> tuple[int, dict[str, object]]:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(
        (
            f"POST {path} HTTP/1.1\r\nHost: bot\r\nAuthorization: Bearer {ADMIN_TOKEN}\r\n"
            "Content-Length: 0\r\nConnection: close\r\n\r\n"
        ).encode()
    )
    await writer.drain()
    raw = await reader.read()
    writer.close()
    head, _, body = raw.partition(b"\r\n\r\n")
    return int(head.split()[1]), json.loads(body or b"{}")


@pytest.mark.parametrize("seller_id", [".", ".."])
async def test_dot_seller_ids_get_422(bot: RunningBot, seller_id: str) -> None:
    status, problem = await raw_post(bot.port, f"/admin/sellers/{seller_id}/link-codes")
    assert status == 422
    assert problem["title"] == "Invalid seller id"
