"""Staff passwords: hashed with scrypt (memory-hard), stored as a self-describing string.

A hash reads ``scrypt$<n>$<r>$<p>$<salt, base64>$<key, base64>``, so the cost can be raised
later while old hashes still verify. Comparison is constant-time.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from typing import Final

#: scrypt's cost (2**15), block size and parallelism: 32 MiB and about 0.2 s of one core per hash.
N: Final = 2**15
R: Final = 8
P: Final = 1
SALT_BYTES: Final = 16
KEY_BYTES: Final = 32
MIN_LENGTH: Final = 12
MAX_LENGTH: Final = 1024
_SCHEME: Final = "scrypt"


class PasswordError(ValueError):
    """A password the console does not accept (too short, too long)."""


def check_strength(password: str) -> None:
    """PasswordError unless ``password`` has MIN_LENGTH to MAX_LENGTH characters."""
    if len(password) < MIN_LENGTH:
        raise PasswordError(f"the password must have at least {MIN_LENGTH} characters")
    if len(password) > MAX_LENGTH:
        raise PasswordError(f"the password must have at most {MAX_LENGTH} characters")


def _derive(password: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(
        password.encode("utf-8"),
        salt=salt,
        n=n,
        r=r,
        p=p,
        maxmem=2 * 128 * n * r * p,
        dklen=KEY_BYTES,
    )


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def hash_password(password: str) -> str:
    """The stored form of ``password`` with a fresh random salt."""
    salt = secrets.token_bytes(SALT_BYTES)
    key = _derive(password, salt, N, R, P)
    return f"{_SCHEME}${N}${R}${P}${_b64(salt)}${_b64(key)}"


def verify_password(password: str, stored: str) -> bool:
    """Whether ``password`` matches ``stored``; False for a malformed stored string."""
    try:
        scheme, n, r, p, salt, key = stored.split("$")
        if scheme != _SCHEME:
            return False
        expected = base64.b64decode(key, validate=True)
        actual = _derive(password, base64.b64decode(salt, validate=True), int(n), int(r), int(p))
    except (ValueError, OverflowError):
        return False
    return hmac.compare_digest(actual, expected)


def spend_verify_time(password: str) -> None:
    """Do the work of one verification for nothing (an unknown account takes as long)."""
    _derive(password, b"\0" * SALT_BYTES, N, R, P)
