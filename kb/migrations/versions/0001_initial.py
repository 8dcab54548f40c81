"""Initial schema: knowledge base, events, users, registrations, alerts, handoffs.

Revision ID: 0001
Revises:
Create Date: 2025-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def _texts(prefix: str, *, nullable: bool = False) -> list[sa.Column]:
    return [
        sa.Column(f"{prefix}_{lang}", sa.Text(), nullable=nullable) for lang in ("fr", "ar", "en")
    ]


def _created_at(name: str = "created_at") -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False)


def _source_fk(table: str, name: str = "source_id") -> list:
    return [
        sa.Column(name, sa.String(100), nullable=True),
        sa.ForeignKeyConstraint(
            [name], ["sources.id"], name=f"fk_{table}_{name}_sources", ondelete="SET NULL"
        ),
    ]


def upgrade() -> None:
    op.create_table(
        "sources",
        sa.Column("id", sa.String(100), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("publisher", sa.Text(), nullable=True),
        sa.Column("published", sa.Date(), nullable=True),
        sa.Column("seed_file", sa.Text(), nullable=True),
        sa.Column("url", sa.Text(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_sources"),
    )
    op.create_table(
        "events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(100), nullable=False),
        sa.Column("type", sa.String(20), nullable=False),
        *_texts("title"),
        *_texts("description", nullable=True),
        sa.Column("country", sa.String(2), nullable=False),
        sa.Column("city", sa.Text(), nullable=True),
        sa.Column("venue", sa.Text(), nullable=True),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=False),
        sa.Column("sectors", sa.JSON(), nullable=False),
        sa.Column("organizer", sa.Text(), nullable=False),
        sa.Column("registration_url", sa.Text(), nullable=True),
        sa.Column("registration_deadline", sa.Date(), nullable=True),
        sa.Column("fee_mad", sa.Integer(), nullable=True),
        sa.Column("capacity", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(20), server_default="open", nullable=False),
        sa.Column("sample", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        *_source_fk("events"),
        _created_at(),
        _created_at("updated_at"),
        sa.CheckConstraint(
            "type IN ('mission', 'fair', 'forum', 'webinar', 'delegation')", name="ck_events_type"
        ),
        sa.CheckConstraint("status IN ('open', 'closed', 'cancelled')", name="ck_events_status"),
        sa.CheckConstraint("end_date >= start_date", name="ck_events_dates"),
        sa.PrimaryKeyConstraint("id", name="pk_events"),
        sa.UniqueConstraint("slug", name="uq_events_slug"),
    )
    op.create_index("ix_events_country", "events", ["country"])
    op.create_index("ix_events_start_date", "events", ["start_date"])

    op.create_table(
        "markets",
        sa.Column("country", sa.String(2), nullable=False),
        *_texts("name"),
        sa.Column("aliases", sa.JSON(), nullable=False),
        sa.Column("blocs", sa.JSON(), nullable=False),
        sa.Column("agreements", sa.JSON(), nullable=False),
        sa.Column("sectors", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("country", name="pk_markets"),
    )
    op.create_table(
        "market_facts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("market", sa.String(2), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        *_texts("text"),
        *_source_fk("market_facts"),
        sa.ForeignKeyConstraint(
            ["market"],
            ["markets.country"],
            name="fk_market_facts_market_markets",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_market_facts"),
        sa.UniqueConstraint("market", "position", name="uq_market_facts_market_position"),
    )
    op.create_table(
        "agreements",
        sa.Column("code", sa.String(50), nullable=False),
        *_texts("name"),
        sa.Column("aliases", sa.JSON(), nullable=False),
        *_texts("summary"),
        sa.Column("countries", sa.JSON(), nullable=False),
        sa.Column("blocs", sa.JSON(), nullable=False),
        sa.Column("url", sa.Text(), nullable=True),
        *_source_fk("agreements"),
        sa.PrimaryKeyConstraint("code", name="pk_agreements"),
    )
    op.create_table(
        "procedures",
        sa.Column("code", sa.String(100), nullable=False),
        sa.Column("topic", sa.String(30), nullable=False),
        sa.Column("position", sa.Integer(), server_default="0", nullable=False),
        *_texts("title"),
        *_texts("summary"),
        sa.Column("steps", sa.JSON(), nullable=False),
        sa.Column("url", sa.Text(), nullable=True),
        *_source_fk("procedures"),
        sa.PrimaryKeyConstraint("code", name="pk_procedures"),
    )
    op.create_index("ix_procedures_topic", "procedures", ["topic"])
    op.create_table(
        "regions",
        sa.Column("code", sa.String(50), nullable=False),
        *_texts("name"),
        sa.Column("cities", sa.JSON(), nullable=False),
        *_texts("office_name", nullable=True),
        *_texts("office_status", nullable=True),
        *_source_fk("regions", "office_source_id"),
        sa.Column("delegate_name", sa.Text(), nullable=True),
        sa.Column("delegate_as_of", sa.Date(), nullable=True),
        *_source_fk("regions", "delegate_source_id"),
        sa.PrimaryKeyConstraint("code", name="pk_regions"),
    )
    op.create_table(
        "topics",
        sa.Column("code", sa.String(50), nullable=False),
        *_texts("title"),
        *_texts("body"),
        sa.Column("url", sa.Text(), nullable=True),
        *_source_fk("topics"),
        sa.PrimaryKeyConstraint("code", name="pk_topics"),
    )

    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(30), nullable=False),
        sa.Column("channel_user_id", sa.String(100), nullable=False),
        sa.Column("language", sa.String(2), nullable=True),
        sa.Column("language_hint", sa.String(5), nullable=True),
        sa.Column("consent", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("consent_at", sa.DateTime(timezone=True), nullable=True),
        _created_at(),
        sa.PrimaryKeyConstraint("id", name="pk_users"),
        sa.UniqueConstraint("channel", "channel_user_id", name="uq_users_channel_channel_user_id"),
    )
    op.create_table(
        "registrations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("company_name", sa.Text(), nullable=False),
        sa.Column("ice", sa.String(15), nullable=True),
        sa.Column("contact_name", sa.Text(), nullable=True),
        sa.Column("email", sa.Text(), nullable=True),
        sa.Column("phone", sa.String(30), nullable=True),
        sa.Column("sector", sa.String(30), nullable=True),
        sa.Column("status", sa.String(20), server_default="confirmed", nullable=False),
        _created_at(),
        sa.Column("cancelled_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("status IN ('confirmed', 'cancelled')", name="ck_registrations_status"),
        sa.ForeignKeyConstraint(
            ["event_id"], ["events.id"], name="fk_registrations_event_id_events"
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name="fk_registrations_user_id_users", ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_registrations"),
    )
    op.create_index("ix_registrations_event_id", "registrations", ["event_id"])
    op.create_index("ix_registrations_user_id", "registrations", ["user_id"])
    op.create_index(
        "uq_registrations_event_id_user_id_active",
        "registrations",
        ["event_id", "user_id"],
        unique=True,
        sqlite_where=sa.text("status = 'confirmed'"),
        postgresql_where=sa.text("status = 'confirmed'"),
    )
    op.create_table(
        "alert_subscriptions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("country", sa.String(2), nullable=True),
        sa.Column("sector", sa.String(30), nullable=True),
        sa.Column("event_type", sa.String(20), nullable=True),
        _created_at(),
        sa.Column("active", sa.Boolean(), server_default=sa.text("true"), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name="fk_alert_subscriptions_user_id_users",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_alert_subscriptions"),
    )
    op.create_index(
        "uq_alert_subscriptions_filters",
        "alert_subscriptions",
        [
            "user_id",
            sa.text("coalesce(country, '')"),
            sa.text("coalesce(sector, '')"),
            sa.text("coalesce(event_type, '')"),
        ],
        unique=True,
    )
    op.create_table(
        "handoffs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("region", sa.String(50), nullable=True),
        sa.Column("summary", sa.Text(), nullable=True),
        _created_at(),
        sa.Column("status", sa.String(20), server_default="open", nullable=False),
        sa.CheckConstraint("status IN ('open', 'closed')", name="ck_handoffs_status"),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name="fk_handoffs_user_id_users", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_handoffs"),
    )
    op.create_table(
        "notifications_sent",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(30), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        _created_at("sent_at"),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name="fk_notifications_sent_user_id_users",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["events.id"],
            name="fk_notifications_sent_event_id_events",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_notifications_sent"),
        sa.UniqueConstraint(
            "kind", "user_id", "event_id", name="uq_notifications_sent_kind_user_id_event_id"
        ),
    )


def downgrade() -> None:
    op.drop_table("notifications_sent")
    op.drop_table("handoffs")
    op.drop_index("uq_alert_subscriptions_filters", table_name="alert_subscriptions")
    op.drop_table("alert_subscriptions")
    op.drop_index("uq_registrations_event_id_user_id_active", table_name="registrations")
    op.drop_index("ix_registrations_user_id", table_name="registrations")
    op.drop_index("ix_registrations_event_id", table_name="registrations")
    op.drop_table("registrations")
    op.drop_table("users")
    op.drop_table("topics")
    op.drop_table("regions")
    op.drop_index("ix_procedures_topic", table_name="procedures")
    op.drop_table("procedures")
    op.drop_table("agreements")
    op.drop_table("market_facts")
    op.drop_table("markets")
    op.drop_index("ix_events_start_date", table_name="events")
    op.drop_index("ix_events_country", table_name="events")
    op.drop_table("events")
    op.drop_table("sources")
