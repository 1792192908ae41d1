"""Every kind of contact detail the masker finds has a name in what the seller is told."""

from __future__ import annotations

import pytest

from bot.domain.masking import ContactKind
from bot.domain.saved_replies import TemplateRefused
from bot.i18n import translator
from bot.presentation.saved_replies import refused
from conversations.relay_content import hidden_text


@pytest.mark.parametrize("locale", ["en", "bg"])
@pytest.mark.parametrize("kind", list(ContactKind))
def test_each_kind_is_named_when_hidden_from_a_message_or_refused_in_a_saved_reply(
    kind: ContactKind, locale: str
) -> None:
    _ = translator(locale)
    assert hidden_text([kind], _)
    assert refused(TemplateRefused("contact", kinds=frozenset({kind})), _)
