"""What a member's message may hold once it is received: no NUL, no control characters.

A message comes from a platform or the REST channel with whatever bytes a client put in it.
NUL and the other control characters carry no meaning in a chat message, and PostgreSQL
cannot store a NUL in a text column (psycopg2 refuses the whole statement), so one NUL would
fail the turn, the form's answer or the registration it belongs to. ``clean_text`` keeps
tabs and line breaks, turns a lone UTF-16 surrogate (JSON allows ``"\\ud800"``; it cannot be
written as UTF-8) into U+FFFD, and drops the rest of C0 and C1.
"""

from __future__ import annotations

import re
from typing import Final

#: C0 and C1 control characters but tab, line feed and carriage return; DEL.
_CONTROL: Final = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
#: Half of a UTF-16 pair, alone.
_LONE_SURROGATE: Final = re.compile("[\ud800-\udfff]")


def clean_text(text: str) -> str:
    """``text`` without control characters (tabs and line breaks kept), lone surrogates
    replaced by U+FFFD."""
    return _LONE_SURROGATE.sub("\ufffd", _CONTROL.sub("", text))
