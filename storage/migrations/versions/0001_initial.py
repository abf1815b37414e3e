"""initial schema: sources, fetches, units, unit_names, reports, issues, crawl_runs

Revision ID: 0001
Revises:
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sources",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("base_url", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_sources"),
        sa.UniqueConstraint("name", name="uq_sources_name"),
    )
    op.create_table(
        "fetches",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=True),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("fetched_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("http_status", sa.Integer(), nullable=True),
        sa.Column("etag", sa.Text(), nullable=True),
        sa.Column("last_modified", sa.Text(), nullable=True),
        sa.Column("content_hash", sa.String(64), nullable=True),
        sa.Column("raw", sa.LargeBinary(), nullable=True),
        sa.Column("content_type", sa.Text(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["source_id"], ["sources.id"], name="fk_fetches_source_id_sources",
                                ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name="pk_fetches"),
    )
    op.create_index("ix_fetches_url", "fetches", ["url"])
    op.create_index("ix_fetches_content_hash", "fetches", ["content_hash"])
    op.create_table(
        "units",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("unit_key", sa.Text(), nullable=False),
        sa.Column("province", sa.Text(), nullable=True),
        sa.Column("city", sa.Text(), nullable=True),
        sa.Column("name", sa.Text(), nullable=True),
        sa.Column("level", sa.String(16), nullable=True),
        sa.Column("adcode", sa.String(12), nullable=True),
        sa.Column("parent", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_units"),
        sa.UniqueConstraint("unit_key", name="uq_units_unit_key"),
    )
    op.create_table(
        "unit_names",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("variant", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["unit_id"], ["units.id"], name="fk_unit_names_unit_id_units", ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name="pk_unit_names"),
        sa.UniqueConstraint("unit_id", "variant", name="uq_unit_names_unit_id_variant"),
    )
    op.create_table(
        "reports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("notice_key", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("schema_version", sa.String(8), nullable=False),
        sa.Column("title", sa.Text(), nullable=True),
        sa.Column("issuer", sa.Text(), nullable=True),
        sa.Column("published_on", sa.Date(), nullable=True),
        sa.Column("source_url", sa.Text(), nullable=True),
        sa.Column("declared_issue_count", sa.Integer(), nullable=True),
        sa.Column("inspector", sa.Text(), nullable=True),
        sa.Column("inspector_level", sa.String(16), nullable=True),
        sa.Column("round", sa.Text(), nullable=True),
        sa.Column("started_on", sa.Date(), nullable=True),
        sa.Column("ended_on", sa.Date(), nullable=True),
        sa.Column("feedback_on", sa.Date(), nullable=True),
        sa.Column("warnings", sa.JSON(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("fetch_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["unit_id"], ["units.id"], name="fk_reports_unit_id_units", ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["fetch_id"], ["fetches.id"], name="fk_reports_fetch_id_fetches",
                                ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name="pk_reports"),
        sa.UniqueConstraint("notice_key", "version", name="uq_reports_notice_key_version"),
        sa.UniqueConstraint("notice_key", "content_hash", name="uq_reports_notice_key_content_hash"),
    )
    op.create_index("ix_reports_unit_id_published_on", "reports", ["unit_id", "published_on"])
    op.create_table(
        "issues",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("label", sa.Text(), nullable=True),
        sa.Column("category", sa.Text(), nullable=True),
        sa.Column("title", sa.Text(), nullable=True),
        sa.Column("rectification", sa.Text(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("status_evidence", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["report_id"], ["reports.id"], name="fk_issues_report_id_reports",
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["parent_id"], ["issues.id"], name="fk_issues_parent_id_issues",
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name="pk_issues"),
    )
    op.create_index("ix_issues_report_id", "issues", ["report_id"])
    op.create_index("ix_issues_parent_id", "issues", ["parent_id"])
    op.create_table(
        "crawl_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("counts", sa.JSON(), nullable=False),
        sa.Column("failures", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_crawl_runs"),
    )


def downgrade() -> None:
    op.drop_table("crawl_runs")
    op.drop_index("ix_issues_parent_id", table_name="issues")
    op.drop_index("ix_issues_report_id", table_name="issues")
    op.drop_table("issues")
    op.drop_index("ix_reports_unit_id_published_on", table_name="reports")
    op.drop_table("reports")
    op.drop_table("unit_names")
    op.drop_table("units")
    op.drop_index("ix_fetches_content_hash", table_name="fetches")
    op.drop_index("ix_fetches_url", table_name="fetches")
    op.drop_table("fetches")
    op.drop_table("sources")
