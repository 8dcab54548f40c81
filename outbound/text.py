"""Message text for the channels: splitting under a platform's length limit, and shortening.

Telegram counts a message's length in UTF-16 code units; WhatsApp and Twilio in characters.
Counting UTF-16 units is the stricter of the two, so one splitter serves every channel.
"""

from __future__ import annotations

from typing import Final

#: Telegram's message limit (UTF-16 units) and WhatsApp's text body limit (characters).
MAX_MESSAGE: Final = 4096
#: Where split_text prefers to cut, best first: paragraphs, lines, sentences, words. The
#: number is how many characters of the separator stay at the end of the first chunk.
_BREAKS: Final = (
    (("\n\n",), 0),
    (("\n",), 0),
    ((". ", "! ", "? ", "\u061f "), 1),  # \u061f: the Arabic question mark
    ((" ",), 0),
)


def utf16_units(text: str) -> int:
    """Length of ``text`` as Telegram counts it."""
    return len(text.encode("utf-16-le")) // 2


def _prefix_end(text: str, limit: int) -> int:
    """Index where the longest prefix of ``text`` within ``limit`` UTF-16 units ends."""
    units = 0
    for index, char in enumerate(text):
        units += 2 if ord(char) > 0xFFFF else 1
        if units > limit:
            return index
    return len(text)


def _cut(text: str, end: int) -> int:
    """Where to cut ``text`` at or before ``end``: the best boundary in its second half."""
    if end >= len(text):
        return end
    window = text[: end + 1]  # a separator may start right after the longest prefix
    for separators, kept in _BREAKS:
        position = max(window.rfind(separator) for separator in separators)
        if position > end // 2:
            return position + kept
    return end


def split_text(text: str, limit: int = MAX_MESSAGE) -> list[str]:
    """Split a message into chunks of at most ``limit`` UTF-16 units, at paragraph, line,
    sentence or word ends.

    Cuts fall between code points, so a character outside the BMP (a surrogate pair in
    UTF-16) is never split; a word longer than the limit is cut where it must be.
    """
    chunks = []
    rest = text.strip()
    while rest:
        end = max(1, _cut(rest, _prefix_end(rest, limit)))
        chunk, rest = rest[:end].rstrip(), rest[end:].lstrip()
        if chunk:
            chunks.append(chunk)
    return chunks


def truncate(text: str, limit: int) -> str:
    """``text`` on one line cut to ``limit`` characters, ending with an ellipsis when cut."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
