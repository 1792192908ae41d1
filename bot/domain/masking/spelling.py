"""The ways people spell "@" and "." to slip an address past a filter, as regex fragments.

"name(at)abv.bg", "name [at] abv [dot] bg", "ivan маймунка abv точка bg", "shop dot com".
Fragments match the lower-cased normalised text.
"""

from __future__ import annotations

import re

from bot.domain.masking import tlds

# Brackets and the other marks people wrap a spelled "at" or "dot" in: "(at)", "[dot]", "#at#".
_OPEN = r"[(\[{<*#~|=_-]{1,2}"
_CLOSE = r"[)\]}>*#~|=_-]{1,2}"

#: "@" itself, or "at" wrapped in brackets, or a word nobody uses for anything else.
AT_STRONG = (
    r"\s{0,2}@+\s{0,2}"
    rf"|\s{{0,2}}{_OPEN}\s{{0,2}}(?:at|ат|@|a|а|маймунка|кльомба|клюмба)\s{{0,2}}{_CLOSE}\s{{0,2}}"
    r"|\s{1,3}(?:маймунка|маймунско\s+а|кльомба|клюмба|at\s+sign|at\s+symbol)\s{1,3}"
)
#: The bare word "at", which is also an English preposition.
AT_WEAK = r"\s{1,3}(?:at|ат)\s{1,3}"
#: "ivan.petrov в gmail": believed only before a mail provider's name.
AT_PROVIDER_ONLY = r"\s{1,3}(?:в|във|на|in|on)\s{1,3}"

_DOT_SPELLED = (
    rf"\s{{0,2}}{_OPEN}\s{{0,2}}(?:dot|точка|тчк|дот|\.)\s{{0,2}}{_CLOSE}\s{{0,2}}"
    r"|\s{1,3}(?:dot|точка|тчк|дот)\s{1,3}"
)
#: A dot with spaces around it: only believed when the rest is unmistakably an address.
_DOT_SPACED = r"\s{1,2}\.\s{0,2}|\.\s{1,2}"

#: Any disguised dot (not the plain one).
DOT_DISGUISED = rf"(?:{_DOT_SPELLED}|{_DOT_SPACED})"
#: A dot as written after a strong "@": plain, spelled or spaced.
DOT_ANY = rf"(?:\.|{_DOT_SPELLED}|{_DOT_SPACED})"
#: A dot as written after a weak "at": plain or spelled, never merely spaced.
DOT_CAREFUL = rf"(?:\.|{_DOT_SPELLED})"

#: Mail providers, longest first so "mail.bg" wins over "mail".
PROVIDER_NAMES = "|".join(
    re.escape(name) for name in sorted(tlds.MAIL_PROVIDERS, key=len, reverse=True)
)

LABEL = r"[^\W_](?:[\w-]{0,61}[^\W_])?"
TLD = r"[^\W\d_]{2,24}"

_SPELLED_DOT = re.compile(DOT_ANY)


def canonical_host(spelled: str) -> str:
    """ "shop точка bg" -> "shop.bg": the host a disguised address spells."""
    return _SPELLED_DOT.sub(".", spelled).strip().lower()


def is_known_tld(ending: str) -> bool:
    return ending in tlds.ALL


def is_allowed(host: str, allowed: frozenset[str]) -> bool:
    """Whether `host` is one of `allowed` or a subdomain of one."""
    host = host.rstrip(".")
    if host.startswith("www."):
        host = host[4:]
    return any(host == domain or host.endswith("." + domain) for domain in allowed)
