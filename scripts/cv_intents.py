"""Choose the intent classifier's settings by cross-validation on the TRAINING data only.

The held-out file (tests/nlu/heldout.yml) is never read here: settings tuned on it would
overstate accuracy on messages nobody has seen. For each candidate setting this trains the
classifier's vectorizers + logistic regression (the same code as nlu/intent_classifier.py) on
4/5 of data/nlu and scores the remaining fifth, stratified by intent and variety.

    .venv/bin/python scripts/cv_intents.py                 # the default grid
    .venv/bin/python scripts/cv_intents.py --folds 5 --c 10,20,40
    .venv/bin/python scripts/cv_intents.py --c 40 --char 1-5 --word 1-2 --negation

With --negation each setting is also scored after nlu/negation.py's flip of the predictions
(the pipeline's NegationFlipper), so the flip is kept only if cross-validation says it helps.
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--c", default="5,10,20,40")
    parser.add_argument("--char", default="2-5,1-5,2-6")
    parser.add_argument("--word", default="1-1,1-2,1-3")
    parser.add_argument("--negation", action="store_true", help="also score with the flip")
    args = parser.parse_args()

    import numpy as np
    from scipy.sparse import hstack
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold

    from nlu.evaluation import VARIETIES, load_examples
    from nlu.intent_classifier import ExporterIntentClassifier, prepare
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
    print(f"{len(examples)} examples, {len(set(labels))} intents, {args.folds} folds")
    splits = list(StratifiedKFold(args.folds, shuffle=True, random_state=13).split(texts, strata))

    def ranges(spec: str) -> list[tuple[int, int]]:
        return [tuple(int(x) for x in part.split("-")) for part in spec.split(",")]  # type: ignore[misc]

    base = ExporterIntentClassifier.get_default_config()
    rows = []
    for c, char, word in itertools.product(
        [float(x) for x in args.c.split(",")], ranges(args.char), ranges(args.word)
    ):
        config = {**base, "C": c, "char_ngram_range": list(char), "word_ngram_range": list(word)}
        clf = ExporterIntentClassifier(config, None, None)  # type: ignore[arg-type]
        correct: defaultdict[str, int] = defaultdict(int)
        flipped: defaultdict[str, int] = defaultdict(int)
        start = time.perf_counter()
        for train, test in splits:
            chars, words = clf._vectorizers()
            x_train = hstack(
                [
                    chars.fit_transform([texts[i] for i in train]),
                    words.fit_transform([texts[i] for i in train]),
                ]
            ).tocsr()
            x_test = hstack(
                [
                    chars.transform([texts[i] for i in test]),
                    words.transform([texts[i] for i in test]),
                ]
            ).tocsr()
            model = LogisticRegression(
                C=c, class_weight=config["class_weight"], max_iter=int(config["max_iter"])
            ).fit(x_train, labels[train])
            predicted = model.predict(x_test)
            hits = predicted == labels[test]
            after = np.array(
                [flipped_intent(p, negations[i]) or p for p, i in zip(predicted, test, strict=True)]
            )
            flip_hits = after == labels[test]
            correct["all"] += int(hits.sum())
            flipped["all"] += int(flip_hits.sum())
            for variety in VARIETIES:
                mask = varieties[test] == variety
                correct[variety] += int(hits[mask].sum())
                flipped[variety] += int(flip_hits[mask].sum())
        totals = {"all": len(examples), **{v: int((varieties == v).sum()) for v in VARIETIES}}
        accuracy = {k: correct[k] / totals[k] for k in totals}
        rows.append((accuracy["all"], c, char, word, accuracy))
        per = " ".join(f"{v} {accuracy[v]:.1%}" for v in VARIETIES)
        print(
            f"C={c:<5} char={char} word={word}: {accuracy['all']:.2%}  ({per})"
            f"  {time.perf_counter() - start:.0f} s",
            flush=True,
        )
        if args.negation:
            with_flip = {k: flipped[k] / totals[k] for k in totals}
            per = " ".join(f"{v} {with_flip[v]:.1%}" for v in VARIETIES)
            print(f"  with the negation flip: {with_flip['all']:.2%}  ({per})", flush=True)
    best = max(rows, key=lambda r: r[0])
    print(f"best: C={best[1]} char={best[2]} word={best[3]} -> {best[0]:.2%}")


if __name__ == "__main__":
    main()
