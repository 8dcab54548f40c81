"""Channels: inbound de-duplication, last contact per user, notification delivery status.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "inbound_messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(30), nullable=False),
        sa.Column("external_id", sa.String(200), nullable=False),
        sa.Column(
            "received_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.PrimaryKeyConstraint("id", name="pk_inbound_messages"),
        sa.UniqueConstraint(
            "channel", "external_id", name="uq_inbound_messages_channel_external_id"
        ),
    )
    op.create_index("ix_inbound_messages_received_at", "inbound_messages", ["received_at"])
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("last_inbound_at", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("notifications_sent") as batch:
        batch.add_column(sa.Column("status", sa.String(20), server_default="sent", nullable=False))
        batch.add_column(sa.Column("attempts", sa.Integer(), server_default="0", nullable=False))
        batch.add_column(sa.Column("last_error", sa.Text(), nullable=True))
        batch.create_check_constraint("status", "status IN ('claimed', 'sent', 'failed')")


def downgrade() -> None:
    with op.batch_alter_table("notifications_sent") as batch:
        batch.drop_constraint(op.f("ck_notifications_sent_status"), type_="check")
        batch.drop_column("last_error")
        batch.drop_column("attempts")
        batch.drop_column("status")
    with op.batch_alter_table("users") as batch:
        batch.drop_column("last_inbound_at")
    op.drop_index("ix_inbound_messages_received_at", table_name="inbound_messages")
    op.drop_table("inbound_messages")
