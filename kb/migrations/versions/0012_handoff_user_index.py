"""Index a member's handoffs by status (``ix_handoffs_user_id_status``).

bot/extensions/handoff_hold.py asks, on every member message and before NLU runs, whether a
person holds the conversation (kb.handoff_live.held_handoff). Without an index the database
scanned every handoff: 7.9 ms per message with 50,000 handoffs on SQLite
(scripts/bench_handoff_hold.py, docs/benchmarks.md).

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03
"""

from __future__ import annotations

from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_handoffs_user_id_status", "handoffs", ["user_id", "status"])


def downgrade() -> None:
    op.drop_index("ix_handoffs_user_id_status", table_name="handoffs")
