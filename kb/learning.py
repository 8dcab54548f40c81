"""The learning loop: the messages the NLU did not understand or was unsure about, grouped,
counted and masked, for staff and developers to turn into training data.

One function, ``not_understood``, behind both doors: the admin command ``review-nlu`` (a
review file in Rasa's NLU format) and the console's analytics page. It reads the tracker
store through kb.conversations (members who erased their data left out), skips button
payloads and the messages a person handled during a handoff, and masks e-mail addresses,
phone numbers and ICEs (nlu.vocabulary.contacts) before anything is grouped or shown.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final

from sqlalchemy.engine import Connection

from kb.conversations import UserMessage, user_messages
from nlu.normalize import normalize_text
from nlu.vocabulary.contacts import find_contacts

#: Intents that say the NLU did not understand (FallbackClassifier's, and the domain's).
NOT_UNDERSTOOD_INTENTS: Final = frozenset({"nlu_fallback", "out_of_scope"})
#: A top intent below this confidence is "unsure" (the command's --threshold).
DEFAULT_THRESHOLD: Final = 0.6
#: What replaces each contact field in a message.
MASKS: Final = {"email": "<email>", "phone": "<phone>", "ice": "<ice>"}
#: Digit runs find_contacts does not take for a valid number (8 digits or more, grouped or
#: not): masked too, a mistyped phone number or ICE is still one.
_LONG_NUMBER_RE: Final = re.compile(r"(?<!\w)\+?\d(?:[ .\-]?\d){7,}(?!\w)")
_NUMBER_MASK: Final = "<number>"
#: Text that may hold a contact field: an "@" or six digits (any script) close together.
_MAY_HOLD_CONTACT_RE: Final = re.compile(r"@|(?:\d[^\d]?){6}")
#: What grouping ignores beside normalize_text's differences: punctuation.
_PUNCTUATION_RE: Final = re.compile(r"[^\w<>]+")


@dataclass(frozen=True)
class ReviewGroup:
    """Messages that read the same once masked and normalised, and what the NLU made of them."""

    #: The masked text written most often in the group (shown, and written to the review file).
    text: str
    count: int
    #: The intent to propose to the reviewer: the best guess other than nlu_fallback.
    guess: str
    #: ``not_understood`` (a fallback or out-of-scope intent) or ``unsure`` (low confidence).
    reason: str
    #: Mean confidence of the top intent over the group.
    confidence: float
    #: The intents ranked first, with their mean confidence, most frequent first.
    intents: tuple[tuple[str, float], ...]
    #: The languages the messages were written in, with their counts, most frequent first.
    languages: tuple[tuple[str, int], ...]
    #: When the latest message of the group arrived (seconds since the epoch).
    last_seen: float


def mask_contacts(text: str) -> str:
    """``text`` with e-mail addresses, phone numbers, ICEs and other long numbers masked."""
    if not _MAY_HOLD_CONTACT_RE.search(text):
        return text
    masked = text
    for contact in sorted(find_contacts(text), key=lambda c: c.start, reverse=True):
        masked = masked[: contact.start] + MASKS[contact.kind] + masked[contact.end :]
    return _LONG_NUMBER_RE.sub(_NUMBER_MASK, masked)


def group_key(text: str) -> str:
    """What messages of one group share: their normalised words, punctuation left out."""
    return _PUNCTUATION_RE.sub(" ", normalize_text(text)).strip()


def reason_for(message: UserMessage, *, threshold: float) -> str | None:
    """Why the message belongs in the review (``not_understood``, ``unsure``), or None."""
    if message.is_payload or message.by_person:
        return None
    if message.intent is None or message.intent in NOT_UNDERSTOOD_INTENTS:
        return "not_understood"
    if message.confidence is None or message.confidence < threshold:
        return "unsure"
    return None


def _guess(message: UserMessage) -> str:
    for name, _confidence in message.ranking:
        if name != "nlu_fallback":
            return name
    if message.intent and message.intent != "nlu_fallback":
        return message.intent
    return "out_of_scope"


def group_messages(
    messages: Iterable[UserMessage], *, threshold: float, limit: int | None = None
) -> list[ReviewGroup]:
    """The review's groups, the largest first (then the latest; at most ``limit``)."""
    members: defaultdict[str, list[tuple[UserMessage, str, str]]] = defaultdict(list)
    seen: dict[str, tuple[str, str]] = {}  # a text masked and keyed once, however often sent
    for message in messages:
        reason = reason_for(message, threshold=threshold)
        if reason is None:
            continue
        if message.text not in seen:
            masked = mask_contacts(message.text).strip()
            seen[message.text] = (masked, group_key(masked))
        masked, key = seen[message.text]
        if key:
            members[key].append((message, masked, reason))
    ranked = sorted(
        members.items(),
        key=lambda kv: (-len(kv[1]), -max(m.timestamp for m, _t, _r in kv[1]), kv[0]),
    )
    return [_group(items) for _key, items in ranked[:limit]]


def _group(items: list[tuple[UserMessage, str, str]]) -> ReviewGroup:
    texts = Counter(masked for _m, masked, _r in items)
    guesses = Counter(_guess(m) for m, _t, _r in items)
    reasons = Counter(reason for _m, _t, reason in items)
    languages = Counter(m.language or "?" for m, _t, _r in items)
    top: defaultdict[str, list[float]] = defaultdict(list)
    for message, _t, _r in items:
        top[message.intent or "?"].append(message.confidence or 0.0)
    intents = sorted(top.items(), key=lambda kv: (-len(kv[1]), kv[0]))
    return ReviewGroup(
        text=texts.most_common(1)[0][0],
        count=len(items),
        guess=guesses.most_common(1)[0][0],
        reason="not_understood" if reasons["not_understood"] else "unsure",
        confidence=sum(m.confidence or 0.0 for m, _t, _r in items) / len(items),
        intents=tuple((name, sum(c) / len(c)) for name, c in intents),
        languages=tuple(languages.most_common()),
        last_seen=max(m.timestamp for m, _t, _r in items),
    )


def not_understood(
    connection: Connection,
    *,
    since: float,
    threshold: float = DEFAULT_THRESHOLD,
    limit: int | None = None,
) -> list[ReviewGroup]:
    """The messages stored from ``since`` (seconds since the epoch) that the NLU did not
    understand or read with a top confidence under ``threshold``, grouped, the largest first
    (at most ``limit`` groups)."""
    messages = user_messages(connection, since=since)
    return group_messages(messages, threshold=threshold, limit=limit)
