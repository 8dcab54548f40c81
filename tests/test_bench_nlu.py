"""scripts/bench_nlu.py: the model cache is keyed by what a model is trained from, and no
evaluation set's message is written out."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parents[1] / "scripts"))
import bench_nlu  # noqa: E402

from nlu.evaluation import Report  # noqa: E402


@pytest.fixture()
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "data" / "nlu").mkdir(parents=True)
    (tmp_path / "data" / "nlu" / "a.yml").write_text("nlu: []\n")
    (tmp_path / "nlu").mkdir()
    (tmp_path / "nlu" / "c.py").write_text("X = 1\n")
    (tmp_path / "config.yml").write_text("pipeline: []\n")
    monkeypatch.setattr(bench_nlu, "ROOT", tmp_path)
    return tmp_path


def test_the_key_changes_with_the_data_the_config_and_our_code(project: Path) -> None:
    config = project / "config.yml"
    first = bench_nlu.fingerprint("ours", config)
    assert bench_nlu.fingerprint("ours", config) == first
    (project / "data" / "nlu" / "a.yml").write_text("nlu: [x]\n")
    second = bench_nlu.fingerprint("ours", config)
    assert second != first
    (project / "nlu" / "c.py").write_text("X = 2\n")
    third = bench_nlu.fingerprint("ours", config)
    assert third != second
    config.write_text("pipeline: [y]\n")
    assert bench_nlu.fingerprint("ours", config) != third


def test_the_default_pipeline_does_not_retrain_when_only_our_code_changes(project: Path) -> None:
    default = project / "default.yml"
    default.write_text("pipeline: null\n")
    before = bench_nlu.fingerprint("rasa-default", default)
    (project / "nlu" / "c.py").write_text("X = 3\n")
    assert bench_nlu.fingerprint("rasa-default", default) == before
    (project / "data" / "nlu" / "b.yml").write_text("nlu: []\n")
    assert bench_nlu.fingerprint("rasa-default", default) != before


def test_rasas_rewrite_of_the_default_config_keeps_the_key(project: Path) -> None:
    """`rasa train` adds an assistant_id and the default pipeline as comments to a config
    whose pipeline is null: the model it just trained must keep its key."""
    default = project / "default.yml"
    default.write_text("recipe: default.v1\nlanguage: en\npipeline: null\n")
    before = bench_nlu.fingerprint("rasa-default", default)
    default.write_text(
        "recipe: default.v1\nassistant_id: 20261204-152315-woolen-frequency\nlanguage: en\n"
        "pipeline: null\n# # No configuration for the NLU pipeline was provided.\n"
        "#   - name: WhitespaceTokenizer\n"
    )
    assert bench_nlu.fingerprint("rasa-default", default) == before
    default.write_text("recipe: default.v1\nlanguage: fr\npipeline: null\n")
    assert bench_nlu.fingerprint("rasa-default", default) != before


def test_a_cached_model_is_reused_without_training(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(bench_nlu, "CACHE", project / "cache")
    calls: list[list[str]] = []

    def fake_rasa_train(command: list[str], **_: object) -> None:
        calls.append(command)
        out = Path(command[command.index("--out") + 1])
        name = command[command.index("--fixed-model-name") + 1]
        (out / f"{name}.tar.gz").write_bytes(b"model")

    monkeypatch.setattr(bench_nlu.subprocess, "run", fake_rasa_train)
    config = project / "config.yml"
    model, info = bench_nlu.train("ours", config, retrain=False)
    assert len(calls) == 1 and not info["cached"] and model.exists()
    again, info = bench_nlu.train("ours", config, retrain=False)
    assert again == model and info["cached"] and len(calls) == 1
    bench_nlu.train("ours", config, retrain=True)
    assert len(calls) == 2
    (project / "data" / "nlu" / "a.yml").write_text("nlu: [changed]\n")
    other, info = bench_nlu.train("ours", config, retrain=False)
    assert other != model and not info["cached"] and len(calls) == 3
    shutil.rmtree(project / "cache")


def test_the_summary_keeps_figures_and_drops_the_messages() -> None:
    report = Report(n=2, errors=[("fr", "un message privé", "greet", "thank")])
    figures = bench_nlu.summary(report)
    assert figures["errors"] == 1
    assert "un message privé" not in repr(figures)
    assert figures["n"] == 2


def test_language_id_errors_are_counted_by_where_they_went_without_the_messages() -> None:
    from nlu.evaluation import Example, Prediction, score

    examples = [
        Example("un message privé", "greet", "fr", ()),
        Example("wach kayn chi salon", "ask_missions", "ary_lat", ()),
        Example("k.alami@example.ma", "inform", "fr", ()),
        Example("hello", "greet", "en", ()),
    ]
    predictions = [
        Prediction("greet", "ary", set(), 0.01),
        Prediction("ask_missions", "ary", set(), 0.01),
        Prediction("inform", None, set(), 0.01),
        Prediction("greet", "en", set(), 0.01),
    ]
    report = score(examples, predictions)
    assert report.language_confusion == {"fr->ary": 1, "fr->none": 1}
    assert report.language_accuracy["all"] == 0.5
    lines = bench_nlu.table("set", {"ours": report}, report)
    assert "| language-id errors | all | fr->ary 1, fr->none 1 |" in lines
    assert "un message privé" not in "\n".join(lines)


def test_reply_language_counts_what_the_member_would_be_answered_in() -> None:
    """French read as Arabizi is still answered in French, MSA read as Darija in Arabic; Darija
    in Arabic script read as Latin-script Darija would be answered in French: wrong."""
    from nlu.evaluation import Example, Prediction, score

    examples = [
        Example("m1", "greet", "fr", ()),
        Example("m2", "greet", "ar", ()),
        Example("m3", "greet", "ary_ar", ()),
        Example("m4", "greet", "ary_lat", ()),
        Example("m5", "greet", "en", ()),
        Example("m6", "inform", "en", ()),
    ]
    predictions = [
        Prediction("greet", "ary", set(), 0.01, "latin"),  # fr -> ary, Latin: French reply
        Prediction("greet", "ary", set(), 0.01, "arab"),  # ar -> ary, Arabic script: Arabic
        Prediction("greet", "ary", set(), 0.01, "latin"),  # ary_ar answered in French: wrong
        Prediction("greet", "en", set(), 0.01, "latin"),  # Arabizi answered in English: wrong
        Prediction("greet", "en", set(), 0.01, "latin"),
        Prediction("inform", None, set(), 0.01, "none"),  # no letters: counted wrong
    ]
    report = score(examples, predictions)
    assert report.language_accuracy["all"] == 2 / 6
    assert report.reply_language_accuracy["all"] == 3 / 6
    assert report.reply_language_accuracy["fr"] == 1.0
    assert report.reply_language_accuracy["ary_ar"] == 0.0
    lines = bench_nlu.table("set", {"ours": report}, report)
    assert "| reply language | all | 50.0% |" in lines
    without_script = score(examples, [Prediction("greet", "fr", set(), 0.01)] * 6)
    assert without_script.reply_language_accuracy["all"] is None
