"""Warnings of third-party libraries known to be harmless, silenced one by one when Rasa is
started by ``python -m bot`` (``run``, ``train``); any other warning is still shown.

Each entry names one message of one library at the pinned versions (requirements.lock) and
why it says nothing to someone running the assistant. Python's ``-W`` and ``PYTHONWARNINGS``
cannot do this: the first filter that matches wins, and Sanic (when imported) and Rasa (when
its command line starts) put their own in front, ``once`` for every DeprecationWarning and
every UserWarning; ``silence()`` is therefore called again after each (bot/rasa_cli.py).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Final


@dataclass(frozen=True)
class Harmless:
    """One known warning: the start of its message (a regular expression), its category, and
    why it is harmless."""

    message: str
    category: type[Warning]
    why: str


HARMLESS: Final[tuple[Harmless, ...]] = (
    Harmless(
        r"pkg_resources is deprecated as an API",
        DeprecationWarning,
        "Rasa and APScheduler import setuptools' pkg_resources; setuptools is pinned",
    ),
    Harmless(
        r"Deprecated call to `pkg_resources\.declare_namespace\(",
        DeprecationWarning,
        "old-style namespace packages (mpl_toolkits, ruamel) declared on import",
    ),
    Harmless(
        r"distutils Version classes are deprecated",
        DeprecationWarning,
        "sanic-cors compares Sanic's version with distutils' LooseVersion",
    ),
    Harmless(
        r"jax\.xla_computation is deprecated",
        DeprecationWarning,
        "TensorFlow Lite imports it when TensorFlow loads; the assistant uses neither",
    ),
    Harmless(
        r"'(setParseAction|parseString|resetCache)' deprecated",
        DeprecationWarning,
        "Matplotlib's font-name parser (imported by Rasa) calls pyparsing 2 names",
    ),
    Harmless(
        r"Calling URL\(\) directly is deprecated",
        DeprecationWarning,
        "Rasa's SQL tracker store builds its database URL the SQLAlchemy 1.3 way",
    ),
    Harmless(
        r"The utterance '\w+' is not used in any story or rule\.",
        UserWarning,
        "`rasa train` cannot see the responses the custom actions say (about 130 of them);"
        " tests/test_rasa_data.py checks that every response is said by an action, a rule,"
        " a story or Rasa's own actions",
    ),
)


def silence(known: tuple[Harmless, ...] = HARMLESS) -> None:
    """Put an ``ignore`` filter for each known warning in front of the others."""
    for warning in known:
        warnings.filterwarnings("ignore", message=warning.message, category=warning.category)
