"""Inbound messages kept until answered, and the replies sent for them.

``inbound_messages`` held only the ids of messages already handled; it now keeps each message
from its arrival (``pending``, with what is needed to answer it) until its replies were handed
to the platform (``done``), with the lease of the process answering it. The rows already there
were handled: they are marked ``done``. ``outbox_replies`` holds a message's replies (their
content until it is done) and how many of their parts were delivered;
``notifications_sent.parts_sent`` the same for an alert.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("inbound_messages") as batch:
        batch.add_column(sa.Column("channel_user_id", sa.String(100), nullable=True))
        batch.add_column(
            sa.Column("status", sa.String(10), server_default="pending", nullable=False)
        )
        batch.add_column(sa.Column("payload", sa.Text(), nullable=True))
        batch.add_column(sa.Column("attempts", sa.Integer(), server_default="0", nullable=False))
        batch.add_column(sa.Column("lease_owner", sa.String(100), nullable=True))
        batch.add_column(sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("done_at", sa.DateTime(timezone=True), nullable=True))
        batch.create_check_constraint("status", "status IN ('pending', 'done', 'failed')")
    # Every id stored so far belongs to a message that was handled.
    op.execute("UPDATE inbound_messages SET status = 'done', done_at = received_at")
    op.create_index(
        "ix_inbound_messages_waiting",
        "inbound_messages",
        ["status", "channel", "channel_user_id"],
    )
    op.create_table(
        "outbox_replies",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("inbound_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("content", sa.Text(), nullable=True),
        sa.Column("parts_sent", sa.Integer(), server_default="0", nullable=False),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["inbound_id"],
            ["inbound_messages.id"],
            name="fk_outbox_replies_inbound_id_inbound_messages",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_outbox_replies"),
        sa.UniqueConstraint("inbound_id", "position", name="uq_outbox_replies_inbound_id_position"),
    )
    with op.batch_alter_table("notifications_sent") as batch:
        batch.add_column(sa.Column("parts_sent", sa.Integer(), server_default="0", nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("notifications_sent") as batch:
        batch.drop_column("parts_sent")
    op.drop_table("outbox_replies")
    op.drop_index("ix_inbound_messages_waiting", table_name="inbound_messages")
    with op.batch_alter_table("inbound_messages") as batch:
        batch.drop_constraint(op.f("ck_inbound_messages_status"), type_="check")
        batch.drop_column("done_at")
        batch.drop_column("lease_until")
        batch.drop_column("lease_owner")
        batch.drop_column("attempts")
        batch.drop_column("payload")
        batch.drop_column("status")
        batch.drop_column("channel_user_id")
