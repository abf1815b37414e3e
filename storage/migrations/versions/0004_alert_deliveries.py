"""Alert deliveries: which alert was sent to which notification channel, and failed attempts.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "alert_deliveries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("alert_key", sa.String(64), nullable=False),
        sa.Column("channel_hash", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("first_tried_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_tried_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_alert_deliveries"),
        sa.UniqueConstraint("alert_key", "channel_hash", name="uq_alert_deliveries_alert_key_channel_hash"),
    )
    op.create_index("ix_alert_deliveries_sent_at", "alert_deliveries", ["sent_at"])


def downgrade() -> None:
    op.drop_index("ix_alert_deliveries_sent_at", table_name="alert_deliveries")
    op.drop_table("alert_deliveries")
