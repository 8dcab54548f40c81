"""kb.retention: every table of messages is pruned by age (the prune command: tests/admin)."""

from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy.orm import Session

from kb.handoff_live import add_line, transcript
from kb.handoffs import request_handoff
from kb.models import HandoffMessage, metadata
from kb.retention import MESSAGE_RECORDS, count_message_records, prune_message_records
from kb.users import get_or_create_user

#: Tables naming a channel identity that are kept until the member erases them.
KEPT_UNTIL_ERASED = {"users"}


def test_every_table_of_messages_has_a_retention() -> None:
    """A new table keyed by a channel identity is pruned by age, or said to be kept."""
    for table in metadata.sorted_tables:
        if "channel_user_id" in table.c and table.name not in KEPT_UNTIL_ERASED:
            assert table.name in MESSAGE_RECORDS, f"{table.name}: add it to MESSAGE_RECORDS"
    for name, column in MESSAGE_RECORDS.items():
        assert column in metadata.tables[name].c


def test_old_handoff_transcripts_are_pruned(session: Session) -> None:
    """A live handoff's transcript holds what the member wrote: pruned with the messages."""
    member = get_or_create_user(session, channel="telegram", channel_user_id="9")
    handoff_id = request_handoff(session, user_id=member.id, language="fr").handoff.id
    old = add_line(session, handoff_id=handoff_id, direction="member", text="ancien message")
    new = add_line(session, handoff_id=handoff_id, direction="member", text="message récent")
    session.get(HandoffMessage, old).created_at = datetime(2025, 1, 1, tzinfo=timezone.utc)  # type: ignore[union-attr]
    session.flush()
    cutoff = datetime(2025, 6, 1, tzinfo=timezone.utc)
    assert count_message_records(session, before=cutoff)["handoff_messages"] == 1
    while prune_message_records(session, before=cutoff, limit=10):
        pass
    assert [line.id for line in transcript(session, handoff_id=handoff_id)] == [new]
