"""Crawl log: which run and what kind of page each fetch was; each run's site and outcome.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("crawl_runs") as batch:
        batch.add_column(sa.Column("site", sa.Text(), nullable=True))
        batch.add_column(sa.Column("status", sa.String(16), nullable=True))
        batch.create_index("ix_crawl_runs_site", ["site"])
    with op.batch_alter_table("fetches") as batch:
        batch.add_column(sa.Column("crawl_run_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("kind", sa.String(16), nullable=True))
        batch.create_foreign_key("fk_fetches_crawl_run_id_crawl_runs", "crawl_runs", ["crawl_run_id"], ["id"],
                                 ondelete="SET NULL")
        batch.create_index("ix_fetches_crawl_run_id", ["crawl_run_id"])


def downgrade() -> None:
    with op.batch_alter_table("fetches") as batch:
        batch.drop_index("ix_fetches_crawl_run_id")
        batch.drop_constraint("fk_fetches_crawl_run_id_crawl_runs", type_="foreignkey")
        batch.drop_column("kind")
        batch.drop_column("crawl_run_id")
    with op.batch_alter_table("crawl_runs") as batch:
        batch.drop_index("ix_crawl_runs_site")
        batch.drop_column("status")
        batch.drop_column("site")
