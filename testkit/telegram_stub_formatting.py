"""How the loopback Bot API reads what a bot sends: HTML parse mode and inline keyboards.

Follows Telegram's own HTML parser (tdlib's ``parse_html``): only the documented tags, ``&lt;``,
``&gt;``, ``&amp;``, ``&quot;`` and numeric references decoded, any other ``&`` kept as written,
every ``<`` the start of a tag. The result is the plain text the chat shows and its entities with
UTF-16 offsets, or :class:`FormattingError` carrying Telegram's "can't parse entities" wording.
"""

from __future__ import annotations

import re
from typing import Any

TAGS = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
    "code": "code",
    "pre": "pre",
    "a": "text_link",
    "tg-emoji": "custom_emoji",
    "blockquote": "blockquote",
}
NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
BUTTON_ACTIONS = {
    "url",
    "callback_data",
    "web_app",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "copy_text",
    "callback_game",
    "pay",
}
MENTION = re.compile(r"tg://user\?id=(\d+)$")


class FormattingError(ValueError):
    """Text or markup Telegram refuses with 400 Bad Request; the message is its description."""


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _entity(text: str, i: int) -> tuple[str, int] | None:
    """The character an HTML entity at ``text[i]`` stands for, and the index after it."""
    end = i + 1
    if text.startswith("&#", i):
        end += 1
        hexadecimal = text.startswith("x", end)
        end += hexadecimal
        start = end
        digits = "0123456789abcdefABCDEF" if hexadecimal else "0123456789"
        while end < len(text) and text[end] in digits:
            end += 1
        if start == end or end - i >= 10:
            return None
        code = int(text[start:end], 16 if hexadecimal else 10)
        if code == 0 or code >= 0x10FFFF:
            return None
        char = chr(code)
    else:
        while end < len(text) and text[end].isascii() and text[end].isalpha():
            end += 1
        if text[i + 1 : end] not in NAMED:
            return None
        char = NAMED[text[i + 1 : end]]
    return char, end + 1 if text.startswith(";", end) else end


def _attributes(text: str, i: int, tag: str, at: int) -> tuple[dict[str, str], int]:
    """Read ``name="value"`` pairs up to the ``>`` closing a start tag."""
    attributes: dict[str, str] = {}
    while True:
        while i < len(text) and text[i].isspace():
            i += 1
        if i >= len(text):
            raise FormattingError(f"Unclosed start tag at byte offset {at}")
        if text[i] == ">":
            return attributes, i + 1
        start = i
        while i < len(text) and not text[i].isspace() and text[i] not in "=>":
            i += 1
        name = text[start:i].lower()
        if not name:
            raise FormattingError(f'Empty attribute name in the tag "{tag}" at byte offset {at}')
        while i < len(text) and text[i].isspace():
            i += 1
        if i >= len(text) or text[i] != "=":
            attributes[name] = ""  # <blockquote expandable>
            continue
        i += 1
        while i < len(text) and text[i].isspace():
            i += 1
        if i >= len(text):
            raise FormattingError(f'Unclosed start tag "{tag}" at byte offset {at}')
        value: list[str] = []
        if text[i] in "'\"":
            quote, i = text[i], i + 1
            while i < len(text) and text[i] != quote:
                decoded = _entity(text, i) if text[i] == "&" else None
                if decoded is not None:
                    value.append(decoded[0])
                    i = decoded[1]
                else:
                    value.append(text[i])
                    i += 1
            i += 1
        else:
            start = i
            while i < len(text) and (text[i].isalnum() or text[i] in ".-"):
                i += 1
            value.append(text[start:i].lower())
            if i < len(text) and not text[i].isspace() and text[i] != ">":
                raise FormattingError(
                    f"Unexpected end of name token at byte offset {_bytes(text, start)}"
                )
        attributes[name] = "".join(value)


def _bytes(text: str, i: int) -> int:
    return len(text[:i].encode())


