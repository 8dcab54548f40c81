"""core/harmless_warnings.py: the known warnings are silenced, one by one; others still show."""

from __future__ import annotations

import warnings

import pytest

from core.harmless_warnings import HARMLESS, silence

#: What `make serve` printed before these filters (var/rasa.log of one start, pinned versions).
MEASURED = [
    (
        "pkg_resources is deprecated as an API. See "
        "https://setuptools.pypa.io/en/latest/pkg_resources.html",
        DeprecationWarning,
    ),
    ("Deprecated call to `pkg_resources.declare_namespace('mpl_toolkits')`.", DeprecationWarning),
    ("Deprecated call to `pkg_resources.declare_namespace('ruamel')`.", DeprecationWarning),
    (
        "distutils Version classes are deprecated. Use packaging.version instead.",
        DeprecationWarning,
    ),
    ("jax.xla_computation is deprecated. Please use the AOT APIs.", DeprecationWarning),
    ("'setParseAction' deprecated - use 'set_parse_action'", DeprecationWarning),
    ("'parseString' deprecated - use 'parse_string'", DeprecationWarning),
    ("'resetCache' deprecated - use 'reset_cache'", DeprecationWarning),
    (
        "Calling URL() directly is deprecated and will be disabled in a future release.  The "
        "public constructor for URL is now the URL.create() method.",
        DeprecationWarning,
    ),
    # `rasa train` (scripts/train.sh, from `make run`): 131 of these before the filters.
    ("The utterance 'utter_missions_item_closed' is not used in any story or rule.", UserWarning),
]


class PyparsingStyleWarning(DeprecationWarning):
    """Libraries raise subclasses (pyparsing, SQLAlchemy): they match their base category."""


def shown(message: str, category: type[Warning]) -> bool:
    """Whether ``message`` is shown after silence(), every other warning being shown."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        warnings.filterwarnings("once", category=DeprecationWarning)  # what Sanic adds
        warnings.filterwarnings("once", category=UserWarning)  # what Rasa's command line adds
        silence()
        warnings.warn(message, category, stacklevel=1)
    return bool(caught)


@pytest.mark.parametrize(("message", "category"), MEASURED)
def test_each_measured_warning_is_silenced(message: str, category: type[Warning]) -> None:
    assert not shown(message, category)
    if issubclass(category, DeprecationWarning):
        assert not shown(message, PyparsingStyleWarning)


@pytest.mark.parametrize(
    ("message", "category"),
    [
        ("some_function is deprecated", DeprecationWarning),
        ("The model was trained with another Rasa version", UserWarning),
        ("Note: pkg_resources is deprecated as an API", DeprecationWarning),  # not its start
        ("pkg_resources is deprecated as an API", FutureWarning),  # another category
        ("", DeprecationWarning),
        ("The intent 'ask_tijaria' is not used in any story or rule.", UserWarning),
        ("The utterance 'utter_x' is used in the stories, but is not valid", UserWarning),
    ],
)
def test_any_other_warning_is_still_shown(message: str, category: type[Warning]) -> None:
    assert shown(message, category)


def test_each_entry_names_one_message_and_why() -> None:
    for entry in HARMLESS:
        assert len(entry.message) >= 20 and not entry.message.startswith((".", "^."))
        assert entry.category is not Warning and entry.why
