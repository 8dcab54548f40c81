"""Compare langdetect with nlu.langid on a labelled file in the contracts format.

Usage: python scripts/measure_langdetect.py [LABELLED.yml] [--train TRAIN.yml ...]

The labelled file defaults to tests/nlu/heldout.yml when it exists, else to the language-id
evaluation fixture. Our model is trained on --train files (default: data/nlu/*.yml when there
are labelled examples, else the training fixture). langdetect is seeded (DetectorFactory.seed
= 0); its codes map fr->fr, en->en, ar->ar, anything else is wrong (it has no Darija).
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter, defaultdict
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from nlu.langid import LanguageIdModel, load_examples  # noqa: E402

FIXTURES = ROOT / "tests" / "nlu" / "fixtures"
LANGDETECT_MAP = {"fr": "fr", "en": "en", "ar": "ar"}


def read_pairs(paths: list[Path]) -> list[tuple[str, str]]:
    """(text, variety) pairs of every labelled block in the files."""
    pairs: list[tuple[str, str]] = []
    for path in paths:
        pairs.extend(load_examples(yaml.safe_load(path.read_text(encoding="utf-8"))))
    return pairs


def langdetect_variety(text: str) -> tuple[str, str]:
    """(mapped variety or "wrong", raw langdetect code)."""
    from langdetect import DetectorFactory, detect
    from langdetect.lang_detect_exception import LangDetectException

    DetectorFactory.seed = 0
    try:
        code = detect(text)
    except LangDetectException:
        code = "none"
    return LANGDETECT_MAP.get(code, "wrong"), code


def main(argv: list[str] | None = None) -> int:
    """Print per-variety accuracy of both detectors and langdetect's Arabizi confusions."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    heldout = ROOT / "tests" / "nlu" / "heldout.yml"
    parser.add_argument(
        "labelled",
        nargs="?",
        type=Path,
        default=heldout if heldout.exists() else FIXTURES / "langid_eval.yml",
    )
    parser.add_argument("--train", type=Path, nargs="*", default=None)
    args = parser.parse_args(argv)

    train_paths = args.train
    if train_paths is None:
        project = sorted((ROOT / "data" / "nlu").glob("*.yml"))
        train_paths = project if read_pairs(project) else [FIXTURES / "langid_train.yml"]
    model = LanguageIdModel().fit(read_pairs(train_paths))
    test = read_pairs([args.labelled])
    print(f"labelled: {args.labelled} ({len(test)} examples)")
    print(f"trained on: {', '.join(str(p) for p in train_paths)}")

    total: Counter[str] = Counter()
    ours: Counter[str] = Counter()
    theirs: Counter[str] = Counter()
    confusions: dict[str, Counter[str]] = defaultdict(Counter)
    our_errors: list[tuple[str, str, str | None]] = []
    for text, variety in test:
        total[variety] += 1
        predicted = model.predict(text).variety
        if predicted == variety:
            ours[variety] += 1
        else:
            our_errors.append((variety, text, predicted))
        mapped, code = langdetect_variety(text)
        if mapped == variety:
            theirs[variety] += 1
        else:
            confusions[variety][code] += 1

    print(f"\n{'variety':8} {'n':>4} {'ours':>8} {'langdetect':>11}")
    for variety in ("fr", "ar", "ary", "en"):
        n = total[variety]
        if n:
            print(f"{variety:8} {n:4} {ours[variety] / n:8.1%} {theirs[variety] / n:11.1%}")
    n = sum(total.values())
    if n:
        print(f"{'all':8} {n:4} {sum(ours.values()) / n:8.1%} {sum(theirs.values()) / n:11.1%}")
    print("\nlangdetect's answers on misdetected examples, per variety:")
    for variety, counts in confusions.items():
        print(f"  {variety}: " + ", ".join(f"{c}={k}" for c, k in counts.most_common()))
    if our_errors:
        print("\nour errors:")
        for variety, text, predicted in our_errors:
            print(f"  {variety} -> {predicted}: {text}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
