"""E-mail addresses, plain or disguised ("ivan маймунка abv точка bg", "name [at] gmail [dot] com").

The search starts from the things that stand for "@" and reads the local part backwards and the
domain forwards from there, so ordinary text is never scanned by the expensive patterns.
A spelled-out "at" (an everyday English word) only counts when the domain after it is written
with a real or spelled-out dot and ends in a known ending, or names a mail provider.
"""

from __future__ import annotations

import re

from bot.domain.masking import spelling, tlds

_AT = re.compile(
    rf"(?P<strong>{spelling.AT_STRONG})|(?P<weak>{spelling.AT_WEAK})"
    rf"|(?P<loose>{spelling.AT_PROVIDER_ONLY})"
    # "ivan.petrov gmail.com": no "at" at all, just a mail provider after a user name.
    rf"|(?P<loose_space>\s{{1,2}}(?=(?:{spelling.PROVIDER_NAMES})(?!\w)))"
)
_LOCAL_TAIL = re.compile(r"[\w%+.-]{1,64}$")
_SPELLED_DOT_TAIL = re.compile(rf"(?:{spelling.DOT_DISGUISED})$")
_LOCAL_WORD_TAIL = re.compile(r"[a-z0-9_]{1,32}$")
_PLAIN_DOMAIN = re.compile(
    rf"{spelling.LABEL}(?:\.{spelling.LABEL})*\.(?P<tld>{spelling.TLD})(?!\w)"
)
_STRONG_DOMAIN = re.compile(
    rf"{spelling.LABEL}(?:{spelling.DOT_ANY}{spelling.LABEL}){{0,4}}?"
    rf"{spelling.DOT_ANY}(?P<tld>{spelling.TLD})(?!\w)"
)
_CAREFUL_DOMAIN = re.compile(
    rf"{spelling.LABEL}(?:{spelling.DOT_CAREFUL}{spelling.LABEL}){{0,4}}?"
    rf"{spelling.DOT_CAREFUL}(?P<tld>{spelling.TLD})(?!\w)"
)
_PROVIDER = re.compile(rf"(?:{spelling.PROVIDER_NAMES})(?![\w@])")
_ADDRESS_LIKE_LOCAL = re.compile(r"[._\d]")
_LATIN_LOCAL = re.compile(r"[a-z0-9_%+.-]+")
_LETTER = re.compile(r"[a-z]")
_AT_HINT = re.compile(r"@|at|ат|маймун|кльомб|клюмб|gmail|abv|yahoo|outlook|hotmail|гмейл|абв")


def _local_start(text: str, end: int) -> int | None:
    """Where the local part ending at `end` begins, taking in spelled dots ("ivan dot petrov")."""
    match = _LOCAL_TAIL.search(text, max(0, end - 64), end)
    if match is None:
        return None
    start = match.start()
    while start < end and text[start] in ".-+%":
        start += 1
    if start == end:
        return None
    for _ in range(3):
        dot = _SPELLED_DOT_TAIL.search(text, max(0, start - 12), start)
        if dot is None:
            break
        word = _LOCAL_WORD_TAIL.search(text, max(0, dot.start() - 32), dot.start())
        if word is None:
            break
        start = word.start()
    return start


def _domain_end(text: str, start: int, how: str) -> tuple[int, str, bool] | None:
    """End of the domain written from `start`, the host it spells, and whether it is disguised."""
    patterns = {
        "strong": (_PLAIN_DOMAIN, _STRONG_DOMAIN),
        "weak": (_CAREFUL_DOMAIN,),
        "loose_space": (_CAREFUL_DOMAIN,),
    }
    for pattern in patterns.get(how, ()):
        match = pattern.match(text, start)
        if match is not None and (pattern is _PLAIN_DOMAIN or spelling.is_known_tld(match["tld"])):
            host = spelling.canonical_host(match.group())
            return match.end(), host, host != match.group()
    provider = _PROVIDER.match(text, start)
    if provider is not None and (how == "strong" or provider.group() != "mail"):
        return provider.end(), "", True
    return None


def _reads_as_address(local: str, host: str) -> bool:
    """After a bare "at", "shop at ivanshop.bg" is a link; "ivan.petrov at abv.bg" an address."""
    return bool(_ADDRESS_LIKE_LOCAL.search(local)) or host.split(".")[0] in tlds.MAIL_PROVIDERS


def find_emails(text: str, allowed: frozenset[str]) -> list[tuple[int, int]]:
    """Spans of the normalised `text` holding an e-mail address."""
    if not _AT_HINT.search(text):
        return []
    spans: list[tuple[int, int]] = []
    for at in _AT.finditer(text):
        if spans and at.start() < spans[-1][1]:
            continue
        start = _local_start(text, at.start())
        if start is None:
            continue
        how = at.lastgroup or "strong"
        if at.group()[0].isspace() and not _LATIN_LOCAL.fullmatch(text, start, at.start()):
            # "пиши ми в инста @ivan": a word before a detached "@" is not its local part.
            continue
        domain = _domain_end(text, at.end(), how)
        if domain is None:
            continue
        end, host, disguised = domain
        if host and spelling.is_allowed(host, allowed):
            continue
        if how != "strong" and not _believable(text[start : at.start()], host, disguised, how):
            continue
        spans.append((start, end))
    return spans


def _believable(local: str, host: str, disguised: bool, how: str) -> bool:
    """Whether a local part before a bare "at" (or "в") is really the start of an address."""
    if not _LATIN_LOCAL.fullmatch(local) or not _LETTER.search(local):
        return False
    if how in ("loose", "loose_space"):
        return bool(_ADDRESS_LIKE_LOCAL.search(local))
    return disguised or _reads_as_address(local, host)
