"""Negation: mark negated messages and flip a positive intent the classifier still picked.

The intent classifier learns negated phrasings from the training data ("je ne veux plus les
alertes" is `unsubscribe_alerts`), but a negation it has not seen may still come out as the
positive intent. This component runs after it and, when the message is negated, turns

- `subscribe_alerts` into `unsubscribe_alerts` ("I don't want the alerts", "ma bghitch
  notifications");
- `register_mission` into `cancel_registration` when the member gives up something ("je ne
  veux plus participer", "ما بقيتش باغي نمشي", "I don't want to register any more"), else into
  `deny` (a plain refusal: "ma bghitch nsjl", "لا أريد التسجيل");
- `send_my_data` into `deny` ("ne m'envoyez pas mes données", docs/intents.md).

It never flips the other way, and it leaves messages alone that say the member *cannot* do
something or did not receive something ("je n'arrive pas à m'inscrire", "ما وصلونيش
التنبيهات"): those still ask for the positive. Every parse result gets `negated` (true/false).
Negation cues in French, English, MSA, Darija in Arabic script (ما ...ش) and Arabizi
(ma ...ch) are matched on the normalised text (nlu.normalize).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Final

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from nlu.normalize import normalize_text

NEGATED: Final = "negated"


def _any(*patterns: str) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{p})" for p in patterns))


# French and English: ne/n', pas, jamais; not, n't, never, no longer.
_LATIN_NEGATION: Final = _any(
    r"\bn['\u2019]", r"\bne\b", r"\bpas\b", r"\bjamais\b", r"\bplus (?:besoin|envie)\b",
    r"\bnot\b", r"n['\u2019]t\b", r"\b(?:dont|doesnt|didnt|wont|cant|isnt)\b", r"\bnever\b",
    r"\bno (?:longer|more)\b",
    # Arabizi: ma + verb + ch ("ma bghitch", "mab9itch", "ma tsiftouch"), machi.
    r"\bma ?(?!r+a?kech\b)[a-z0-9]{2,}(?:ch|sh|chi|shi)\b", r"\bmachi\b", r"\bmashi\b",
)  # fmt: skip
# MSA: لا لم لن ليس; Darija: ما + verb + ش ("ما بغيتش", "مابقيتش"), ماشي.
_ARABIC_NEGATION: Final = _any(
    r"(?:^|\s)(?:لا|لم|لن|ليس|لست|لسنا|لسنا)(?=\s|$)",
    r"(?:^|\s)ما ?\S{2,}ش(?:ي)?(?=\s|$|[؟?!.,،])",
    r"(?:^|\s)م[^\sا]\S+ش(?=\s|$|[؟?!.,،])",
    r"(?:^|\s)ماشي(?=\s|$)",
)
# Giving up something one had or wanted: "plus", "any more", لم أعد, ما بقيتش, ma b9itch.
_CESSATION: Final = _any(
    r"\b(?:n['\u2019]|ne)\b.*\bplus\b",
    r"\b(?:veux|voudrais|souhaite|souhaitons|voulons|interesse|interesses|interessee)\s+plus\b",
    r"\bplus (?:besoin|envie|interesse)\b", r"\bfinalement\b",
    r"\bany ?more\b", r"\bno (?:longer|more)\b", r"\bany longer\b", r"\bchanged my mind\b",
    r"(?:^|\s)(?:لم|ما) ?(?:اعد|نعد|عدت|عدنا)(?=\s|$)", r"بعد (?:الان|اليوم)",
    r"بقيت|بقاش|بقيناش|بقاتش|باقيش",
    r"(?:b9it|bqit|bkit|ba9i|baqi|b9ach|b9inach|b9a\b|b9aw)",
)  # fmt: skip
# "I cannot / did not receive": the member still wants the positive.
_INABILITY: Final = _any(
    r"\barrive (?:pas|plus)\b", r"\bpeux (?:pas|plus)\b", r"\bparviens pas\b", r"\bmarche pas\b",
    r"\bfonctionne pas\b", r"\b(?:pas|plus|rien|jamais) recu", r"\brecoi[st] (?:pas|plus|rien)\b",
    r"\bcan['\u2019]?t\b", r"\bcannot\b", r"\bunable\b", r"\bcouldn['\u2019]?t\b",
    r"\b(?:not|never|didn't|didnt|haven't|havent) (?:receive|received|receiving|get|got|getting)\b",
    r"\bnot working\b",
    r"لا (?:استطيع|يمكنني|اتمكن|اتلقي|اتوصل|تصلني)", r"لم (?:استطع|اتمكن|اتلق|اتوصل|تصلني|يصلني)",
    r"قدرتش|قديتش|وصلونيش|وصلنيش|وصلاتنيش|كيوصلونيش|خدامش|كيخدمش|كتخدمش",
    r"\bma ?(?:[9qk]dertch|[9qk]ditch|wsl\w*ch|kaywsl\w*ch|khdamch|kaykhdmch)\b",
)  # fmt: skip

#: Positive intent -> (its negation, its negation when the member gives something up).
FLIPS: Final[dict[str, tuple[str, str]]] = {
    "subscribe_alerts": ("unsubscribe_alerts", "unsubscribe_alerts"),
    "register_mission": ("deny", "cancel_registration"),
    "send_my_data": ("deny", "deny"),
}


@dataclass(frozen=True)
class Negation:
    """What the cues of one message say."""

    negated: bool
    cessation: bool
    inability: bool


def read_negation(text: str) -> Negation:
    """The negation, cessation and inability cues of a message (any variety)."""
    norm = normalize_text(text or "")
    negated = bool(_LATIN_NEGATION.search(norm) or _ARABIC_NEGATION.search(norm))
    return Negation(
        negated=negated,
        cessation=negated and bool(_CESSATION.search(norm)),
        inability=bool(_INABILITY.search(norm)),
    )


def flipped_intent(intent: str | None, negation: Negation) -> str | None:
    """The intent a negated message means when the classifier picked ``intent``, or None."""
    if intent not in FLIPS or not negation.negated or negation.inability:
        return None
    plain, giving_up = FLIPS[intent]
    return giving_up if negation.cessation else plain


def _reranked(ranking: list[dict[str, Any]], old: str, new: str) -> list[dict[str, Any]]:
    """The ranking with ``new`` taking the confidence of ``old`` (the top) and vice versa."""
    confidences = {r["name"]: float(r["confidence"]) for r in ranking}
    top = confidences.get(old, 0.0)
    confidences[old], confidences[new] = confidences.get(new, 0.0), top
    ordered = sorted(confidences.items(), key=lambda item: -item[1])
    return [{"name": name, "confidence": conf} for name, conf in ordered][: max(len(ranking), 1)]


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class NegationFlipper(GraphComponent, IntentClassifier):
    """Marks negated messages; flips subscribe/register/send-data when negated (see module)."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        """The component's default config."""
        return {
            # Flip the classifier's positive intent on a negated message (else only mark it).
            "flip": True,
        }

    def __init__(self, config: dict[str, Any]) -> None:
        self._flip = bool({**self.get_default_config(), **config}["flip"])

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> NegationFlipper:
        """Creates the component (nothing to train or load)."""
        return cls(config)

    def process(self, messages: list[Message]) -> list[Message]:
        """Set `negated`, and flip the intent of negated positive requests."""
        for message in messages:
            negation = read_negation(message.get(TEXT) or "")
            message.set(NEGATED, negation.negated, add_to_output=True)
            intent = message.get(INTENT) or {}
            new = flipped_intent(intent.get("name"), negation) if self._flip else None
            if new is None:
                continue
            old = str(intent["name"])
            ranking = message.get(INTENT_RANKING_KEY) or [intent]
            ranking = _reranked(list(ranking), old, new)
            message.set(INTENT, ranking[0], add_to_output=True)
            message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)
        return messages
