"""Staff alerts about handoffs (sent once each), escalation, canned replies.

Adds ``handoffs.taken_at`` (unless the handoff core's migration added it already: it is the
same column) and ``handoffs.escalated_at``, the ``handoff_notifications`` record and the
``canned_replies`` table with five replies in French, Arabic and English.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

SEED = [
    {
        "title": "Prise en charge",
        "text_fr": "Bonjour, je suis conseiller à l'ASMEX et je prends en charge votre demande. "
        "Comment puis-je vous aider ?",
        "text_ar": "مرحبا، أنا مستشار لدى ASMEX وسأتولى طلبكم. كيف يمكنني مساعدتكم؟",
        "text_en": "Hello, I am an adviser at ASMEX and I am taking care of your request. "
        "How can I help you?",
    },
    {
        "title": "Un instant",
        "text_fr": "Merci de votre patience : je vérifie ces informations et je reviens vers "
        "vous dans quelques minutes.",
        "text_ar": "شكرا على صبركم: أتحقق من هذه المعلومات وأعود إليكم خلال دقائق.",
        "text_en": "Thank you for your patience: I am checking this information and will get "
        "back to you in a few minutes.",
    },
    {
        "title": "Pièces du dossier",
        "text_fr": "Pour compléter votre dossier, envoyez-nous par e-mail votre registre de "
        "commerce, votre numéro ICE et une présentation de vos produits.",
        "text_ar": "لاستكمال ملفكم، يرجى أن ترسلوا إلينا عبر البريد الإلكتروني السجل التجاري "
        "ورقم التعريف الموحد للمقاولة (ICE) وتقديما لمنتجاتكم.",
        "text_en": "To complete your file, please e-mail us your trade register extract, your "
        "ICE number and a presentation of your products.",
    },
    {
        "title": "Rendez-vous avec le délégué",
        "text_fr": "Je vous propose un rendez-vous avec le délégué de votre région. Quels jours "
        "et quelles heures vous conviennent cette semaine ?",
        "text_ar": "أقترح عليكم موعدا مع مندوب جهتكم. ما الأيام والأوقات التي تناسبكم هذا الأسبوع؟",
        "text_en": "I suggest a meeting with your region's delegate. Which days and times suit "
        "you this week?",
    },
    {
        "title": "Clôture",
        "text_fr": "Avez-vous d'autres questions ? Sinon, je vous rends à l'assistant de "
        "l'ASMEX. Merci et bonne journée !",
        "text_ar": "هل لديكم أسئلة أخرى؟ وإلا فسأعيدكم إلى مساعد ASMEX. شكرا لكم ويوما سعيدا!",
        "text_en": "Do you have any other questions? If not, I will hand you back to the ASMEX "
        "assistant. Thank you and have a good day!",
    },
]


def _handoff_columns() -> set[str]:
    """The columns handoffs has now (none known when writing offline SQL)."""
    if op.get_context().as_sql:
        return set()
    return {column["name"] for column in sa.inspect(op.get_bind()).get_columns("handoffs")}


def upgrade() -> None:
    existing = _handoff_columns()
    with op.batch_alter_table("handoffs") as batch:
        if "taken_at" not in existing:
            batch.add_column(sa.Column("taken_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("escalated_at", sa.DateTime(timezone=True), nullable=True))
    op.create_table(
        "handoff_notifications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("handoff_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("target", sa.String(30), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("attempts", sa.Integer(), server_default="0", nullable=False),
        sa.Column("last_error", sa.String(200), nullable=True),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("kind IN ('new', 'escalation')", name="ck_handoff_notifications_kind"),
        sa.CheckConstraint(
            "status IN ('claimed', 'sent', 'failed')", name="ck_handoff_notifications_status"
        ),
        sa.ForeignKeyConstraint(
            ["handoff_id"],
            ["handoffs.id"],
            name="fk_handoff_notifications_handoff_id_handoffs",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_handoff_notifications"),
        sa.UniqueConstraint(
            "handoff_id", "kind", "target", name="uq_handoff_notifications_handoff_id_kind_target"
        ),
    )
    op.create_index("ix_handoff_notifications_handoff_id", "handoff_notifications", ["handoff_id"])
    canned = op.create_table(
        "canned_replies",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(100), nullable=False),
        sa.Column("text_fr", sa.Text(), nullable=False),
        sa.Column("text_ar", sa.Text(), nullable=False),
        sa.Column("text_en", sa.Text(), nullable=False),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column(
            "updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.PrimaryKeyConstraint("id", name="pk_canned_replies"),
    )
    op.bulk_insert(canned, SEED)


def downgrade() -> None:
    op.drop_table("canned_replies")
    op.drop_index("ix_handoff_notifications_handoff_id", table_name="handoff_notifications")
    op.drop_table("handoff_notifications")
    with op.batch_alter_table("handoffs") as batch:
        batch.drop_column("escalated_at")
        batch.drop_column("taken_at")
