"""The registrations' CSV export, shared by ``export-registrations`` and the staff console:
its columns, and rows whose every cell is escaped so spreadsheets never run it as a formula
(kb.files.csv_safety)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from typing import Final

from kb.files.csv_safety import safe_cell
from kb.views import RegistrationView

#: The export's columns, in order.
REGISTRATION_COLUMNS: Final = (
    "event_slug",
    "event_title",
    "company_name",
    "ice",
    "contact_name",
    "email",
    "phone",
    "sector",
    "status",
    "created_at",
)


def registration_cells(r: RegistrationView) -> list[str]:
    """One registration as escaped cells, in REGISTRATION_COLUMNS order."""
    return [
        safe_cell(value)
        for value in (
            r.event_slug,
            r.event_title.fr,
            r.company_name,
            r.ice,
            r.contact_name,
            r.email,
            r.phone,
            r.sector,
            r.status,
            r.created_at.isoformat(timespec="seconds") if r.created_at else None,
        )
    ]


def registrations_csv(rows: Iterable[RegistrationView]) -> str:
    """The CSV text of the export: a header, then one line per registration."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(REGISTRATION_COLUMNS)
    writer.writerows(registration_cells(r) for r in rows)
    return buffer.getvalue()
