"""The language identifier: script first, then a per-word vote inside the script.

- Arabic script: ``ar`` (Modern Standard Arabic) or ``ary`` (Darija);
- Latin script: ``fr``, ``en`` or ``ary`` (Arabizi: Darija in Latin letters, digits for letters).

A hint (the user's Telegram language, or the previous turn's variety) only breaks near-ties on
very short messages. The model is plain dictionaries: it persists as JSON.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from nlu.langid.corpus import corpus_examples
from nlu.langid.features import (
    arabic_words,
    detection_text,
    latin_words,
    without_acronyms_and_names,
)
from nlu.langid.labels import ARABIC_CLASSES, LATIN_CLASSES, hint_variety
from nlu.langid.lexicons import (
    VOCABULARY,
    WHOLE_MESSAGE,
    common_latin_words,
    lexicons,
    squeeze,
    without_place_homonyms,
)
from nlu.langid.script_model import LangIdConfig, ScriptModel
from nlu.normalize import count_letters, normalize_text
from nlu.vocabulary.canonical import VARIETIES

FORMAT_VERSION = 1


@dataclass(frozen=True)
class LangIdResult:
    """A detected variety; ``variety`` is None when the text has no letters."""

    variety: str | None
    script: str  # "arab", "latin" or "none"
    confidence: float


def _softmax(logits: Sequence[float]) -> list[float]:
    top = max(logits)
    exps = [math.exp(v - top) for v in logits]
    total = sum(exps)
    return [e / total for e in exps]


def _code_switched(script: str, minority: Sequence[str]) -> bool:
    """Whether the minority script's words show Darija code-switching.

    Arabic words (two letters or more) inside a Latin-script message, or a common French,
    English or Arabizi word inside an Arabic-script one (whose acronyms in capitals, "ASMEX",
    "EUR.1", were dropped before reading: ``LangIdConfig.drop_acronyms``).
    """
    if script == "latin":
        return any(len(word) >= 2 for word in minority)
    common = common_latin_words()
    return any(word in common for word in minority)


_MA = "\u0645\u0627"  # ما
_SHIN = "\u0634"  # ش


def join_negation(words: Sequence[str], script: str) -> list[str]:
    """Darija's negation ma...sh written in two words ("ما بغيتش", "ma bghitch") joined into one
    ("مابغيتش", "mabghitch"), which the lexicon reads as Darija; MSA's "ما" (what, not) and
    French "ma" before other words are left alone."""
    ma, endings, shortest = (_MA, (_SHIN,), 3) if script == "arab" else ("ma", ("ch", "sh"), 4)
    joined: list[str] = []
    skip = False
    for i, word in enumerate(words):
        if skip:
            skip = False
            continue
        following = words[i + 1] if i + 1 < len(words) else ""
        if word == ma and len(following) >= shortest and following.endswith(endings):
            joined.append(ma + following)
            skip = True
        else:
            joined.append(word)
    return joined


def _readable(text: str, config: LangIdConfig) -> str:
    """The text the identifier reads (without Latin acronyms and names in Arabic-script text)."""
    return without_acronyms_and_names(text) if config.drop_acronyms else text


def _count_example(
    models: Mapping[str, ScriptModel], config: LangIdConfig, text: str, variety: str, count: int
) -> None:
    """Count one labelled message: its Arabic-script words in the Arabic model for ar/ary,
    its Latin words in the Latin model for fr/en/ary."""
    normalized = normalize_text(_readable(text, config))
    if variety in ARABIC_CLASSES:
        models["arab"].add(arabic_words(normalized), variety, count)
    if variety in LATIN_CLASSES:
        models["latin"].add(latin_words(normalized), variety, count)


@functools.lru_cache(maxsize=8)
def _untrained_models(config: LangIdConfig) -> dict[str, ScriptModel]:
    """The counts every model starts from: the marker lexicons and the common vocabulary, each
    word ``lexicon_pseudo_count`` times, and the reference corpus, each line ``corpus_count``
    times. Built once per configuration and never modified (models copy them)."""
    models = {
        "arab": ScriptModel("arab", ARABIC_CLASSES, config),
        "latin": ScriptModel("latin", LATIN_CLASSES, config),
    }
    for script, model in models.items():
        for cls, words in lexicons(script).items():
            model.add(words, cls, config.lexicon_pseudo_count)
    for key, vocabulary in VOCABULARY.items():
        cls = "ary" if key == "ary_ar" else key
        script = "arab" if key in ("ar", "ary_ar") else "latin"
        models[script].add(
            [normalize_text(w) for w in vocabulary], cls, config.lexicon_pseudo_count
        )
    if config.corpus_count > 0:
        for text, variety in corpus_examples():
            _count_example(models, config, text, variety, config.corpus_count)
    return models


class LanguageIdModel:
    """Detects fr / ar / ary / en; usable untrained (lexicons only), better once fitted."""

    def __init__(
        self, config: LangIdConfig | None = None, models: dict[str, ScriptModel] | None = None
    ) -> None:
        """An untrained model (marker lexicons and reference corpus), or the given models."""
        self.config = config or LangIdConfig()
        self._models: dict[str, ScriptModel] = models or {}
        if models is None:
            self._reset()

    def _reset(self) -> None:
        """Back to the untrained counts, copied from the ones built once per configuration."""
        self._models = {}
        for script, base in _untrained_models(self.config).items():
            model = ScriptModel(script, base.classes, self.config)
            for cls in base.classes:
                model.char_counts[cls].update(base.char_counts[cls])
                model.word_counts[cls].update(base.word_counts[cls])
            model.compile()
            self._models[script] = model

    def _add_example(self, text: str, variety: str, count: int = 1) -> None:
        _count_example(self._models, self.config, text, variety, count)

    def fit(self, examples: Iterable[tuple[str, str]]) -> LanguageIdModel:
        """Train on (text, variety) pairs; varieties outside fr/ar/ary/en are skipped.

        Arabic-script words train the Arabic model only for ar/ary examples, Latin words the
        Latin model only for fr/en/ary examples (a country name in Latin letters inside an
        Arabic sentence says nothing about French).
        """
        self._reset()
        for text, variety in examples:
            if variety not in VARIETIES or not text:
                continue
            self._add_example(text, variety)
        for model in self._models.values():
            model.compile()
        return self

    def _readable(self, text: str) -> str:
        """The text the identifier reads: `_readable`."""
        return _readable(text, self.config)

    def _script_logits(
        self, script: str, words: Sequence[str]
    ) -> tuple[tuple[str, ...], list[float]]:
        model = self._models[script]
        if script == "latin":
            words = without_place_homonyms(list(words))
        if self.config.split_negation:
            words = join_negation(words, script)
        logits = model.logits(words)
        if script == "latin":
            joined = squeeze(" ".join(words))
            forced = WHOLE_MESSAGE.get(joined)
            if forced in model.classes:
                idx = model.classes.index(forced)
                logits[idx] += self.config.max_word_vote
        return model.classes, logits

    def _decide(
        self,
        classes: Sequence[str],
        logits: Sequence[float],
        n_words: int,
        hint: str | None,
    ) -> tuple[str, float]:
        probs = _softmax(logits)
        best = max(range(len(classes)), key=lambda i: (logits[i], -i))
        if (
            hint in classes
            and n_words <= self.config.hint_max_words
            and logits[best] - logits[classes.index(hint)] < self.config.hint_margin
        ):
            best = classes.index(hint)
        return classes[best], probs[best]

    def predict(self, text: str | None, hint: str | None = None) -> LangIdResult:
        """Detect the variety of a message.

        Args:
            text: the user's message, raw.
            hint: a language code ("fr", "ar", "en", "ary", "fr-FR"...) used only to break
                near-ties on messages of at most ``hint_max_words`` words.

        Returns:
            The variety (None when the text has no letters: emoji, digits, empty), the
            dominant script and the probability of the chosen variety.
        """
        normalized = detection_text(self._readable(text or ""))
        arabic, latin = count_letters(normalized)
        if arabic == 0 and latin == 0:
            return LangIdResult(None, "none", 0.0)
        script = "arab" if arabic >= latin else "latin"
        words = arabic_words(normalized) if script == "arab" else latin_words(normalized)
        classes, logits = self._script_logits(script, words)
        variety, confidence = self._decide(classes, logits, len(words), hint_variety(hint, script))
        minority = latin_words(normalized) if script == "arab" else arabic_words(normalized)
        if variety != "ary" and len(minority) >= 2:
            other = "latin" if script == "arab" else "arab"
            other_classes, other_logits = self._script_logits(other, minority)
            other_variety, other_confidence = self._decide(
                other_classes, other_logits, len(minority), None
            )
            if other_variety == "ary" and other_confidence >= 0.9:
                variety, confidence = "ary", other_confidence
        if variety != "ary" and self.config.code_switch and _code_switched(script, minority):
            variety, confidence = "ary", self.config.code_switch_confidence
        return LangIdResult(variety, script, round(confidence, 4))

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready model (counts and configuration)."""
        return {
            "version": FORMAT_VERSION,
            "config": dict(self.config.__dict__),
            "models": {s: m.to_dict() for s, m in self._models.items()},
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> LanguageIdModel:
        """Rebuild a model saved with ``to_dict``."""
        if data.get("version") != FORMAT_VERSION:
            raise ValueError(f"unsupported language-id model version {data.get('version')!r}")
        config = LangIdConfig(**data["config"])
        models = {s: ScriptModel.from_dict(s, m, config) for s, m in data["models"].items()}
        return cls(config, models)