def parse_html(text: str) -> tuple[str, list[dict[str, Any]]]:
    """The plain text and entities Telegram makes of ``text`` sent with ``parse_mode=HTML``."""
    out: list[str] = []
    offset = 0  # UTF-16 units written so far
    open_tags: list[tuple[str, dict[str, str], int, int]] = []  # tag, attributes, offset, index
    entities: list[dict[str, Any]] = []
    i = 0
    while i < len(text):
        char = text[i]
        decoded = _entity(text, i) if char == "&" else None
        if decoded is not None or char != "<":
            char, i = decoded if decoded is not None else (char, i + 1)
            out.append(char)
            offset += utf16_len(char)
            continue
        at = _bytes(text, i)
        if text.startswith("/", i + 1):
            end = text.find(">", i)
            if not open_tags:
                raise FormattingError(f"Unexpected end tag at byte offset {at}")
            if end < 0:
                raise FormattingError(f"Unclosed end tag at byte offset {at}")
            name = text[i + 2 : end].strip().lower()
            tag, attributes, start, index = open_tags.pop()
            if name and name != tag:
                raise FormattingError(
                    f'Unmatched end tag at byte offset {at}, expected "</{tag}>", found "</{name}>"'
                )
            if offset > start:
                entities.extend(
                    _close(tag, attributes, start, offset - start, "".join(out[index:]))
                )
            i = end + 1
            continue
        end = i + 1
        while end < len(text) and not text[end].isspace() and text[end] != ">":
            end += 1
        if end >= len(text):
            raise FormattingError(f"Unclosed start tag at byte offset {at}")
        tag = text[i + 1 : end].lower()
        if tag not in TAGS:
            raise FormattingError(f'Unsupported start tag "{tag}" at byte offset {at}')
        attributes, i = _attributes(text, end, tag, at)
        if tag == "span" and attributes.get("class") != "tg-spoiler":
            raise FormattingError(f'Tag "span" must have class "tg-spoiler" at byte offset {at}')
        open_tags.append((tag, attributes, offset, len(out)))
    if open_tags:
        raise FormattingError(f"Can't find end tag corresponding to start tag {open_tags[-1][0]}")
    entities.sort(key=lambda e: (e["offset"], -e["length"]))
    return "".join(out), _merge_pre_code(entities)


def _close(
    tag: str, attributes: dict[str, str], offset: int, length: int, inner: str
) -> list[dict[str, Any]]:
    entity: dict[str, Any] = {"type": TAGS[tag], "offset": offset, "length": length}
    if tag == "a":
        url = attributes.get("href") or inner
        mention = MENTION.match(url)
        if mention:
            return [{**entity, "type": "text_mention", "user": {"id": int(mention[1])}}]
        if not url or any(c.isspace() for c in url):
            return []  # Telegram drops a link it cannot read, and keeps the text
        entity["url"] = url
    elif tag == "code" and attributes.get("class", "").startswith("language-"):
        entity["language"] = attributes["class"].removeprefix("language-")
    elif tag == "tg-emoji":
        entity["custom_emoji_id"] = attributes.get("emoji-id", "")
    elif tag == "blockquote" and "expandable" in attributes:
        entity["type"] = "expandable_blockquote"
    return [entity]


def _merge_pre_code(entities: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """``<pre><code class="language-x">`` is one ``pre`` entity with a language."""
    merged: list[dict[str, Any]] = []
    for entity in entities:
        previous = merged[-1] if merged else None
        if (
            previous is not None
            and (previous["offset"], previous["length"]) == (entity["offset"], entity["length"])
            and {previous["type"], entity["type"]} == {"pre", "code"}
        ):
            previous["type"] = "pre"
            previous["language"] = previous.get("language") or entity.get("language")
            if not previous["language"]:
                del previous["language"]
            continue
        merged.append(entity)
    for entity in merged:
        if entity["type"] == "code":
            entity.pop("language", None)
    return merged


def strip(text: str, entities: list[dict[str, Any]]) -> tuple[str, list[dict[str, Any]]]:
    """Drop leading and trailing whitespace as Telegram does, keeping entities on their text."""
    stripped = text.strip()
    if not stripped:
        return "", []
    lead = utf16_len(text[: len(text) - len(text.lstrip())])
    size = utf16_len(stripped)
    kept = []
    for entity in entities:
        start = max(entity["offset"] - lead, 0)
        end = min(entity["offset"] + entity["length"] - lead, size)
        if end > start:
            kept.append({**entity, "offset": start, "length": end - start})
    return stripped, kept


def check_markup(markup: Any) -> None:
    """Refuse a reply markup Telegram would refuse."""
    if markup is None:
        return
    if not isinstance(markup, dict):
        raise FormattingError("can't parse reply keyboard markup JSON object")
    rows = markup.get("inline_keyboard")
    if rows is None:
        return
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise FormattingError("can't parse inline keyboard markup JSON object")
    for button in (b for row in rows for b in row):
        if not isinstance(button, dict) or not isinstance(button.get("text"), str):
            raise FormattingError("can't parse inline keyboard button: Text must be a String")
        if not BUTTON_ACTIONS & button.keys():
            raise FormattingError(
                "can't parse inline keyboard button: Text buttons are unallowed in the inline "
                "keyboard"
            )
        data = button.get("callback_data")
        if data is not None and not 1 <= len(str(data).encode()) <= 64:
            raise FormattingError("BUTTON_DATA_INVALID")
        url = button.get("url")
        if url is not None and (not url or any(c.isspace() for c in str(url))):
            raise FormattingError("BUTTON_URL_INVALID")
