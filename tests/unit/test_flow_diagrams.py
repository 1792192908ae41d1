"""Every flow is drawn where it lives, and the drawing keeps up with the code.

Each multi-step flow (a ``build()`` returning a ``ConversationHandler`` in ``conversations/`` or
``handlers/``) has a Mermaid ``.mmd`` beside it in which every one of its states is named by its
constant. The relay's compose step and the settings buttons, which are not ConversationHandler
states, are checked the same way.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
from pathlib import Path
from types import ModuleType

import pytest
from telegram.ext import ConversationHandler

import conversations
import handlers
from conversations import relay
from handlers import settings


def modules() -> list[ModuleType]:
    found = []
    for package in (conversations, handlers):
        for info in pkgutil.iter_modules(package.__path__):
            found.append(importlib.import_module(f"{package.__name__}.{info.name}"))
    return found


def diagram(module: ModuleType) -> str:
    path = Path(str(module.__file__)).with_suffix(".mmd")
    assert path.exists(), f"{module.__name__} is a flow without {path.name} beside it"
    return path.read_text(encoding="utf-8")


def drawn(name: str, text: str) -> bool:
    return re.search(rf"(?<![\w:]){re.escape(name)}(?![\w])", text) is not None


def conversation_states(module: ModuleType) -> dict[object, list[str]] | None:
    """Each state of the module's ConversationHandler with the constant names that hold it."""
    build = getattr(module, "build", None)
    if build is None or not callable(build):
        return None
    required = [p for p in inspect.signature(build).parameters.values() if p.default is p.empty]
    if required:
        return None
    handler = build()
    if not isinstance(handler, ConversationHandler):
        return None
    names: dict[object, list[str]] = {}
    for state in handler.states:
        names[state] = [
            name
            for name, value in vars(module).items()
            if name.isupper() and not name.startswith("_") and value == state
        ]
    return names


FLOWS = [module for module in modules() if conversation_states(module)]


def test_the_status_change_is_one_of_the_flows_found() -> None:
    assert "conversations.status_change" in {module.__name__ for module in FLOWS}


@pytest.mark.parametrize("module", FLOWS, ids=lambda module: module.__name__)
def test_every_state_of_a_conversation_is_drawn_beside_it(module: ModuleType) -> None:
    text = diagram(module)
    states = conversation_states(module)
    assert states
    for state, names in states.items():
        assert names, f"state {state!r} of {module.__name__} has no named constant"
        assert any(drawn(name, text) for name in names), f"{names} missing from the diagram"


def test_the_relay_compose_step_is_drawn() -> None:
    assert drawn("COMPOSE", diagram(relay))


def test_every_settings_button_is_drawn() -> None:
    text = diagram(settings)
    for what in settings.SETTINGS:
        assert f"set:{what}:" in text
