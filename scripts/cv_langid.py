"""Choose the language identifier's settings by cross-validation on the TRAINING data only.

No test file (tests/nlu/heldout.yml, the frozen sets) is read here. For each candidate setting
this fits ``nlu.langid.LanguageIdModel`` (the pipeline's own code) on 4/5 of data/nlu and
identifies the remaining fifth, stratified by variety, without a channel hint (the frozen sets
are scored without one). A row gives the accuracy overall and per variety (fr, ar, ary_ar,
ary_lat, en), and with --errors where the errors went and how often the detection gives the
reply language the variety should get (Arabic for MSA and Darija in Arabic script, French for
French and Arabizi: nlu.vocabulary.canonical.language_from_detection, as action_set_language).

    .venv/bin/python scripts/cv_langid.py                                 # the present settings
    .venv/bin/python scripts/cv_langid.py --set char_weight=2,3,4 --set max_n=4,5
"""

from __future__ import annotations

import argparse
import itertools
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def parse_grid(specs: list[str]) -> dict[str, list[object]]:
    """ "char_weight=2,3" -> {"char_weight": [2.0, 3.0]} (ints stay ints, true/false booleans)."""

    def value(text: str) -> object:
        if text in ("true", "false"):
            return text == "true"
        try:
            return int(text)
        except ValueError:
            return float(text)

    grid: dict[str, list[object]] = {}
    for spec in specs:
        name, _, values = spec.partition("=")
        grid[name.strip()] = [value(v.strip()) for v in values.split(",")]
    return grid


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--set", action="append", default=[], help="NAME=V1,V2 (LangIdConfig)")
    parser.add_argument("--errors", action="store_true", help="print where errors went")
    args = parser.parse_args()

    from sklearn.model_selection import StratifiedKFold

    from nlu.evaluation import REPLY_LANGUAGE, VARIETIES, VARIETY_LANGUAGE, load_examples
    from nlu.langid import LangIdConfig, LanguageIdModel
    from nlu.vocabulary.canonical import language_from_detection

    examples = [
        e for path in sorted((ROOT / "data" / "nlu").glob("*.yml")) for e in load_examples(path)
    ]
    texts = [e.text for e in examples]
    labels = [e.variety for e in examples]
    splits = list(StratifiedKFold(args.folds, shuffle=True, random_state=13).split(texts, labels))
    totals = Counter(labels)
    print(
        f"{len(examples)} examples, {args.folds} folds: "
        + ", ".join(f"{v} {totals[v]}" for v in VARIETIES)
    )
    grid = parse_grid(args.set)
    rows = []
    for values in itertools.product(*grid.values()):
        overrides = dict(zip(grid.keys(), values, strict=True))
        config = LangIdConfig(**overrides)
        right: Counter[str] = Counter()
        replied: Counter[str] = Counter()  # detections giving the variety's reply language
        wrong: Counter[tuple[str, str | None]] = Counter()
        start = time.perf_counter()
        for train, test in splits:
            model = LanguageIdModel(config).fit(
                (texts[i], VARIETY_LANGUAGE[labels[i]]) for i in train
            )
            for i in test:
                result = model.predict(texts[i])
                found = result.variety
                if language_from_detection(found, result.script) == REPLY_LANGUAGE[labels[i]]:
                    replied[labels[i]] += 1
                if found == VARIETY_LANGUAGE[labels[i]]:
                    right[labels[i]] += 1
                else:
                    wrong[(labels[i], found)] += 1
        accuracy = sum(right.values()) / len(examples)
        rows.append((accuracy, overrides))
        per = " ".join(f"{v} {right[v] / totals[v]:.1%}" for v in VARIETIES)
        print(
            f"{overrides or 'present settings'}: {accuracy:.2%} ({per})  "
            f"{time.perf_counter() - start:.0f} s",
            flush=True,
        )
        if args.errors:
            reply = " ".join(f"{v} {replied[v] / totals[v]:.1%}" for v in VARIETIES)
            print(f"   reply language: {sum(replied.values()) / len(examples):.2%} ({reply})")
            print("   errors: " + ", ".join(f"{a}->{b} {n}" for (a, b), n in wrong.most_common()))
    best = max(rows, key=lambda r: r[0])
    print("best:", best[1] or "present settings", f"-> {best[0]:.2%}")


if __name__ == "__main__":
    main()
