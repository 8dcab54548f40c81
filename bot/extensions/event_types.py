"""Find an event's class by its type name without walking every Event subclass each time.

Rasa 3.6 turns each stored event back into an object with ``Event.resolve_by_type(name)``, which
lists every subclass of ``Event`` (recursively, checking each with ``inspect.isabstract``) for
every single event, most of the time it takes to rebuild a conversation from the tracker store
(measured in docs/benchmarks.md, profile 4). ``install()`` replaces it with the same search done
once per type name: the class it returns is the one Rasa's search returns first, and a name it
does not know (a subclass imported later, "topic", an unknown name) is searched as Rasa does.

Installed by ``bot.extensions.install()``.
"""

from __future__ import annotations

from typing import Final

import rasa.shared.utils.common
from rasa.shared.core.events import Event

_RASA_RESOLVE: Final = Event.resolve_by_type
_classes: dict[str, type[Event]] = {}


def _refresh() -> None:
    """Map each type name to the first class Rasa's search would find for it."""
    found: dict[str, type[Event]] = {}
    for cls in rasa.shared.utils.common.all_subclasses(Event):
        found.setdefault(cls.type_name, cls)
    _classes.clear()
    _classes.update(found)


def resolve_by_type(type_name: str, default: type[Event] | None = None) -> type[Event] | None:
    """``Event.resolve_by_type``, remembered per type name."""
    cls = _classes.get(type_name)
    if cls is None:
        _refresh()  # a subclass defined since the last search
        cls = _classes.get(type_name)
    if cls is not None:
        return cls
    return _RASA_RESOLVE(type_name, default)


def install() -> None:
    """Make Event.resolve_by_type use the remembered search (idempotent)."""
    Event.resolve_by_type = staticmethod(resolve_by_type)  # type: ignore[method-assign]
