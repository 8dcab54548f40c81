"""Registrations on a waiting list, and status notices queued for sending.

A registration's status may now be ``waitlisted`` (staff put it on the waiting list from the
console). A notifications_sent row may be ``pending``: a notice of a registration's new status
queued in the transaction that changed it, before it is claimed and sent.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02
"""

from __future__ import annotations

from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

#: The name 0001 gave the registrations' status check (the naming convention applied twice).
OLD_REGISTRATION_CHECK = "ck_registrations_ck_registrations_status"


def upgrade() -> None:
    with op.batch_alter_table("registrations") as batch:
        batch.drop_constraint(op.f(OLD_REGISTRATION_CHECK), type_="check")
        batch.create_check_constraint(
            "status", "status IN ('confirmed', 'waitlisted', 'cancelled')"
        )
    with op.batch_alter_table("notifications_sent") as batch:
        batch.drop_constraint(op.f("ck_notifications_sent_status"), type_="check")
        batch.create_check_constraint(
            "status", "status IN ('pending', 'claimed', 'sent', 'failed')"
        )


def downgrade() -> None:
    # Waiting-list registrations become cancelled ones, pending notices failed ones: the
    # older schema has no word for either.
    op.execute("UPDATE registrations SET status = 'cancelled' WHERE status = 'waitlisted'")
    op.execute("UPDATE notifications_sent SET status = 'failed' WHERE status = 'pending'")
    with op.batch_alter_table("notifications_sent") as batch:
        batch.drop_constraint(op.f("ck_notifications_sent_status"), type_="check")
        batch.create_check_constraint("status", "status IN ('claimed', 'sent', 'failed')")
    with op.batch_alter_table("registrations") as batch:
        batch.drop_constraint(op.f("ck_registrations_status"), type_="check")
        batch.create_check_constraint(
            op.f(OLD_REGISTRATION_CHECK), "status IN ('confirmed', 'cancelled')"
        )
