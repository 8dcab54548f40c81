"""NLU benchmark: our pipeline against Rasa's default one, on the evaluation sets.

Trains both on data/nlu (NLU only), then reports on each set (tests/nlu/frozen8/eval.yml, the
frozen set nothing was chosen on; sets 7 to 3, scored before; tests/nlu/heldout.yml):
intent accuracy and macro-F1 per variety, entity recall, language-id accuracy per variety and
where its errors went (langdetect stands in for the default pipeline, which has no language id),
parse latency p50/p95, training time and model size. Writes bench/out/nlu.md and
bench/out/nlu.json. Only aggregates are printed: the sets' messages never are (a frozen set that
has been read is no longer a measure).

A trained model is kept in bench/cache/, keyed by what it was trained from (the config, the
training data, the Rasa version and, for ours, the code of nlu/): the default pipeline's ~50
minutes of training are redone only when one of those changes.

    make bench-nlu                       # both pipelines (trained, or reused from the cache)
    python scripts/bench_nlu.py --retrain    # train again even when the cache has the model
    python scripts/bench_nlu.py --skip-default
"""

from __future__ import annotations

import argparse
import hashlib
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
CACHE = ROOT / "bench" / "cache"
SETS = {
    "frozen set 8": ROOT / "tests" / "nlu" / "frozen8" / "eval.yml",
    "frozen set 7 (scored in run 12)": ROOT / "tests" / "nlu" / "frozen7" / "eval.yml",
    "frozen set 6 (scored in run 11)": ROOT / "tests" / "nlu" / "frozen6" / "eval.yml",
    "frozen set 5 (scored in run 10)": ROOT / "tests" / "nlu" / "frozen5" / "eval.yml",
    "frozen set 4 (scored in run 9)": ROOT / "tests" / "nlu" / "frozen4" / "eval.yml",
    "frozen set 3 (seen)": ROOT / "tests" / "nlu" / "frozen3" / "eval.yml",
    "held-out": ROOT / "tests" / "nlu" / "heldout.yml",
}


def default_config() -> Path:
    """The config.yml that `rasa init` writes (its pipeline is Rasa's default one)."""
    import rasa

    return Path(rasa.__file__).parent / "cli" / "initial_project" / "config.yml"


def config_content(config: Path) -> str:
    """What a config file says, as the cache key sees it. `rasa train` rewrites the config it
    is given when the pipeline is left to its defaults (Rasa's own `rasa init` config): it adds
    a random `assistant_id` and the default pipeline as comments. Hashing the bytes, the first
    training changed the key of the model it had just trained; the parsed content without
    `assistant_id` stays the same."""
    import yaml

    content = yaml.safe_load(config.read_text(encoding="utf-8")) or {}
    if isinstance(content, dict):
        content.pop("assistant_id", None)
    return json.dumps(content, sort_keys=True, default=str)


def fingerprint(name: str, config: Path) -> str:
    """What a model is trained from: config, training data, Rasa's version, and for ours the
    code of nlu/ (its components, lexicons and the language identifier's reference corpus).
    Any change gives another key, so another training."""
    import rasa

    digest = hashlib.sha256(f"{name}|rasa {rasa.__version__}|".encode())
    digest.update(config_content(config).encode())
    files = sorted((ROOT / "data" / "nlu").glob("*.yml"))
    if name == "ours":
        files += sorted(p for p in (ROOT / "nlu").rglob("*") if p.suffix in (".py", ".yml", ".txt"))
    for path in files:
        digest.update(
            str(path.relative_to(ROOT) if path.is_relative_to(ROOT) else path.name).encode()
        )
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def train(name: str, config: Path, retrain: bool) -> tuple[Path, dict]:
    """Train an NLU-only model, or reuse the cached one trained from the same inputs; return
    its path and how it was trained (seconds, date, whether it came from the cache)."""
    key = fingerprint(name, config)
    model = CACHE / f"{name}-{key}.tar.gz"
    record = model.with_suffix("").with_suffix(".json")
    if model.exists() and record.exists() and not retrain:
        return model, {**json.loads(record.read_text()), "cached": True}
    CACHE.mkdir(parents=True, exist_ok=True)
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
            str(CACHE),
            "--fixed-model-name",
            model.name.removesuffix(".tar.gz"),
        ],
        cwd=ROOT,
        check=True,
        env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2", "RASA_CACHE_DIRECTORY": cache},
        stdout=subprocess.DEVNULL,
    )
    info = {
        "train_seconds": round(time.perf_counter() - start, 1),
        "trained_on": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "key": key,
    }
    shutil.rmtree(cache, ignore_errors=True)
    record.write_text(json.dumps(info))
    return model, {**info, "cached": False}


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


