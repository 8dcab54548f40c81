"""What the logs may say about a person: a short reference, never the id, name or number.

Logs at INFO and above carry no message text, phone number, e-mail, ICE or name. A user
appears as ``user_ref(id)``: a keyed hash, the same for one id within a deployment (so a
log can be followed), which cannot be turned back into the phone number it came from.
"""

from __future__ import annotations

import hashlib
import secrets
from functools import lru_cache

from core import settings


@lru_cache(maxsize=1)
def _key() -> bytes:
    secret = settings.current().console_secret
    return secret.encode("utf-8") if secret else secrets.token_bytes(32)


def user_ref(user_id: object) -> str:
    """``u:`` and 10 hex digits of a keyed hash of ``user_id`` (a conversation or platform id)."""
    digest = hashlib.blake2b(str(user_id).encode("utf-8"), key=_key(), digest_size=5)
    return "u:" + digest.hexdigest()
