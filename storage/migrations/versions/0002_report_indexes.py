"""Indexes on reports by content hash and by source URL (lookups by content and by page).

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_reports_content_hash", "reports", ["content_hash"])
    op.create_index("ix_reports_source_url", "reports", ["source_url"])


def downgrade() -> None:
    op.drop_index("ix_reports_source_url", table_name="reports")
    op.drop_index("ix_reports_content_hash", table_name="reports")
