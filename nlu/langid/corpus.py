"""The language identifier's reference corpus: plain messages of each variety, no intents.

``nlu/langid/corpus/<variety>.txt`` holds one message per line (fr, ar, ary_ar, ary_lat, en),
written to widen the vocabulary the identifier has seen in each variety, chiefly the everyday
words that tell Modern Standard Arabic from Darija and Arabizi from French in short messages.
The lines carry no intent and never reach the intent classifier; the identifier counts them
beside the NLU training examples (``LangIdConfig.corpus_count``).
"""

from __future__ import annotations

import functools
from pathlib import Path

from nlu.langid.labels import variety_from_label

CORPUS_DIR = Path(__file__).parent / "corpus"


@functools.cache
def corpus_examples(directory: Path = CORPUS_DIR) -> tuple[tuple[str, str], ...]:
    """(message, variety) pairs of the corpus, variety as the identifier names it (ar, ary...).

    A file whose name is not a variety label is skipped; blank lines and lines starting with
    "#" are skipped.
    """
    pairs: list[tuple[str, str]] = []
    for path in sorted(directory.glob("*.txt")):
        variety = variety_from_label(path.stem)
        if variety is None:
            continue
        for line in path.read_text(encoding="utf-8").splitlines():
            text = line.strip()
            if text and not text.startswith("#"):
                pairs.append((text, variety))
    return tuple(pairs)
