"""NLU benchmark: our pipeline against Rasa's default one, on the held-out set.

Trains both on data/nlu (NLU only), then reports on tests/nlu/heldout.yml: intent accuracy and
macro-F1 per variety, entity recall, language-id accuracy per variety (langdetect stands in for
the default pipeline, which has no language id), parse latency p50/p95, training time and model
size. Writes bench/out/nlu.md and bench/out/nlu.json.

    make bench-nlu                      # both pipelines
    python scripts/bench_nlu.py --reuse # evaluate models trained by an earlier run
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from nlu.evaluation import (  # noqa: E402
    VARIETIES,
    Example,
    Prediction,
    Report,
    evaluate_model,
    load_examples,
    score,
)

OUT = ROOT / "bench" / "out"


def default_config() -> Path:
    """The config.yml that `rasa init` writes (its pipeline is Rasa's default one)."""
    import rasa

    return Path(rasa.__file__).parent / "cli" / "initial_project" / "config.yml"


def train(name: str, config: Path, reuse: bool) -> tuple[Path, float | None]:
    """Train an NLU-only model; return its path and the training time in seconds."""
    model = OUT / "models" / f"{name}.tar.gz"
    if reuse and model.exists():
        return model, None
    model.parent.mkdir(parents=True, exist_ok=True)
    # A fresh training cache, so the time measured is a real training, not a cache restore.
    cache = tempfile.mkdtemp(prefix="rasa-cache-")
    start = time.perf_counter()
    subprocess.run(
        [
            str(Path(sys.executable).parent / "rasa"),
            "train",
            "nlu",
            "--config",
            str(config),
            "--nlu",
            str(ROOT / "data" / "nlu"),
            "--out",
            str(model.parent),
            "--fixed-model-name",
            name,
        ],
        cwd=ROOT,
        check=True,
        env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2", "RASA_CACHE_DIRECTORY": cache},
        stdout=subprocess.DEVNULL,
    )
    seconds = time.perf_counter() - start
    shutil.rmtree(cache, ignore_errors=True)
    return model, seconds


def langdetect_report(examples: list[Example]) -> Report:
    """langdetect as a language identifier (it cannot name Darija: ary is always wrong)."""
    from langdetect import DetectorFactory, LangDetectException, detect

    DetectorFactory.seed = 0
    predictions = []
    for example in examples:
        start = time.perf_counter()
        try:
            language: str | None = detect(example.text)
        except LangDetectException:
            language = None
        predictions.append(Prediction(None, language, set(), time.perf_counter() - start))
    return score(examples, predictions)


def pct(value: float | None) -> str:
    return "n/a" if value is None else f"{100 * value:.1f}%"


def table(results: dict[str, Report], langdetect: Report, meta: dict[str, dict]) -> str:
    names = list(results)
    groups = ["all", *VARIETIES]
    lines = [f"Held-out examples: {next(iter(results.values())).n}", ""]
    header = "| metric | variety | " + " | ".join(names) + " |"
    lines += [header, "|" + "---|" * (len(names) + 2)]
    for metric, attr in (
        ("intent accuracy", "intent_accuracy"),
        ("intent macro-F1", "intent_macro_f1"),
        ("entity recall", "entity_recall"),
    ):
        for group in groups:
            cells = [pct(getattr(results[n], attr).get(group)) for n in names]
            lines.append(f"| {metric} | {group} | " + " | ".join(cells) + " |")
    for group in groups:
        cells = [
            pct(results[n].language_accuracy.get(group))
            if results[n].language_accuracy.get(group) is not None
            else f"{pct(langdetect.language_accuracy.get(group))} (langdetect)"
            for n in names
        ]
        lines.append(f"| language id | {group} | " + " | ".join(cells) + " |")
    for key in ("p50", "p95"):
        cells = [f"{results[n].latency_ms[key]:.1f} ms" for n in names]
        lines.append(f"| parse latency {key} | all | " + " | ".join(cells) + " |")
    cells = [
        "reused" if meta[n]["train_seconds"] is None else f"{meta[n]['train_seconds']:.0f} s"
        for n in names
    ]
    lines.append("| training time | | " + " | ".join(cells) + " |")
    cells = [f"{meta[n]['model_mb']:.1f} MB" for n in names]
    lines.append("| model size | | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reuse", action="store_true", help="reuse models from an earlier run")
    parser.add_argument("--skip-default", action="store_true", help="only our pipeline")
    parser.add_argument("--heldout", default=str(ROOT / "tests" / "nlu" / "heldout.yml"))
    args = parser.parse_args(argv)

    examples = load_examples(args.heldout)
    configs = {"ours": ROOT / "config.yml"}
    if not args.skip_default:
        configs["rasa-default"] = default_config()

    results: dict[str, Report] = {}
    meta: dict[str, dict] = {}
    for name, config in configs.items():
        model, seconds = train(name, config, args.reuse)
        results[name] = evaluate_model(model, examples)
        meta[name] = {"train_seconds": seconds, "model_mb": model.stat().st_size / 1e6}
    langdetect = langdetect_report(examples)

    text = table(results, langdetect, meta)
    print(text)
    errors = results["ours"].errors
    print(f"\nMisclassified by ours ({len(errors)}):")
    for variety, message, gold, predicted in errors:
        print(f"  [{variety}] {message!r}: {gold} -> {predicted}")
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "nlu.md").write_text(text + "\n")
    (OUT / "nlu.json").write_text(
        json.dumps(
            {
                "results": {n: asdict(r) for n, r in results.items()},
                "langdetect": asdict(langdetect),
                "meta": meta,
            },
            ensure_ascii=False,
            indent=1,
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
