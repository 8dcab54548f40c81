"""One script's share of the language identifier: naive Bayes counts plus lexicon votes.

A word's vote adds up three kinds of evidence: a character 1-4-gram naive Bayes model and a
word naive Bayes model, both trained on labelled examples, and the marker lexicons of
``nlu.langid.lexicons``. Each word votes with bounded strength, so one long French loan word
cannot outvote the Darija function words around it.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from nlu.langid.features import char_ngrams
from nlu.langid.lexicons import lexicon_votes
from nlu.normalize import arabizi_words


@dataclass(frozen=True)
class LangIdConfig:
    """Weights of the evidence; the defaults are tuned for one- to twenty-word messages."""

    max_n: int = 4  # longest character n-gram
    char_alpha: float = 0.1  # additive smoothing of character n-gram counts
    word_alpha: float = 0.1  # additive smoothing of word counts
    char_weight: float = 1.5  # multiplies a word's mean character log-likelihood
    word_weight: float = 0.25  # multiplies a known word's log-likelihood
    lexicon_weight: float = 2.0  # vote of a fr/en/ar marker word
    darija_lexicon_weight: float = 6.0  # vote of a Darija-only marker word: Darija writers mix
    # in French and MSA words, French and MSA writers never write "dyal", "kayn" or "ديال"
    arabizi_weight: float = 5.0  # vote for ary when digits stand for letters (l3am, 7na)
    darija_cooccurrence_bonus: float = 3.0  # for each Darija marker word after the first:
    # two Darija markers in one message are decisive, whatever French or MSA surrounds them
    max_learned_vote: float = 2.5  # bound on the trained (n-gram and word) part of a vote
    max_word_vote: float = 8.0  # bound on how much one word can separate two varieties
    lexicon_pseudo_count: int = 2  # times each marker word is added to the training counts
    corpus_count: int = 1  # times each line of the reference corpus (nlu/langid/corpus) is
    # added to the training counts; 0 leaves the corpus out
    code_switch: bool = True  # a message mixing Arabic-script words with French, English or
    # Arabizi words is Darija: MSA writers add only acronyms and brands, fr/en writers no Arabic
    code_switch_confidence: float = 0.9  # confidence given to that reading
    drop_acronyms: bool = True  # Latin acronyms and names ("ASMEX", "Made in Africa") in an
    # Arabic-script message are in no language
    split_negation: bool = True  # read Darija's negation written apart ("ما بغيتش") as one word
    hint_max_words: int = 3  # a hint is only used on messages this short...
    hint_margin: float = 2.6  # ...and when the winner leads the hinted variety by less: more
    # than the learned part of one word's vote (max_learned_vote), which the reference corpus
    # can skew for a name or "ok", less than a marker word's


class ScriptModel:
    """Naive Bayes counts of character n-grams and words for the classes of one script."""

    def __init__(self, script: str, classes: Sequence[str], config: LangIdConfig) -> None:
        self.script = script
        self.classes = tuple(classes)
        self.config = config
        self.char_counts: dict[str, Counter[str]] = {c: Counter() for c in self.classes}
        self.word_counts: dict[str, Counter[str]] = {c: Counter() for c in self.classes}
        self._char_table: dict[str, tuple[float, ...]] = {}
        self._char_unseen: tuple[float, ...] = ()
        self._word_table: dict[str, tuple[float, ...]] = {}

    def add(self, words: Iterable[str], cls: str, count: int = 1) -> None:
        """Add the words of one example of class ``cls``."""
        for word in words:
            self.word_counts[cls][word] += count
            for gram in char_ngrams(word, self.config.max_n):
                self.char_counts[cls][gram] += count

    def compile(self) -> None:
        """Turn counts into log-probability tables (called after training and loading)."""
        self._char_table, self._char_unseen = self._log_table(
            self.char_counts, self.config.char_alpha
        )
        self._word_table, _ = self._log_table(self.word_counts, self.config.word_alpha)

    def _log_table(
        self, counts: Mapping[str, Counter[str]], alpha: float
    ) -> tuple[dict[str, tuple[float, ...]], tuple[float, ...]]:
        vocabulary = set().union(*(counts[c].keys() for c in self.classes))
        size = max(len(vocabulary), 1)
        denominators = [sum(counts[c].values()) + alpha * size for c in self.classes]
        table = {
            item: tuple(
                math.log((counts[c].get(item, 0) + alpha) / d)
                for c, d in zip(self.classes, denominators, strict=True)
            )
            for item in vocabulary
        }
        unseen = tuple(math.log(alpha / d) for d in denominators)
        return table, unseen

    def word_vote(self, word: str) -> list[float]:
        """Evidence of one word for each class, centred on the best and bounded below."""
        cfg = self.config
        k = len(self.classes)
        grams = char_ngrams(word, cfg.max_n)
        sums = [0.0] * k
        for gram in grams:
            row = self._char_table.get(gram, self._char_unseen)
            for i in range(k):
                sums[i] += row[i]
        scores = [cfg.char_weight * s / max(len(grams), 1) for s in sums]
        word_row = self._word_table.get(word)
        if word_row is not None:
            scores = [s + cfg.word_weight * w for s, w in zip(scores, word_row, strict=True)]
        learned_best = max(scores)
        scores = [max(s - learned_best, -cfg.max_learned_vote) for s in scores]
        lex = lexicon_votes(word, self.script)
        shared = sum(1 for v in lex.values() if v) > 1
        scores = [
            s
            + lex.get(c, 0.0)
            * (cfg.darija_lexicon_weight if c == "ary" and not shared else cfg.lexicon_weight)
            for s, c in zip(scores, self.classes, strict=True)
        ]
        if self.script == "latin" and arabizi_words(word):
            scores = [
                s + (cfg.arabizi_weight if c == "ary" else 0.0)
                for s, c in zip(scores, self.classes, strict=True)
            ]
        best = max(scores)
        return [max(s - best, -cfg.max_word_vote) for s in scores]

    def logits(self, words: Sequence[str]) -> list[float]:
        """Summed word votes of a message, plus the Darija co-occurrence bonus."""
        totals = [0.0] * len(self.classes)
        for word in words:
            for i, vote in enumerate(self.word_vote(word)):
                totals[i] += vote
        markers = sum(1 for word in words if self.is_darija_marker(word))
        if markers > 1:
            ary = self.classes.index("ary")
            totals[ary] += self.config.darija_cooccurrence_bonus * (markers - 1)
        return totals

    def is_darija_marker(self, word: str) -> bool:
        """True for a Darija-only marker word or an Arabizi word."""
        votes = lexicon_votes(word, self.script)
        if votes["ary"] and not any(v for c, v in votes.items() if c != "ary"):
            return True
        return self.script == "latin" and bool(arabizi_words(word))

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready counts."""
        return {
            "classes": list(self.classes),
            "char_counts": {c: dict(v) for c, v in self.char_counts.items()},
            "word_counts": {c: dict(v) for c, v in self.word_counts.items()},
        }

    @classmethod
    def from_dict(cls, script: str, data: Mapping[str, Any], config: LangIdConfig) -> ScriptModel:
        """Rebuild from ``to_dict`` output."""
        model = cls(script, data["classes"], config)
        for c in model.classes:
            model.char_counts[c].update(data["char_counts"].get(c, {}))
            model.word_counts[c].update(data["word_counts"].get(c, {}))
        model.compile()
        return model
