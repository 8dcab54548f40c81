"""A staff reply is held by one sender while it is delivered (``handoff_messages.claimed_until``).

With several Rasa workers each running the retry sweep, two could send the same failed reply;
the claim (kb.reply_delivery.claim_reply) makes one of them leave it alone.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("handoff_messages") as batch:
        batch.add_column(sa.Column("claimed_until", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("handoff_messages") as batch:
        batch.drop_column("claimed_until")
