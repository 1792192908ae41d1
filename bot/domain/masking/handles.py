"""Messenger, social-network and payment handles: "@ivan_shop", "инстаграм: ivan_shop", "revtag: x".

A word after a messenger's or payment service's name counts when it looks like a user name (a
dot, an underscore or a digit in it), or when it is set off by a colon or dash, or offered as the
writer's own ("my insta is ivanshop", "инстаграмът ми е ivanshop") and is not an everyday word.
Only the name is hidden; the messenger's name stays. A handle next to a payment service's name
("@ivanp on Revolut") is reported as a payment handle.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.domain.masking import payments

_AT_HANDLE = re.compile(r"(?<![\w@.+\-])@(?=[a-z0-9_.]*[a-z])[a-z0-9_][a-z0-9_.]{1,31}")
_MESSENGERS = (
    r"instagram\w*|insta|ig|инстаграм\w*|инста|skype|скайп\w*|telegram|телеграм\w*|tg|тг|"
    r"viber|вайб[ъе]р\w*|whats\s?app|уатсап\w*|уотсап\w*|вотсап\w*|вацап\w*|facebook|"
    r"фейсбук\w*|fb|фб|месинджър\w*|tiktok|тикток\w*|snapchat|снапчат\w*|discord|"
    r"дискорд\w*|twitter|туитър\w*|linkedin|линкедин\w*|vk|вк|wechat|" + payments.NAMES
)
#: Names that are also everyday words: only a colon or a dash makes what follows a handle.
_AMBIGUOUS_NAMES = (
    r"e-?mail|имейл\w*|мейл\w*|поща\w*|gmail|signal|сигнал\w*|messenger|line|snap|threads|nick|"
    r"ник|username|user\s?name|потребител\w*|" + payments.AMBIGUOUS_NAMES
)
_LINKING_WORDS = (
    r"is|e|е|ми|me|my|at|on|на|в|във|като|as|name|username|user|nick|ник\w*|профил\w*|"
    r"акаунт\w*|account|handle|id|съм|sum|search|търси|find|намери|add|добави|follow|"
    r"последвай|пиши|write|ping"
)


def _name(group: str) -> str:
    return rf"(?P<{group}>@?[a-z][a-z0-9_.]{{2,31}})(?![\w@])"


_HANDLE_AFTER_NAME = re.compile(
    rf"(?<!\w)(?P<mine>(?:my|our|моят|моя|нашият|нашия)\s+)?(?:{_MESSENGERS})(?!\w)"
    rf"(?P<gap>\s*[:=\-–—>→/]+\s*|(?:\s+(?:{_LINKING_WORDS})(?!\w)){{0,3}}\s*[:=\-–—]?\s*)"
    rf"{_name('name')}"
    rf"|(?<!\w)(?:{_AMBIGUOUS_NAMES})(?!\w)(?P<colon>\s*[:=\-–—]+\s*){_name('name2')}"
)
#: "ivan_shop в инстаграм", "find ivan.shop on Instagram": only names that look like user names.
_HANDLE_BEFORE_NAME = re.compile(
    r"(?<![\w@.])(?P<name>[a-z][a-z0-9_.]{2,31})\s+(?:on|in|at|в|във|на|от)\s+"
    rf"(?:{_MESSENGERS})(?!\w)"
)
_LOOKS_LIKE_A_USER_NAME = re.compile(r"[._\d]")
_EVERYDAY = """
the a an is are was me my your our their his her its it at on in to and or not no yes
please pls tomorrow today tonight now later here there only also too app chat message
messages call calls group same private public down up ok okay fine great good best better
working closed open new old linked below above available active account profile page name
username handle number phone link search for with from as if when then than this that we
you he she they him them just still yet sure thanks thank hello hi sent send write text
directly instead either both
"""
_EVERYDAY_WORDS = frozenset(_EVERYDAY.split())


_PUNCTUATION = frozenset(":=-–—>→/")
_MINE = re.compile(r"(?<!\w)(?:ми|my)(?!\w)")


def _believable(match: re.Match[str], name: str) -> bool:
    """Whether the word after a messenger's name is offered as the writer's handle."""
    if name in _EVERYDAY_WORDS or len(name) < 3:
        return False
    if _LOOKS_LIKE_A_USER_NAME.search(name):
        return True
    gap = match["gap"] if match["gap"] is not None else match["colon"]
    if any(char in _PUNCTUATION for char in gap):
        return True
    # "my insta is ivanshop", "инстаграмът ми е ivanshop" — but not "Viber is easier".
    return bool(gap.strip()) and bool(match["mine"] or _MINE.search(gap))


@dataclass(frozen=True, slots=True)
class Handle:
    """A handle at [start, end) of the normalised text; `payment` when a payment service's."""

    start: int
    end: int
    payment: bool


def find_handles(text: str) -> list[Handle]:
    """Every messenger or payment handle in the normalised `text`."""
    return [
        Handle(start, end, payments.near_payment(text, start, end))
        for start, end in _handle_spans(text)
    ]


def _handle_spans(text: str) -> list[tuple[int, int]]:
    spans = [match.span() for match in _AT_HANDLE.finditer(text) if len(match.group()) > 2]
    spans = [(start, _trim_dots(text, start, end)) for start, end in spans]
    for match in _HANDLE_AFTER_NAME.finditer(text):
        name = (match["name"] or match["name2"]).rstrip(".")
        if not _believable(match, name.lstrip("@")):
            continue
        start = match.start("name") if match["name"] else match.start("name2")
        spans.append((start, start + len(name)))
    for match in _HANDLE_BEFORE_NAME.finditer(text):
        name = match["name"].rstrip(".")
        if _LOOKS_LIKE_A_USER_NAME.search(name):
            spans.append((match.start("name"), match.start("name") + len(name)))
    return spans


def _trim_dots(text: str, start: int, end: int) -> int:
    while end > start and text[end - 1] == ".":
        end -= 1
    return end
