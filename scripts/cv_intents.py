"""Choose the intent classifier's settings by cross-validation on the TRAINING data only.

No test file (tests/nlu/heldout.yml, the frozen sets) is read here: settings tuned on them would
overstate accuracy on messages nobody has seen. For each candidate setting this fits the
classifier's features and linear model (the same code as the pipeline: nlu/intent_features.py)
on 4/5 of data/nlu and scores the remaining fifth, stratified by intent and variety. Each row
reports the accuracy of the top intent, after nlu/negation.py's flip (the pipeline's
NegationFlipper), and "kept": right AND confident enough to pass config.yml's FallbackClassifier
(threshold and ambiguity threshold), which is what a member sees.

    .venv/bin/python scripts/cv_intents.py                                  # the chosen settings
    .venv/bin/python scripts/cv_intents.py --model svm,logreg --c 1,40 --skeleton 2-5,none
"""

from __future__ import annotations

import argparse
import itertools
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def fallback_thresholds() -> tuple[float, float]:
    """The FallbackClassifier's threshold and ambiguity threshold in config.yml."""
    import yaml

    config = yaml.safe_load((ROOT / "config.yml").read_text(encoding="utf-8"))
    for component in config["pipeline"]:
        if component["name"] == "FallbackClassifier":
            return float(component["threshold"]), float(component["ambiguity_threshold"])
    return 0.0, 0.0


def ranges(spec: str) -> list[list[int]]:
    """ "1-5,2-6" -> [[1, 5], [2, 6]]; "none" -> [] (the block is off)."""
    return [[] if part == "none" else [int(x) for x in part.split("-")] for part in spec.split(",")]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--model", default="svm", help="svm, logreg or both")
    parser.add_argument("--c", default="1")
    parser.add_argument("--char", default="1-5")
    parser.add_argument("--word", default="1-2")
    parser.add_argument("--skeleton", default="2-5", help="n-gram range(s) or none")
    args = parser.parse_args()

    import numpy as np
    from sklearn.model_selection import StratifiedKFold

    from nlu.evaluation import VARIETIES, load_examples
    from nlu.intent_classifier import ExporterIntentClassifier
    from nlu.intent_features import blocks, features, fit_features, fit_linear, prepare, softmax
    from nlu.negation import flipped_intent, read_negation

    examples = [
        e for path in sorted((ROOT / "data" / "nlu").glob("*.yml")) for e in load_examples(path)
    ]
    texts = [prepare(e.text) for e in examples]
    labels = np.array([e.intent for e in examples])
    varieties = np.array([e.variety for e in examples])
    negations = [read_negation(e.text) for e in examples]
    strata = [f"{e.intent}|{e.variety}" for e in examples]
    # Strata too small for the fold count fall back to the intent alone.
    counts = Counter(strata)
    strata = [s if counts[s] >= args.folds else s.split("|")[0] for s in strata]
    threshold, ambiguity = fallback_thresholds()
    print(f"{len(examples)} examples, {len(set(labels))} intents, {args.folds} folds")
    splits = list(StratifiedKFold(args.folds, shuffle=True, random_state=13).split(texts, strata))
    totals = {"all": len(examples), **{v: int((varieties == v).sum()) for v in VARIETIES}}

    base = ExporterIntentClassifier.get_default_config()
    rows = []
    grid = itertools.product(
        args.model.split(","),
        [float(x) for x in args.c.split(",")],
        ranges(args.char),
        ranges(args.word),
        ranges(args.skeleton),
    )
    for model, c, char, word, skeleton in grid:
        config = {
            **base,
            "model": model,
            "C": c,
            "char_ngram_range": char,
            "word_ngram_range": word,
            "skeleton_ngram_range": skeleton,
        }
        top: defaultdict[str, int] = defaultdict(int)
        flipped: defaultdict[str, int] = defaultdict(int)
        kept: defaultdict[str, int] = defaultdict(int)
        start = time.perf_counter()
        for train, test in splits:
            found = blocks(config)
            x_train = fit_features(found, [texts[i] for i in train])
            linear = fit_linear(config, x_train, labels[train])
            scores = features(found, [texts[i] for i in test]) @ linear.coef.T + linear.intercept
            probabilities = softmax(np.asarray(scores), linear.temperature)
            ordered = np.sort(probabilities, axis=1)
            confident = (ordered[:, -1] >= threshold) & (
                ordered[:, -1] - ordered[:, -2] >= ambiguity
            )
            predicted = np.array(linear.classes)[probabilities.argmax(axis=1)]
            after = np.array(
                [flipped_intent(p, negations[i]) or p for p, i in zip(predicted, test, strict=True)]
            )
            for name, hits in (
                ("top", predicted == labels[test]),
                ("flip", after == labels[test]),
                ("kept", (after == labels[test]) & confident),
            ):
                tally = {"top": top, "flip": flipped, "kept": kept}[name]
                tally["all"] += int(hits.sum())
                for variety in VARIETIES:
                    tally[variety] += int(hits[varieties[test] == variety].sum())
        accuracy = {k: kept[k] / totals[k] for k in totals}
        rows.append((accuracy["all"], config))
        per = " ".join(f"{v} {accuracy[v]:.1%}" for v in VARIETIES)
        print(
            f"{model} C={c:g} char={char} word={word} skeleton={skeleton or 'off'}: "
            f"top {top['all'] / totals['all']:.2%}, flip {flipped['all'] / totals['all']:.2%}, "
            f"kept {accuracy['all']:.2%} ({per})  {time.perf_counter() - start:.0f} s",
            flush=True,
        )
    best = max(rows, key=lambda r: r[0])
    keys = ("model", "C", "char_ngram_range", "word_ngram_range", "skeleton_ngram_range")
    print("best (kept):", {k: best[1][k] for k in keys}, f"-> {best[0]:.2%}")


if __name__ == "__main__":
    main()
