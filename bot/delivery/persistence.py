"""PTB persistence in the project's database: conversation states and per-user/chat data.

Each change PTB hands over is written at once in its own short transaction, and PTB hands them
over every second, so after a hard kill at worst the last question of a flow is asked again.
Only JSON-serialisable values may be kept in ``user_data``/``chat_data`` (the flows keep plain
dicts of strings and numbers). ``bot_data`` holds live clients and is never stored.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import delete, select
from telegram.ext import BasePersistence, PersistenceInput
from telegram.ext._utils.types import CDCData, ConversationDict, ConversationKey

from storage.database import Database
from storage.models import ConversationState

UPDATE_INTERVAL = 1.0


class DatabasePersistence(BasePersistence[dict[Any, Any], dict[Any, Any], Any]):
    def __init__(self, db: Database) -> None:
        super().__init__(
            store_data=PersistenceInput(bot_data=False, callback_data=False),
            update_interval=UPDATE_INTERVAL,
        )
        self._db = db
        self._written: dict[tuple[str, str], Any] = {}

    async def _load(self, kind: str) -> dict[str, Any]:
        async with self._db.snapshot() as session:
            rows = await session.scalars(
                select(ConversationState).where(ConversationState.kind == kind)
            )
            loaded = {row.key: row.data for row in rows.all()}
        for key, data in loaded.items():
            self._written[(kind, key)] = data
        return loaded

    async def _store(self, kind: str, key: str, data: Any) -> None:
        if self._written.get((kind, key), ...) == data:
            return  # unchanged since the last write
        async with self._db.transaction() as session:
            row = await session.get(ConversationState, (kind, key))
            if data is None:
                if row is not None:
                    await session.delete(row)
            elif row is None:
                session.add(
                    ConversationState(kind=kind, key=key, data=data, updated_at=datetime.now(UTC))
                )
            else:
                row.data = data
                row.updated_at = datetime.now(UTC)
            await session.commit()
        self._written[(kind, key)] = data

    async def get_user_data(self) -> dict[int, dict[Any, Any]]:
        return {int(key): dict(data) for key, data in (await self._load("user_data")).items()}

    async def get_chat_data(self) -> dict[int, dict[Any, Any]]:
        return {int(key): dict(data) for key, data in (await self._load("chat_data")).items()}

    async def get_bot_data(self) -> Any:
        raise NotImplementedError("bot_data holds live clients and is not persisted")

    async def get_callback_data(self) -> CDCData | None:
        return None

    async def get_conversations(self, name: str) -> ConversationDict:
        loaded = await self._load(f"conversation:{name}")
        return {tuple(json.loads(key)): state for key, state in loaded.items()}

    async def update_conversation(
        self, name: str, key: ConversationKey, new_state: object | None
    ) -> None:
        await self._store(f"conversation:{name}", json.dumps(list(key)), new_state)

    async def update_user_data(self, user_id: int, data: dict[Any, Any]) -> None:
        await self._store("user_data", str(user_id), dict(data) or None)

    async def update_chat_data(self, chat_id: int, data: dict[Any, Any]) -> None:
        await self._store("chat_data", str(chat_id), dict(data) or None)

    async def update_bot_data(self, data: Any) -> None:
        """Not stored (see the module docstring)."""

    async def update_callback_data(self, data: CDCData) -> None:
        """Callback data is plain text in this bot; nothing to store."""

    async def drop_chat_data(self, chat_id: int) -> None:
        await self._drop("chat_data", str(chat_id))

    async def drop_user_data(self, user_id: int) -> None:
        await self._drop("user_data", str(user_id))

    async def _drop(self, kind: str, key: str) -> None:
        async with self._db.transaction() as session:
            await session.execute(
                delete(ConversationState).where(
                    ConversationState.kind == kind, ConversationState.key == key
                )
            )
            await session.commit()
        self._written.pop((kind, key), None)

    async def refresh_user_data(self, user_id: int, user_data: dict[Any, Any]) -> None:
        """Data lives in memory between writes; nothing to refresh."""

    async def refresh_chat_data(self, chat_id: int, chat_data: dict[Any, Any]) -> None:
        """Data lives in memory between writes; nothing to refresh."""

    async def refresh_bot_data(self, bot_data: Any) -> None:
        """Not stored."""

    async def flush(self) -> None:
        """Every change is written when it is handed over; nothing is buffered."""
