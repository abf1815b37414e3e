"""The store's tables as SQLAlchemy 2.x typed declarative models.

Portable SQL only (SQLite now, PostgreSQL later): no partial indexes, no SQLite-only types.
Unit identity uses a computed ``unit_key`` string ("province|city|name", empty for null parts)
with a plain unique constraint, because a unique constraint over nullable columns treats
NULLs as distinct on both engines.

The migration ``migrations/versions/0001_initial.py`` is written out by hand; a test checks
that it and these models describe the same schema.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

#: Explicit constraint names: Alembic batch mode (SQLite ALTERs) and PostgreSQL both need them.
NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Source(Base):
    """A configured site the crawler visits."""

    __tablename__ = "sources"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    base_url: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Fetch(Base):
    """One download (or one imported file): what came back and the raw bytes, compressed (``storage.rawcodec``)."""

    __tablename__ = "fetches"
    __table_args__ = (
        Index("ix_fetches_url", "url"),
        Index("ix_fetches_content_hash", "content_hash"),
        Index("ix_fetches_crawl_run_id", "crawl_run_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source_id: Mapped[int | None] = mapped_column(ForeignKey("sources.id", ondelete="SET NULL"))
    url: Mapped[str] = mapped_column(Text)
    fetched_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    http_status: Mapped[int | None] = mapped_column(Integer)
    etag: Mapped[str | None] = mapped_column(Text)
    last_modified: Mapped[str | None] = mapped_column(Text)
    #: sha256 hex of the raw (uncompressed) bytes.
    content_hash: Mapped[str | None] = mapped_column(String(64))
    raw: Mapped[bytes | None] = mapped_column(LargeBinary)
    content_type: Mapped[str | None] = mapped_column(Text)
    error: Mapped[str | None] = mapped_column(Text)
    crawl_run_id: Mapped[int | None] = mapped_column(ForeignKey("crawl_runs.id", ondelete="SET NULL"))
    #: ``list``, ``detail``, ``attachment``, ``file`` (imported) — what the page was to the crawler.
    kind: Mapped[str | None] = mapped_column(String(16))


class UnitRow(Base):
    """An inspected party; same (province, city, name) is the same unit (SCHEMA.md)."""

    __tablename__ = "units"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    unit_key: Mapped[str] = mapped_column(Text, unique=True)
    province: Mapped[str | None] = mapped_column(Text)
    city: Mapped[str | None] = mapped_column(Text)
    name: Mapped[str | None] = mapped_column(Text)
    level: Mapped[str | None] = mapped_column(String(16))
    adcode: Mapped[str | None] = mapped_column(String(12))
    parent: Mapped[str | None] = mapped_column(Text)

    names: Mapped[list[UnitName]] = relationship(back_populates="unit", cascade="all, delete-orphan",
                                                 passive_deletes=True)


class UnitName(Base):
    """A name a unit was seen under (``鹤城区``, ``中共怀化市鹤城区委员会`` …)."""

    __tablename__ = "unit_names"
    __table_args__ = (UniqueConstraint("unit_id", "variant"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"))
    variant: Mapped[str] = mapped_column(Text)

    unit: Mapped[UnitRow] = relationship(back_populates="names")


class ReportRow(Base):
    """One distinct content of one notice: a changed republication is a new version."""

    __tablename__ = "reports"
    __table_args__ = (
        UniqueConstraint("notice_key", "version"),
        UniqueConstraint("notice_key", "content_hash"),
        Index("ix_reports_unit_id_published_on", "unit_id", "published_on"),
        Index("ix_reports_content_hash", "content_hash"),
        Index("ix_reports_source_url", "source_url"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    notice_key: Mapped[str] = mapped_column(Text)
    version: Mapped[int] = mapped_column(Integer)
    #: sha256 hex of the canonical JSON of the Report without source_url and warnings.
    content_hash: Mapped[str] = mapped_column(String(64))
    schema_version: Mapped[str] = mapped_column(String(8))
    title: Mapped[str | None] = mapped_column(Text)
    issuer: Mapped[str | None] = mapped_column(Text)
    published_on: Mapped[date | None] = mapped_column(Date)
    source_url: Mapped[str | None] = mapped_column(Text)
    declared_issue_count: Mapped[int | None] = mapped_column(Integer)
    inspector: Mapped[str | None] = mapped_column(Text)
    inspector_level: Mapped[str | None] = mapped_column(String(16))
    round: Mapped[str | None] = mapped_column(Text)
    started_on: Mapped[date | None] = mapped_column(Date)
    ended_on: Mapped[date | None] = mapped_column(Date)
    feedback_on: Mapped[date | None] = mapped_column(Date)
    warnings: Mapped[list[str]] = mapped_column(JSON, default=list)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"))
    fetch_id: Mapped[int | None] = mapped_column(ForeignKey("fetches.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    unit: Mapped[UnitRow] = relationship()
    issues: Mapped[list[IssueRow]] = relationship(
        back_populates="report", cascade="all, delete-orphan", passive_deletes=True,
        order_by="IssueRow.position")


class IssueRow(Base):
    """A feedback issue; a sub-issue has ``parent_id`` set. ``position`` keeps document order."""

    __tablename__ = "issues"
    __table_args__ = (
        Index("ix_issues_report_id", "report_id"),
        Index("ix_issues_parent_id", "parent_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id", ondelete="CASCADE"))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("issues.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    seq: Mapped[int] = mapped_column(Integer)
    label: Mapped[str | None] = mapped_column(Text)
    category: Mapped[str | None] = mapped_column(Text)
    title: Mapped[str | None] = mapped_column(Text)
    rectification: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16))
    status_evidence: Mapped[list[str]] = mapped_column(JSON, default=list)

    report: Mapped[ReportRow] = relationship(back_populates="issues")


class CrawlRun(Base):
    """One crawler run: when, how many pages of each outcome, what failed."""

    __tablename__ = "crawl_runs"
    __table_args__ = (Index("ix_crawl_runs_site", "site"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    #: The configured site's name, or ``None`` for a crawl of ad-hoc start URLs.
    site: Mapped[str | None] = mapped_column(Text)
    #: ``ok``, ``partial`` (some pages failed), ``failed`` (nothing could be fetched), or ``None`` while running.
    status: Mapped[str | None] = mapped_column(String(16))
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    counts: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    failures: Mapped[list[Any]] = mapped_column(JSON, default=list)


class AlertDelivery(Base):
    """One alert sent (or being tried) to one notification channel: an alert is sent once per channel.

    ``channel_hash`` is the sha256 of the channel's Apprise URL, so no credential is stored here.
    A failed send keeps ``sent_at`` empty and is tried again on the next run.
    """

    __tablename__ = "alert_deliveries"
    __table_args__ = (
        UniqueConstraint("alert_key", "channel_hash"),
        Index("ix_alert_deliveries_sent_at", "sent_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    alert_key: Mapped[str] = mapped_column(String(64))
    channel_hash: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(32))
    first_tried_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_tried_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
