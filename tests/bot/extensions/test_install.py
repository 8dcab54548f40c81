"""bot.extensions.install: every patch of Rasa internals in one place, on the pinned Rasa only;
and the old dotted paths that deployments' configuration files name."""

from __future__ import annotations

import subprocess
import sys

import pytest
import rasa
from rasa.shared.utils.common import class_from_module_path
from rasa.utils.endpoints import EndpointConfig

from bot import extensions
from bot.channels.rest import CheckedRestInput
from bot.channels.telegram import TelegramInput
from bot.channels.twilio import TwilioWhatsAppInput
from bot.channels.whatsapp import WhatsAppInput
from bot.extensions.lock_store import AtomicRedisLockStore
from bot.extensions.policies import CachedTEDPolicy
from bot.extensions.tracker_store import ErasingSQLTrackerStore
from tests.support.project import ROOT


def test_the_pinned_rasa_is_the_installed_one() -> None:
    assert rasa.__version__ == extensions.RASA_VERSION
    extensions.check_rasa_version()


@pytest.mark.parametrize("version", ["3.6.20", "3.6.0", "3.7.0", "4.0.0"])
def test_another_rasa_is_refused_with_a_clear_message(version: str) -> None:
    with pytest.raises(extensions.RasaVersionError) as raised:
        extensions.check_rasa_version(version)
    message = str(raised.value)
    assert f"Rasa {version}" in message and "3.6.21" in message and "make setup" in message


def test_install_patches_nothing_on_another_rasa(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(extensions, "_installed", False)
    monkeypatch.setattr(rasa, "__version__", "3.6.15")
    monkeypatch.setattr(EndpointConfig, "session", EndpointConfig.session)
    before = EndpointConfig.session
    with pytest.raises(extensions.RasaVersionError):
        extensions.install()
    assert EndpointConfig.session is before
    assert extensions._installed is False


def test_a_store_refuses_to_be_built_on_another_rasa(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(extensions, "_installed", False)
    monkeypatch.setattr(rasa, "__version__", "3.6.15")
    with pytest.raises(extensions.RasaVersionError):
        ErasingSQLTrackerStore(domain=None, dialect="sqlite", db=":memory:")


@pytest.mark.parametrize(
    ("old_path", "cls"),
    [
        ("bot.rest.CheckedRestInput", CheckedRestInput),
        ("bot.telegram.TelegramInput", TelegramInput),
        ("bot.whatsapp.WhatsAppInput", WhatsAppInput),
        ("bot.twilio_whatsapp.TwilioWhatsAppInput", TwilioWhatsAppInput),
        ("bot.tracker_store.ErasingSQLTrackerStore", ErasingSQLTrackerStore),
        ("bot.lock_store.AtomicRedisLockStore", AtomicRedisLockStore),
        ("bot.policies.CachedTEDPolicy", CachedTEDPolicy),
    ],
)
def test_old_dotted_paths_load_the_same_classes(old_path: str, cls: type) -> None:
    assert class_from_module_path(old_path) is cls


def test_the_admin_entry_point_keeps_its_name_and_imports_nothing_for_rasa_sdk() -> None:
    """rasa-sdk imports every module under actions/: the shim must not load the CLI then."""
    probe = "import sys, actions.admin; print('admin.cli' in sys.modules)"
    imported = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert imported.stdout.strip() == "False"
    helped = subprocess.run(
        [sys.executable, "-m", "actions.admin", "--help"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert helped.returncode == 0, helped.stderr
    assert "python -m actions.admin" in helped.stdout and "import-events" in helped.stdout
