"""Language identification for short chat messages: French, Arabic (MSA), Darija, English.

Script first, then a per-word vote inside the script (``model``): Arabic script is ``ar`` or
``ary``, Latin script ``fr``, ``en`` or ``ary`` (Arabizi). A word's vote (``script_model``)
adds up a character n-gram and a word naive Bayes model, trained on labelled examples
(``labels``), and hand-written marker lexicons (``lexicons``: function words, chat
abbreviations, Arabizi digits), read from the words of each script (``features``). The
lexicons alone already give a usable model, which the training data then sharpens.
"""

from nlu.langid.labels import (
    LABEL_TO_VARIETY,
    hint_variety,
    language_code,
    load_examples,
    strip_annotations,
    variety_from_label,
)
from nlu.langid.model import LangIdResult, LanguageIdModel
from nlu.langid.script_model import LangIdConfig
from nlu.vocabulary.canonical import VARIETIES

__all__ = [
    "LABEL_TO_VARIETY",
    "VARIETIES",
    "LangIdConfig",
    "LangIdResult",
    "LanguageIdModel",
    "hint_variety",
    "language_code",
    "load_examples",
    "strip_annotations",
    "variety_from_label",
]