def table(title: str, results: dict[str, Report], langdetect: Report) -> list[str]:
    names = list(results)
    groups = ["all", *VARIETIES]
    lines = [f"### {title} ({next(iter(results.values())).n} messages)", ""]
    lines += ["| metric | variety | " + " | ".join(names) + " |", "|" + "---|" * (len(names) + 2)]
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
    for group in groups:
        cells = [pct(results[n].reply_language_accuracy.get(group)) for n in names]
        lines.append(f"| reply language | {group} | " + " | ".join(cells) + " |")
    cells = [
        ", ".join(f"{k} {v}" for k, v in results[n].language_confusion.items()) or "-"
        for n in names
    ]
    lines.append("| language-id errors | all | " + " | ".join(cells) + " |")
    for key in ("p50", "p95"):
        cells = [f"{results[n].latency_ms[key]:.1f} ms" for n in names]
        lines.append(f"| parse latency {key} | all | " + " | ".join(cells) + " |")
    return [*lines, ""]


def summary(report: Report) -> dict:
    """The report's figures without its misclassified messages (never written out)."""
    figures = asdict(report)
    figures["errors"] = len(figures["errors"])
    return figures


def model_lines(meta: dict[str, dict]) -> list[str]:
    names = list(meta)
    lines = ["| model | " + " | ".join(names) + " |", "|" + "---|" * (len(names) + 1)]
    cells = [
        f"{m['train_seconds']:.0f} s"
        + (f" (cached, trained {m['trained_on']})" if m["cached"] else "")
        for m in meta.values()
    ]
    lines.append("| training time | " + " | ".join(cells) + " |")
    lines.append(
        "| model size | " + " | ".join(f"{m['model_mb']:.1f} MB" for m in meta.values()) + " |"
    )
    lines.append("| trained from (key) | " + " | ".join(m["key"] for m in meta.values()) + " |")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--retrain", action="store_true", help="train even if cached")
    parser.add_argument("--skip-default", action="store_true", help="only our pipeline")
    parser.add_argument(
        "--set", action="append", help="an evaluation file (repeatable) instead of the default sets"
    )
    args = parser.parse_args(argv)

    sets = {Path(p).name: Path(p) for p in args.set} if args.set else SETS
    configs = {"ours": ROOT / "config.yml"}
    if not args.skip_default:
        configs["rasa-default"] = default_config()

    models: dict[str, Path] = {}
    meta: dict[str, dict] = {}
    for name, config in configs.items():
        models[name], meta[name] = train(name, config, args.retrain)
        meta[name]["model_mb"] = models[name].stat().st_size / 1e6
    lines: list[str] = []
    reports: dict[str, dict] = {}
    for title, path in sets.items():
        examples = load_examples(path)
        results = {name: evaluate_model(model, examples) for name, model in models.items()}
        langdetect = langdetect_report(examples)
        lines += table(title, results, langdetect)
        reports[title] = {
            "results": {n: summary(r) for n, r in results.items()},
            "langdetect": asdict(langdetect),
        }
    lines += model_lines(meta)
    text = "\n".join(lines)
    print(text)
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "nlu.md").write_text(text + "\n")
    (OUT / "nlu.json").write_text(
        json.dumps({"sets": reports, "meta": meta}, ensure_ascii=False, indent=1)
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
