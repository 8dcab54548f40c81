"""Rasa extensions: the tracker and lock stores, the cached TED policy, and the patches of Rasa
internals they rely on, installed together by ``install()``.

The patches replace private functions of Rasa 3.6.21 (``EndpointConfig.session``,
``RemoteAction._validate_action_result``, ``Event.resolve_by_type``,
``DialogueStateTracker.past_states``, the reads and writes of ``FailSafeTrackerStore``).
Another Rasa may have changed any of them, and older 3.6 releases carry a remote-code-execution
flaw: ``install()`` refuses to run on any Rasa but the pinned one. The classes Rasa loads by
dotted path (``ErasingSQLTrackerStore``, ``AtomicRedisLockStore``, ``CachedTEDPolicy``) call it
when Rasa builds them, so every Rasa process of this project has the patches before its first
message, and none at import.
"""

from __future__ import annotations

from rasa.shared.exceptions import RasaException

#: The Rasa release the patches were written for and checked against (requirements.lock).
RASA_VERSION = "3.6.21"

_installed = False


class RasaVersionError(RasaException):
    """The installed Rasa is not the release bot.extensions patches."""


def check_rasa_version(version: str | None = None) -> None:
    """RasaVersionError unless ``version`` (default: the installed Rasa) is RASA_VERSION."""
    if version is None:
        import rasa

        version = rasa.__version__
    if version != RASA_VERSION:
        raise RasaVersionError(
            f"This project patches Rasa {RASA_VERSION}'s internals and refuses to start on Rasa "
            f"{version} (older 3.6 releases have a remote-code-execution flaw). "
            "Run `make setup` to install the pinned requirements.lock."
        )


def install() -> None:
    """Install every patch of Rasa internals, once; RasaVersionError on another Rasa."""
    global _installed
    if _installed:
        return
    check_rasa_version()
    from bot.extensions import (
        action_client,
        action_schema,
        dialogue_states,
        event_types,
        fail_closed,
        handoff_hold,
    )

    action_client.install()
    action_schema.install()
    event_types.install()
    dialogue_states.install()
    fail_closed.install()
    handoff_hold.install()
    _installed = True
