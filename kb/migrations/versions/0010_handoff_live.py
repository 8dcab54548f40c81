"""Live handoff: a person takes the conversation, replies, hands it back, the member rates it.

``handoffs`` gains the status ``taken``, who took it (``taken_by``), when the first staff reply
left (``first_reply_at``), when it was closed (``closed_at``), the member's rating (1 to 5) and
how a REST member can be reached (``contact``); ``users`` gains the member's own region. The
``handoff_messages`` table keeps the transcript: the member's messages while a person holds the
conversation, staff replies with their delivery status, and system notes.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

#: The name 0001 gave the handoffs' status check (the naming convention applied twice).
OLD_HANDOFF_CHECK = "ck_handoffs_ck_handoffs_status"


def upgrade() -> None:
    with op.batch_alter_table("handoffs") as batch:
        batch.drop_constraint(op.f(OLD_HANDOFF_CHECK), type_="check")
        batch.create_check_constraint("status", "status IN ('open', 'taken', 'closed')")
        batch.add_column(sa.Column("taken_by", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("first_reply_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("rating", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("contact", sa.Text(), nullable=True))
        batch.create_check_constraint("rating", "rating IS NULL OR rating BETWEEN 1 AND 5")
        batch.create_foreign_key(
            "fk_handoffs_taken_by_staff_accounts",
            "staff_accounts",
            ["taken_by"],
            ["id"],
            ondelete="SET NULL",
        )
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("region", sa.String(50), nullable=True))
    op.create_table(
        "handoff_messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("handoff_id", sa.Integer(), nullable=False),
        sa.Column("direction", sa.String(10), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=True),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column("delivery_status", sa.String(10), server_default="none", nullable=False),
        sa.Column("attempts", sa.Integer(), server_default="0", nullable=False),
        sa.Column("last_error", sa.String(200), nullable=True),
        sa.CheckConstraint(
            "direction IN ('member', 'staff', 'system')", name="ck_handoff_messages_direction"
        ),
        sa.CheckConstraint(
            "delivery_status IN ('none', 'pending', 'sent', 'failed')",
            name="ck_handoff_messages_delivery_status",
        ),
        sa.ForeignKeyConstraint(
            ["handoff_id"],
            ["handoffs.id"],
            name="fk_handoff_messages_handoff_id_handoffs",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["staff_id"],
            ["staff_accounts.id"],
            name="fk_handoff_messages_staff_id_staff_accounts",
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_handoff_messages"),
    )
    op.create_index("ix_handoff_messages_handoff_id", "handoff_messages", ["handoff_id"])


def downgrade() -> None:
    op.drop_index("ix_handoff_messages_handoff_id", table_name="handoff_messages")
    op.drop_table("handoff_messages")
    with op.batch_alter_table("users") as batch:
        batch.drop_column("region")
    # A taken handoff becomes an open one: the older schema has no word for it.
    op.execute("UPDATE handoffs SET status = 'open' WHERE status = 'taken'")
    with op.batch_alter_table("handoffs") as batch:
        batch.drop_constraint("fk_handoffs_taken_by_staff_accounts", type_="foreignkey")
        batch.drop_constraint(op.f("ck_handoffs_rating"), type_="check")
        batch.drop_column("contact")
        batch.drop_column("rating")
        batch.drop_column("closed_at")
        batch.drop_column("first_reply_at")
        batch.drop_column("taken_by")
        batch.drop_constraint(op.f("ck_handoffs_status"), type_="check")
        batch.create_check_constraint(op.f(OLD_HANDOFF_CHECK), "status IN ('open', 'closed')")
