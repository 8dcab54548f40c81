"""Test stories of every capability, run by Rasa with --fail-on-prediction-errors."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.model


def test_conversation_stories_predict_every_action(trained_model: Path, tmp_path: Path) -> None:
    result = subprocess.run(
        [
            str(Path(sys.executable).parent / "rasa"),
            "test",
            "core",
            "--model",
            str(trained_model),
            "--stories",
            str(ROOT / "tests" / "stories"),
            "--fail-on-prediction-errors",
            "--out",
            str(tmp_path / "results"),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=900,
        env={
            **os.environ,
            "TF_CPP_MIN_LOG_LEVEL": "2",
            "RASA_TELEMETRY_ENABLED": "false",
            "ACTION_ENDPOINT_URL": "http://localhost:9/webhook",
            "TRACKER_DB": str(tmp_path / "tracker.db"),
        },
    )
    failed = result.stdout[-3000:] + result.stderr[-3000:]
    assert result.returncode == 0, failed
    assert "WrongPredictionException" not in result.stderr + result.stdout
