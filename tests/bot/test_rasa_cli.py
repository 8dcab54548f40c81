"""bot/rasa_cli.py (``python -m bot``): Rasa's command line with the known warnings silenced,
also once Sanic, imported, puts its own filter first."""

from __future__ import annotations

import subprocess
import sys
import warnings
from pathlib import Path

import pluggy
import rasa.plugin

from bot.rasa_cli import QuietPlugin

ROOT = Path(__file__).resolve().parents[2]
PROGRAM = """
import warnings
from bot.rasa_cli import quiet_imports
quiet_imports()
import sanic  # already imported: its filter stays behind ours
warnings.warn("distutils Version classes are deprecated.", DeprecationWarning)
warnings.warn("jax.xla_computation is deprecated. Please use the AOT APIs.", DeprecationWarning)
warnings.warn("an unknown API is deprecated", DeprecationWarning)
print([f[0] for f in warnings.filters if f[2] is DeprecationWarning and f[1] is None][:1])
"""


def test_known_warnings_stay_silenced_after_sanic_is_imported() -> None:
    result = subprocess.run(
        [sys.executable, "-c", PROGRAM], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert "['once']" in result.stdout  # Sanic's filter is there, behind ours
    assert "an unknown API is deprecated" in result.stderr
    assert "distutils" not in result.stderr and "xla_computation" not in result.stderr


INTENT = "The intent 'greet' is not used in any story or rule."


def test_the_plugin_puts_the_known_warnings_back_in_front_of_rasas_filters() -> None:
    manager = pluggy.PluginManager("rasa")
    manager.add_hookspecs(rasa.plugin)
    manager.register(QuietPlugin())  # pluggy checks the hook's name and arguments
    utterance = "The utterance 'utter_tijaria' is not used in any story or rule."
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        warnings.filterwarnings("once", category=UserWarning)  # Rasa's main() adds it
        assert manager.hook.configure_commandline(cmdline_arguments=None) == []
        warnings.warn(utterance, UserWarning, stacklevel=1)
        warnings.warn(INTENT, UserWarning, stacklevel=1)
    assert [str(w.message) for w in caught] == [INTENT]
