"""What the masking tests assert: a contact hidden, or a text passed on untouched."""

from __future__ import annotations

from bot.domain.masking import MASK, mask_contacts


def hides(text: str, *secrets: str) -> None:
    masked = mask_contacts(text).text
    for secret in secrets or (text,):
        assert secret not in masked, f"{secret!r} survived in {masked!r}"
    assert MASK in masked, f"nothing masked in {masked!r}"


def passes(text: str) -> None:
    result = mask_contacts(text)
    assert result.text == text, f"{text!r} came back as {result.text!r}"
    assert result.findings == (), result.findings
