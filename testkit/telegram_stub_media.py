"""Files in the loopback Bot API: photos, documents, albums, copies, forwards and downloads.

An upload (multipart, as PTB sends one) is kept with its bytes, file name and MIME type; a
``file_id`` sends a kept file again; a photo must be an image Pillow can open, as Telegram
refuses one it cannot process. ``getFile`` hands out a ``file_path`` for the download route.
"""

from __future__ import annotations

import io
import itertools
from typing import Any

from testkit.telegram_stub_api import BotApi, as_int
from testkit.telegram_stub_records import ApiError, BotMessage, StoredFile, bad_request

UPLOAD_LIMIT = 50 * 1024 * 1024
DOWNLOAD_LIMIT = 20 * 1024 * 1024
NOT_COPIED = {
    "message_id",
    "from",
    "chat",
    "date",
    "edit_date",
    "reply_to_message",
    "reply_markup",
    "forward_origin",
    "media_group_id",
    "text",
    "entities",
    "caption",
    "caption_entities",
    "photo",
    "document",
}


def image_size(data: bytes) -> tuple[int, int] | None:
    """Width and height of an image Pillow can read, else None."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as image:
            width, height = image.size
    except (UnidentifiedImageError, OSError, ValueError):
        return None
    return int(width), int(height)


class MediaMethods(BotApi):
    """sendPhoto, sendDocument, sendMediaGroup, copyMessage, forwardMessage and getFile."""

    def __init__(self, token: str, username: str = "chopni_test_bot") -> None:
        super().__init__(token, username)
        self._paths: dict[str, str] = {}
        self._album_ids = itertools.count(1)

    def downloadable(self, file_path: str) -> StoredFile | None:
        """The file behind a ``file_path`` that ``getFile`` handed out."""
        file_id = self._paths.get(file_path)
        return self.file(file_id) if file_id is not None else None

    def upload(self, value: Any, kind: str, params: dict[str, Any]) -> StoredFile:
        """The file a parameter names: an upload, ``attach://<part>``, or a kept ``file_id``."""
        if isinstance(value, str) and value.startswith("attach://"):
            value = params.get(value.removeprefix("attach://"))
        if isinstance(value, tuple):
            data, filename, mime_type = value
            if not data:
                raise bad_request("file must be non-empty")
            if len(data) > UPLOAD_LIMIT:
                raise ApiError(413, "Request Entity Too Large")
            size = (0, 0)
            if kind == "photo":
                size = image_size(data) or (0, 0)
                if size == (0, 0):
                    raise bad_request("IMAGE_PROCESS_FAILED")
                if sum(size) > 10_000 or max(size) > 20 * min(size):
                    raise bad_request("PHOTO_INVALID_DIMENSIONS")
            return self.file(self.store_file(data, filename, mime_type, kind, size))
        if isinstance(value, str) and value.startswith(("http://", "https://")):
            raise bad_request("failed to get HTTP URL content")
        if isinstance(value, str) and value:
            known = self._files.get(value.removesuffix("-s"))
            if known is None:
                raise bad_request("wrong file identifier/HTTP URL specified")
            if (kind == "photo") != (known.kind == "photo"):
                raise bad_request("type of file mismatch")
            return known
        raise bad_request(f"there is no {kind} in the request")

    def _with_file(
        self, params: dict[str, Any], method: str, stored: StoredFile, caption_from: Any = None
    ) -> BotMessage:
        caption = params.get("caption", caption_from)
        plain, entities = self.formatted(
            caption, params, "caption_entities", 1024, "message caption"
        )
        media = {"photo" if stored.kind == "photo" else "document": stored.data}
        return self.new_message(
            params,
            method,
            text=caption,
            plain_text=plain or None,
            entities=entities,
            filename=stored.filename,
            mime_type=stored.mime_type,
            file_id=stored.file_id,
            **media,
        )

    async def _m_sendPhoto(self, params: dict[str, Any]) -> Any:
        self.chat_id(params)
        stored = self.upload(params.get("photo"), "photo", params)
        return await self.record(self._with_file(params, "sendPhoto", stored))

    async def _m_sendDocument(self, params: dict[str, Any]) -> Any:
        self.chat_id(params)
        stored = self.upload(params.get("document"), "document", params)
        return await self.record(self._with_file(params, "sendDocument", stored))

    async def _m_sendMediaGroup(self, params: dict[str, Any]) -> Any:
        self.chat_id(params)
        media = params.get("media")
        if not isinstance(media, list) or not 2 <= len(media) <= 10:
            raise bad_request("an album must have 2-10 items")
        album = f"album-{next(self._album_ids)}"
        messages = []
        for item in media:
            kind = item.get("type") if isinstance(item, dict) else None
            if kind not in ("photo", "document"):
                raise bad_request(f"unsupported media type {kind!r} in the album")
            stored = self.upload(item.get("media"), kind, params)
            item_params = {
                **params,
                "caption": item.get("caption"),
                "parse_mode": item.get("parse_mode"),
                "caption_entities": item.get("caption_entities"),
                "reply_markup": None,
            }
            message = self._with_file(item_params, "sendMediaGroup", stored)
            message.media_group_id = album
            messages.append(message)
        return [await self.record(message) for message in messages]

    def _source(self, params: dict[str, Any], action: str) -> dict[str, Any]:
        from_chat = as_int(params.get("from_chat_id"))
        found = self.find(from_chat or 0, as_int(params.get("message_id")))
        if found is None:
            raise bad_request(f"message to {action} not found")
        return dict(found)

    def _copy(self, params: dict[str, Any], method: str, source: dict[str, Any]) -> BotMessage:
        extra = {k: v for k, v in source.items() if k not in NOT_COPIED}
        if "photo" in source or "document" in source:
            file_id = (source["photo"][-1] if "photo" in source else source["document"])["file_id"]
            message = self._with_file(
                {**params, "caption_entities": source.get("caption_entities")},
                method,
                self.file(file_id),
                caption_from=source.get("caption"),
            )
        else:
            message = self.new_message(
                params,
                method,
                text=source.get("text"),
                plain_text=source.get("text"),
                entities=list(source.get("entities", [])),
            )
        message.extra = extra
        return message

    async def _m_copyMessage(self, params: dict[str, Any]) -> Any:
        self.chat_id(params)
        message = self._copy(params, "copyMessage", self._source(params, "copy"))
        await self.record(message)
        return {"message_id": message.message_id}

    async def _m_forwardMessage(self, params: dict[str, Any]) -> Any:
        self.chat_id(params)
        source = self._source(params, "forward")
        kept = {k: v for k, v in params.items() if k not in ("caption", "reply_markup")}
        message = self._copy(kept, "forwardMessage", source)
        message.extra["forward_origin"] = source.get("forward_origin") or {
            "type": "user",
            "sender_user": source["from"],
            "date": source["date"],
        }
        return await self.record(message)

    async def _m_getFile(self, params: dict[str, Any]) -> Any:
        file_id = str(params.get("file_id") or "")
        if file_id.removesuffix("-s") not in self._files:
            raise bad_request("invalid file_id")
        stored = self.file(file_id)
        if len(stored.data) > DOWNLOAD_LIMIT:
            raise bad_request("file is too big")
        self._paths[stored.file_path] = stored.file_id
        return {
            "file_id": file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": len(stored.data),
            "file_path": stored.file_path,
        }
