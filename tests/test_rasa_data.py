"""Rasa's own validation of the domain, training data and rules."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def test_rasa_data_validate_passes_with_no_warnings() -> None:
    result = subprocess.run(
        [
            str(Path(sys.executable).parent / "rasa"),
            "data",
            "validate",
            "--fail-on-warnings",
            "--config",
            "config.yml",
            "--domain",
            "domain.yml",
            "--data",
            "data/nlu",
            "data/rules",
            "data/stories",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2"},
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]


#: Responses Rasa's own actions say (action_restart, action_default_fallback).
SAID_BY_RASA = {"utter_restart", "utter_default"}


def test_every_response_is_said_by_an_action_a_rule_or_a_story() -> None:
    """Rasa's validator warns "The utterance ... is not used in any story or rule" for each
    response a custom action says (core/harmless_warnings.py silences it): this checks what it
    cannot, that no response is left unsaid."""
    domain = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))
    sources = [*(ROOT / "actions").rglob("*.py"), *(ROOT / "data").rglob("*.yml")]
    text = "".join(path.read_text(encoding="utf-8") for path in sources)
    named = set(re.findall(r"utter_[a-z_]+", text))
    # f"utter_registration_invalid_{slot}", TITLE_PREFIX + intent, f"{response}_no_link"...
    prefixes = tuple(name for name in named if name.endswith("_"))
    form_slots = {
        slot for form in (domain.get("forms") or {}).values() for slot in form["required_slots"]
    }
    said = named | SAID_BY_RASA | {f"utter_ask_{slot}" for slot in form_slots}
    unsaid = [
        name
        for name in domain["responses"]
        if name not in said
        and not name.startswith(prefixes)
        and name.removesuffix("_no_link").removesuffix("_all") not in said
    ]
    assert unsaid == []
