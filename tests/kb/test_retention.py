"""kb.retention: every table of messages is pruned by age (the prune command: tests/admin)."""

from __future__ import annotations

from kb.models import metadata
from kb.retention import MESSAGE_RECORDS

#: Tables naming a channel identity that are kept until the member erases them.
KEPT_UNTIL_ERASED = {"users"}


def test_every_table_of_messages_has_a_retention() -> None:
    """A new table keyed by a channel identity is pruned by age, or said to be kept."""
    for table in metadata.sorted_tables:
        if "channel_user_id" in table.c and table.name not in KEPT_UNTIL_ERASED:
            assert table.name in MESSAGE_RECORDS, f"{table.name}: add it to MESSAGE_RECORDS"
    for name, column in MESSAGE_RECORDS.items():
        assert column in metadata.tables[name].c
