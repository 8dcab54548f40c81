"""The registration form's questions and the pure functions that check each answer (the
contact fields' checks are the vocabulary's, shared with the NLU: nlu.vocabulary.contacts)."""

from __future__ import annotations

import re
from typing import Final

from nlu.vocabulary.canonical import is_sector

#: The form's questions, in order. Consent (law 09-08) comes before any personal data.
FORM_SLOTS: Final = (
    "event_slug",
    "consent",
    "company_name",
    "ice",
    "contact_name",
    "email",
    "phone",
    "sector",
    "registration_confirmed",
)
#: Slots cleared after the form ends (event_slug is kept: it is the event being discussed).
PERSONAL_SLOTS: Final = FORM_SLOTS[1:]

_LETTER_RE: Final = re.compile(r"[^\W\d_]")
_NAME_FORBIDDEN_RE: Final = re.compile(r"[\d@/\\{}<>#=]")


def clean_company_name(text: str | None) -> str | None:
    """A company name: 2 to 120 characters, at least one letter."""
    value = " ".join(str(text or "").split())
    if not 2 <= len(value) <= 120 or not _LETTER_RE.search(value):
        return None
    return value


def clean_person_name(text: str | None) -> str | None:
    """A contact person's name: letters (any script), 2 to 100 characters, no digits."""
    value = " ".join(str(text or "").split())
    if not 2 <= len(value) <= 100 or _NAME_FORBIDDEN_RE.search(value):
        return None
    return value if len(_LETTER_RE.findall(value)) >= 2 else None


def sector_from_text(text: str | None) -> str | None:
    """A canonical sector from a value or a phrase ("agro", "الصناعات الغذائية", "BTP")."""
    if not text:
        return None
    value = str(text).strip()
    if is_sector(value):
        return value
    from nlu.vocabulary.gazetteer import load_gazetteer

    gazetteer = load_gazetteer()
    found = gazetteer.lookup("sector", value)
    if found:
        return found
    hits = [m.value for m in gazetteer.find_all(value) if m.entity == "sector"]
    return hits[0] if hits else None
