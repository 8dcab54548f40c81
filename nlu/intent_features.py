"""The intent classifier's features and linear model, shared by the component and by
scripts/cv_intents.py (which chooses their settings by cross-validation on the training data).

Features: TF-IDF blocks over the entity-masked, normalised text (`prepare`): character n-grams
inside word boundaries, word n-grams, and character n-grams of the text's consonant skeleton
(nlu/skeleton.py, shared by Darija's two scripts). Model: a linear SVM (or a logistic
regression), whose scores become probabilities through a softmax with one temperature fitted on
out-of-fold scores of the training data (temperature scaling), so the FallbackClassifier's
thresholds keep their meaning.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any, NamedTuple

import numpy as np
from scipy.optimize import minimize_scalar
from scipy.sparse import csr_matrix, hstack
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold, cross_val_predict
from sklearn.svm import LinearSVC

from nlu.normalize import normalize_text
from nlu.skeleton import skeleton
from nlu.vocabulary.gazetteer import load_gazetteer

# The lookbehind starts a match only where a run of address characters starts: the same
# matches, but a long run without "@" is scanned once instead of once per character.
_EMAIL_RE = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_DIGITS_RE = re.compile(r"\+?\d[\d\s.-]{6,}\d")
_WORD_TOKEN = r"(?u)\b\w+\b"


def mask_entities(text: str) -> str:
    """Replace gazetteer hits, emails and long digit runs with placeholder words."""
    pieces = []
    cursor = 0
    for match in sorted(load_gazetteer().find_all(text), key=lambda m: m.start):
        if match.start < cursor:
            continue
        pieces.append(text[cursor : match.start])
        pieces.append(f" x{match.entity.replace('_', '')}x ")
        cursor = match.end
    pieces.append(text[cursor:])
    masked = "".join(pieces)
    masked = _EMAIL_RE.sub(" xemailx ", masked)
    return _DIGITS_RE.sub(" xnumberx ", masked)


def prepare(text: str) -> str:
    """The string the vectorizers see: entity-masked, then normalised."""
    return normalize_text(mask_entities(text))


def _same(text: str) -> str:
    return text


class Block(NamedTuple):
    """One block of features: its name, its vectorizer and the view of the prepared text."""

    name: str
    vectorizer: TfidfVectorizer
    view: Callable[[str], str]


def blocks(config: dict[str, Any]) -> list[Block]:
    """Fresh vectorizers for the config's blocks (the skeleton's is off when its range is [])."""

    def tfidf(analyzer: str, ngrams: Sequence[int]) -> TfidfVectorizer:
        return TfidfVectorizer(
            analyzer=analyzer,
            ngram_range=(int(ngrams[0]), int(ngrams[1])),
            token_pattern=_WORD_TOKEN if analyzer == "word" else None,
            sublinear_tf=True,
            lowercase=False,
            dtype=np.float32,
        )

    found = [
        Block("char", tfidf("char_wb", config["char_ngram_range"]), _same),
        Block("word", tfidf("word", config["word_ngram_range"]), _same),
    ]
    if config.get("skeleton_ngram_range"):
        found.append(Block("skeleton", tfidf("char_wb", config["skeleton_ngram_range"]), skeleton))
    return found


def fit_features(found: list[Block], prepared: list[str]) -> csr_matrix:
    """Fit every block on the prepared texts; their features side by side."""
    return hstack(
        [b.vectorizer.fit_transform([b.view(t) for t in prepared]) for b in found]
    ).tocsr()


def features(found: list[Block], prepared: list[str]) -> csr_matrix:
    """The features of prepared texts under fitted blocks."""
    return hstack([b.vectorizer.transform([b.view(t) for t in prepared]) for b in found]).tocsr()


class Linear(NamedTuple):
    """A fitted linear model: probabilities = softmax(temperature * (x @ coef.T + intercept))."""

    classes: list[str]
    coef: np.ndarray
    intercept: np.ndarray
    temperature: float


def _estimator(config: dict[str, Any]) -> LinearSVC | LogisticRegression:
    if config.get("model", "svm") == "svm":
        return LinearSVC(C=float(config["C"]), class_weight=config["class_weight"])
    return LogisticRegression(
        C=float(config["C"]),
        class_weight=config["class_weight"],
        max_iter=int(config["max_iter"]),
    )


def _temperature(scores: np.ndarray, truth: np.ndarray) -> float:
    """The softmax temperature minimising the log loss of out-of-fold scores."""

    def log_loss(t: float) -> float:
        z = scores * t
        z = z - z.max(axis=1, keepdims=True)
        picked = z[np.arange(len(truth)), truth]
        return float(-(picked - np.log(np.exp(z).sum(axis=1))).mean())

    return float(minimize_scalar(log_loss, bounds=(0.05, 50.0), method="bounded").x)


def fit_linear(config: dict[str, Any], x: csr_matrix, labels: Sequence[str]) -> Linear:
    """Fit the configured linear model; an SVM also gets its softmax temperature, fitted on
    3-fold out-of-fold scores of the same training data (the logistic regression keeps 1)."""
    y = np.asarray(labels)
    model = _estimator(config).fit(x, y)
    classes = [str(c) for c in model.classes_]
    temperature = 1.0
    counts = np.unique(y, return_counts=True)[1]
    if config.get("model", "svm") == "svm" and len(classes) > 2 and counts.min() >= 3:
        folds = StratifiedKFold(3, shuffle=True, random_state=13)
        scores = cross_val_predict(_estimator(config), x, y, cv=folds, method="decision_function")
        temperature = _temperature(scores, np.searchsorted(model.classes_, y))
    coef = np.atleast_2d(model.coef_).astype(np.float32)
    intercept = np.atleast_1d(model.intercept_).astype(np.float32)
    if len(classes) == 2:  # one row scores the second class: give each class its own
        coef, intercept = np.vstack([-coef, coef]), np.concatenate([-intercept, intercept])
    return Linear(classes, coef, intercept, temperature)


def softmax(scores: np.ndarray, temperature: float) -> np.ndarray:
    """Row-wise probabilities of linear scores at a temperature."""
    z = scores * temperature
    z = z - z.max(axis=1, keepdims=True)
    exp = np.exp(z)
    return exp / exp.sum(axis=1, keepdims=True)
