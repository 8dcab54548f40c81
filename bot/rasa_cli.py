"""Rasa's command line (``run``, ``train``...) with the known-harmless warnings of its
libraries silenced (core/harmless_warnings.py): what ``python -m bot`` runs."""

from __future__ import annotations

import sys
from typing import Any

import pluggy

from core import harmless_warnings

_hookimpl = pluggy.HookimplMarker("rasa")


class QuietPlugin:
    """A Rasa plugin (Rasa's own extension point, rasa/plugin.py): once Rasa has set its warning
    filters (``once`` for every UserWarning, in front), put the known-harmless ones first again."""

    @_hookimpl  # type: ignore[misc]
    def configure_commandline(self, cmdline_arguments: Any) -> None:
        """Called by Rasa's ``main`` after its filters, before the command runs."""
        harmless_warnings.silence()


def quiet_imports() -> None:
    """Silence the known-harmless warnings, in front of the filter Sanic adds when imported
    (``once`` for every DeprecationWarning), so that they stay silenced once Rasa imports it."""
    harmless_warnings.silence()
    import sanic  # noqa: F401 - its import puts its filter first

    harmless_warnings.silence()


def main(argv: list[str] | None = None) -> int:
    """Run Rasa's command line with ``argv`` (default: this program's arguments)."""
    quiet_imports()
    from rasa.__main__ import main as rasa_main
    from rasa.plugin import plugin_manager

    plugin_manager().register(QuietPlugin())
    sys.argv = ["rasa", *(sys.argv[1:] if argv is None else argv)]
    rasa_main()
    return 0
