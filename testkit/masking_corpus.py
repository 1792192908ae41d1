"""The labelled corpus of buyer/seller messages for the contact masking engine.

The cases live in `masking_corpus.txt` beside this module, one per line:
`+ message || secret || …` for a message with contact details (no secret may survive masking),
`- message` for one without (it must come back unchanged). Lines starting with "#" are comments.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

_SOURCE = Path(__file__).with_name("masking_corpus.txt")
_ESCAPE = re.compile(r"\\(u[0-9a-fA-F]{4}|n)")


@dataclass(frozen=True, slots=True)
class Case:
    text: str
    secrets: tuple[str, ...]
    section: str

    @property
    def has_contact(self) -> bool:
        return bool(self.secrets)


def _unescape(text: str) -> str:
    return _ESCAPE.sub(lambda m: "\n" if m[1] == "n" else chr(int(m[1][1:], 16)), text)


def load() -> tuple[Case, ...]:
    """Read and check every case of the corpus."""
    cases: list[Case] = []
    section = ""
    for number, line in enumerate(_SOURCE.read_text(encoding="utf-8").splitlines(), start=1):
        if line.startswith("## "):
            section = line[3:].strip()
            continue
        if not line.strip() or line.startswith("#"):
            continue
        label, _, rest = line.partition(" ")
        parts = [_unescape(part.strip()) for part in rest.split("||")]
        text, secrets = parts[0], tuple(parts[1:])
        if label not in ("+", "-") or (label == "+") != bool(secrets):
            raise ValueError(f"masking_corpus.txt:{number}: bad label or secrets")
        missing = [secret for secret in secrets if secret not in text]
        if missing:
            raise ValueError(f"masking_corpus.txt:{number}: {missing} not in the message")
        cases.append(Case(text, secrets, section))
    return tuple(cases)


CASES = load()
CONTACT_CASES = tuple(case for case in CASES if case.has_contact)
CLEAN_CASES = tuple(case for case in CASES if not case.has_contact)
