"""Blocs: regional and economic blocs and their member countries (data/kb/blocs.yml).

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "blocs",
        sa.Column("code", sa.String(20), nullable=False),
        sa.Column("name_fr", sa.Text(), nullable=False),
        sa.Column("name_ar", sa.Text(), nullable=False),
        sa.Column("name_en", sa.Text(), nullable=False),
        sa.Column("members", sa.JSON(), nullable=False),
        sa.Column("url", sa.Text(), nullable=True),
        sa.Column("source_id", sa.String(100), nullable=True),
        sa.ForeignKeyConstraint(
            ["source_id"], ["sources.id"], name="fk_blocs_source_id_sources", ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("code", name="pk_blocs"),
    )


def downgrade() -> None:
    op.drop_table("blocs")
