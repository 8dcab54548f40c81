"""Consent to the processing of personal data (law 09-08), recorded before anything is stored.

The users table already says whether and when a user consented; this adds which text they
accepted (a version id of the consent question) and the language it was shown in.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("consent_version", sa.String(40), nullable=True))
        batch.add_column(sa.Column("consent_language", sa.String(2), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.drop_column("consent_language")
        batch.drop_column("consent_version")
