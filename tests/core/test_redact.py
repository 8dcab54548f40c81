"""core.redact: a user in the logs is a keyed reference, not their id."""

from __future__ import annotations

import re

from core.redact import user_ref


def test_a_reference_is_stable_short_and_hides_the_id() -> None:
    phone = "+212612345678"
    reference = user_ref(phone)
    assert re.fullmatch(r"u:[0-9a-f]{10}", reference)
    assert user_ref(phone) == reference
    assert user_ref("+212612345679") != reference
    assert "612345678" not in reference and "2126" not in reference
    assert user_ref(f"whatsapp:{phone}") != reference
