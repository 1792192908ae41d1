"""Links and bare domains: "https://…", "www.shop.bg", "shop.bg/obuvki", "ivanshop точка com".

A bare "word.ending" is a domain only when the ending is a known one; endings that are also
words ("me", "it", "is") need a path, a "www." or a well-known messenger or short-link host.
A capitalised ending after a missing space ("Thank you.It arrived") is a typo, not a domain.
Addresses on the marketplace's own domains are reported separately so they can be left alone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.domain.masking import spelling, tlds
from bot.domain.masking.normalise import CYRILLIC_TO_LATIN, Normalised

_TRAILING = ".,;:!?)]}'\"»…"
_SCHEMED = re.compile(
    r"(?<![\w])(?P<scheme>https?|hxxps?|ftp|viber|tg|whatsapp|fb-messenger|intent|skype|mailto)"
    r"(?:\s*:\s*//\S+|:[^\s/]\S*)"
)
_MESSENGER_SCHEMES = frozenset({"viber", "tg", "whatsapp", "fb-messenger", "skype"})
_HOST_OF_URL = re.compile(r"[a-z-]+\s*:\s*/*(?:[^/@\s]*@)?([^/?#:\s]+)")
_BARE = re.compile(
    rf"(?<![\w@.\-/])(?P<www>www\d{{0,3}}\.)?(?P<host>(?:{spelling.LABEL}\.)+(?P<tld>{spelling.TLD}))"
    r"(?![\w\-])(?P<path>(?::\d{1,5})?[/?#]\S*)?"
)
_LATIN_LABEL = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
#: Spelled-out dots only between Latin labels: "гледна точка" is a figure of speech.
_SPELLED = re.compile(
    rf"(?<![\w@])(?P<host>{_LATIN_LABEL}(?:{spelling.DOT_DISGUISED}{_LATIN_LABEL}){{0,3}}"
    rf"{spelling.DOT_DISGUISED}(?P<tld>{spelling.TLD}))(?!\w)"
    r"(?P<path>\s{0,2}/\s{0,2}[\w.@+-]+)?"
)
#: "www ivanshop bg": a "www" vouches for spaces standing in for the dots.
_WWW_SPACED = re.compile(
    rf"(?<!\w)www(?:\s+|{spelling.DOT_DISGUISED})(?P<host>{_LATIN_LABEL})"
    rf"(?:\s+|{spelling.DOT_DISGUISED})(?P<tld>{'|'.join(sorted(tlds.SPELLABLE))})(?!\w)"
)
_DOT_HINT = re.compile(r"\.|dot|точка|тчк|дот|www")


@dataclass(frozen=True, slots=True)
class Link:
    """A link at [start, end) of the normalised text.

    `messenger` when it leads to a person, `payment` when it takes a payment for them.
    """

    start: int
    end: int
    allowed: bool
    messenger: bool
    payment: bool = False


def _is_on(host: str, hosts: frozenset[str]) -> bool:
    host = host.removeprefix("www.")
    return host in hosts or any(host.endswith("." + known) for known in hosts)


def _trim(text: str, start: int, end: int) -> int:
    while end > start and text[end - 1] in _TRAILING:
        if text[end - 1] == ")" and text.count("(", start, end) >= text.count(")", start, end):
            break
        end -= 1
    return end


def _starts_a_sentence(norm: Normalised, start: int, end: int) -> bool:
    """Whether the ending is capitalised like a word after a missing space ("you.It arrived")."""
    first, last = norm.span(start, end)
    return norm.original[first:last].istitle()


def _familiar(host: str) -> bool:
    host = host.removeprefix("www.")
    return host in tlds.MESSENGER_HOSTS or host in tlds.SHORTENERS or host in tlds.PAYMENT_HOSTS


def find_links(norm: Normalised, allowed: frozenset[str]) -> list[Link]:
    """Every link and bare domain in the message, the allowed ones flagged."""
    text = norm.text
    if not _DOT_HINT.search(text) and ":" not in text:
        return []
    links: list[Link] = []
    taken: list[tuple[int, int]] = []

    def add(start: int, end: int, host: str, messenger: bool = False) -> None:
        if any(start < taken_end and taken_start < end for taken_start, taken_end in taken):
            return
        taken.append((start, end))
        messenger = messenger or _is_on(host, tlds.MESSENGER_HOSTS)
        payment = _is_on(host, tlds.PAYMENT_HOSTS)
        links.append(Link(start, end, spelling.is_allowed(host, allowed), messenger, payment))

    for match in _SCHEMED.finditer(text):
        end = _trim(text, match.start(), match.end())
        address = _HOST_OF_URL.match(text, match.start(), end)
        messenger = match["scheme"] in _MESSENGER_SCHEMES
        add(match.start(), end, address.group(1) if address else "", messenger)
    for match in _BARE.finditer(text):
        tld, host = match["tld"], match["host"]
        if tld not in tlds.ALL:
            tld = tld.translate(CYRILLIC_TO_LATIN)  # "shop.сom" with a Cyrillic "с"
            if tld not in tlds.ALL:
                continue
        if not (match["www"] or match["path"] or tld in tlds.STRONG or _familiar(host)):
            continue
        if not match["www"] and _starts_a_sentence(norm, match.start("tld"), match.end("tld")):
            continue
        add(match.start(), _trim(text, match.start(), match.end()), host)
    for match in _SPELLED.finditer(text):
        host = spelling.canonical_host(match["host"])
        if match["tld"] not in tlds.SPELLABLE and not _familiar(host):
            continue
        if _starts_a_sentence(norm, match.start("tld"), match.end("tld")):
            continue
        add(match.start(), _trim(text, match.start(), match.end()), host)
    for match in _WWW_SPACED.finditer(text):
        add(match.start(), match.end(), f"{match['host']}.{match['tld']}")
    return links
