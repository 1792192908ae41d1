"""The labelled corpus of buyer/seller messages for the contact masking engine.

The cases live in `masking_corpus.txt` beside this module, one per line:
`+ message || secret || …` for a message with contact details (no secret may survive masking),
`- message` for one without (it must come back unchanged). Lines starting with "#" are comments.

`masking_conversations.txt` holds the same for the last message of a few consecutive messages of
one side, written `earlier >> earlier >> message`: its secrets are the part of the last message
that completes a contact begun before (see `bot.domain.masking.mask_continuing`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

_SOURCE = Path(__file__).with_name("masking_corpus.txt")
_CONVERSATIONS = Path(__file__).with_name("masking_conversations.txt")
_ESCAPE = re.compile(r"\\(u[0-9a-fA-F]{4}|n)")


@dataclass(frozen=True, slots=True)
class Case:
    text: str
    secrets: tuple[str, ...]
    section: str
    #: the same side's messages just before this one, oldest first
    earlier: tuple[str, ...] = ()

    @property
    def has_contact(self) -> bool:
        return bool(self.secrets)


def _unescape(text: str) -> str:
    return _ESCAPE.sub(lambda m: "\n" if m[1] == "n" else chr(int(m[1][1:], 16)), text)


def load(source: Path = _SOURCE) -> tuple[Case, ...]:
    """Read and check every case of a corpus file."""
    cases: list[Case] = []
    section = ""
    for number, line in enumerate(source.read_text(encoding="utf-8").splitlines(), start=1):
        if line.startswith("## "):
            section = line[3:].strip()
            continue
        if not line.strip() or line.startswith("#"):
            continue
        label, _, rest = line.partition(" ")
        parts = [_unescape(part.strip()) for part in rest.split("||")]
        *earlier, text = (message.strip() for message in parts[0].split(" >> "))
        secrets = tuple(parts[1:])
        if label not in ("+", "-") or (label == "+") != bool(secrets):
            raise ValueError(f"{source.name}:{number}: bad label or secrets")
        missing = [secret for secret in secrets if secret not in text]
        if missing:
            raise ValueError(f"{source.name}:{number}: {missing} not in the message")
        cases.append(Case(text, secrets, section, tuple(earlier)))
    return tuple(cases)


CASES = load()
CONTACT_CASES = tuple(case for case in CASES if case.has_contact)
CLEAN_CASES = tuple(case for case in CASES if not case.has_contact)

CONVERSATIONS = load(_CONVERSATIONS)
SPLIT_CASES = tuple(case for case in CONVERSATIONS if case.has_contact)
UNSPLIT_CASES = tuple(case for case in CONVERSATIONS if not case.has_contact)
