"""The store's API: put parsed reports in, get them back.

A notice is identified by its ``notice_key``: its source URL when known, else its unit, title,
inspector, inspection start and publication date. Each distinct content of a notice (hash of
the canonical JSON of the Report without ``source_url`` and ``warnings``) is one row of
``reports`` with a version number; storing the same content again changes nothing.

Concurrency: :meth:`Store.ingest` never relies on check-then-insert alone. The unique
constraints (notice_key, version), (notice_key, content_hash) and units.unit_key decide; a
writer that loses a race gets an IntegrityError, rolls back and reads again. On SQLite the
write transaction also takes the lock at BEGIN (``BEGIN IMMEDIATE``) so writers queue up.

A unit row keeps the level/adcode/parent of the first notice that named it, so every stored
report reads back exactly as it was stored.
"""

from __future__ import annotations

import hashlib
import json
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Engine, func, insert, or_, select
from sqlalchemy.exc import DatabaseError, IntegrityError
from sqlalchemy.orm import Session, selectinload

from crawler.parse.schema import Inspection, Issue, Report, Unit
from rectrack.errors import UserError

from .db import connect, write_engine
from .migrate import upgrade
from .models import Fetch, IssueRow, ReportRow, UnitName, UnitRow

#: How often a writer that lost a race (IntegrityError) starts over before giving up.
MAX_ATTEMPTS = 8


@dataclass(frozen=True)
class IngestResult:
    report_id: int
    version: int
    created: bool

    @property
    def outcome(self) -> str:
        """``stored new`` · ``new version N`` · ``unchanged``."""
        if not self.created:
            return "unchanged"
        return "stored new" if self.version == 1 else f"new version {self.version}"


def unit_key(unit: Unit) -> str:
    return "|".join(part or "" for part in (unit.province, unit.city, unit.name))


def notice_key(report: Report) -> str:
    """Identity of the notice across versions."""
    if report.source_url:
        return report.source_url
    parts = (unit_key(report.unit), report.title, report.inspection.inspector,
             report.inspection.started_on, report.published_on)
    return "notice:" + "|".join("" if p is None else str(p) for p in parts)


def content_hash(report: Report) -> str:
    data = report.to_dict()
    data.pop("source_url", None)
    data.pop("warnings", None)
    canonical = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


class NotFound(LookupError):
    pass


class Store:
    """Reports in a database (SQLite or PostgreSQL), versioned per notice."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._writer = write_engine(engine)

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ---- writing -------------------------------------------------------------------------

    def ingest(self, report: Report, *, raw: bytes | None, fetch_url: str | None = None,
               content_type: str | None = None, http_status: int | None = None,
               fetch_id: int | None = None) -> IngestResult:
        """Store ``report`` (and the raw bytes it came from) unless this content is already stored.

        ``fetch_id`` links the report to a fetch the crawl log already recorded (then ``raw`` is not stored again).
        """
        key, digest = notice_key(report), content_hash(report)
        last_error: IntegrityError | None = None
        for _ in range(MAX_ATTEMPTS):
            try:
                return self._ingest_once(report, key, digest, raw=raw, fetch_url=fetch_url,
                                         content_type=content_type, http_status=http_status, fetch_id=fetch_id)
            except IntegrityError as exc:  # another writer got there first: read again
                last_error = exc
        assert last_error is not None
        raise last_error

    def _ingest_once(self, report: Report, key: str, digest: str, *, raw: bytes | None, fetch_url: str | None,
                     content_type: str | None, http_status: int | None, fetch_id: int | None) -> IngestResult:
        with Session(self._writer, expire_on_commit=False) as session, session.begin():
            existing = session.execute(
                select(ReportRow.id, ReportRow.version)
                .where(ReportRow.notice_key == key, ReportRow.content_hash == digest)).first()
            if existing is not None:
                return IngestResult(existing.id, existing.version, False)
            unit = self._unit(session, report)
            fetch = session.get(Fetch, fetch_id) if fetch_id is not None else \
                self._fetch(session, raw, fetch_url or report.source_url, content_type, http_status)
            latest = session.scalar(select(func.max(ReportRow.version)).where(ReportRow.notice_key == key))
            version = (latest or 0) + 1
            row = _report_row(report, key=key, digest=digest, version=version)
            row.unit = unit
            row.fetch_id = fetch.id if fetch is not None else None
            session.add(row)
            session.flush()  # the unique constraints speak here
            _add_issues(session, row, report.issues)
            session.flush()
            return IngestResult(row.id, version, True)

    def _unit(self, session: Session, report: Report) -> UnitRow:
        unit = report.unit
        key = unit_key(unit)
        row = session.scalar(select(UnitRow).where(UnitRow.unit_key == key))
        if row is None:
            try:
                with session.begin_nested():
                    row = UnitRow(unit_key=key, province=unit.province, city=unit.city, name=unit.name,
                                  level=unit.level, adcode=unit.adcode, parent=unit.parent)
                    session.add(row)
            except IntegrityError:
                row = session.scalar(select(UnitRow).where(UnitRow.unit_key == key))
                if row is None:
                    raise
        for variant in _name_variants(report):
            seen = session.scalar(select(UnitName.id).where(UnitName.unit_id == row.id, UnitName.variant == variant))
            if seen is None:
                try:
                    with session.begin_nested():
                        session.add(UnitName(unit_id=row.id, variant=variant))
                except IntegrityError:
                    pass
        return row

    def _fetch(self, session: Session, raw: bytes | None, url: str | None, content_type: str | None,
               http_status: int | None) -> Fetch | None:
        if raw is None:
            return None
        raw_hash = hashlib.sha256(raw).hexdigest()
        url = url or f"sha256:{raw_hash}"
        fetch = session.scalar(select(Fetch).where(Fetch.url == url, Fetch.content_hash == raw_hash)
                               .order_by(Fetch.id).limit(1))
        if fetch is None:
            fetch = Fetch(url=url, http_status=http_status, content_hash=raw_hash, raw=zlib.compress(raw, 6),
                          content_type=content_type)
            session.add(fetch)
            session.flush()
        return fetch

    # ---- reading -------------------------------------------------------------------------

    def raw_bytes(self, report_id: int) -> bytes | None:
        """The bytes the report was parsed from, if they were stored."""
        with Session(self.engine) as session:
            raw = session.scalar(select(Fetch.raw).join(ReportRow, ReportRow.fetch_id == Fetch.id)
                                 .where(ReportRow.id == report_id))
        return zlib.decompress(raw) if raw is not None else None

    def list_reports(self, unit: str | None = None, since: date | None = None, *,
                     all_versions: bool = False) -> list[dict[str, Any]]:
        """One dict per notice (its latest version unless ``all_versions``), by publication date."""
        with Session(self.engine) as session:
            top = (select(IssueRow.report_id, func.count().label("n"))
                   .where(IssueRow.parent_id.is_(None)).group_by(IssueRow.report_id).subquery())
            sub = (select(IssueRow.report_id, func.count().label("n"))
                   .where(IssueRow.parent_id.is_not(None)).group_by(IssueRow.report_id).subquery())
            versions = (select(ReportRow.notice_key, func.max(ReportRow.version).label("latest"),
                               func.count().label("versions"))
                        .group_by(ReportRow.notice_key).subquery())
            query = (select(ReportRow, UnitRow, func.coalesce(top.c.n, 0), func.coalesce(sub.c.n, 0),
                            versions.c.latest, versions.c.versions)
                     .join(UnitRow, ReportRow.unit_id == UnitRow.id)
                     .join(versions, versions.c.notice_key == ReportRow.notice_key)
                     .outerjoin(top, top.c.report_id == ReportRow.id)
                     .outerjoin(sub, sub.c.report_id == ReportRow.id))
            if not all_versions:
                query = query.where(ReportRow.version == versions.c.latest)
            if since is not None:
                query = query.where(ReportRow.published_on >= since)
            if unit is not None:
                unit_ids = _matching_units(session, unit)
                if not unit_ids:
                    return []
                query = query.where(ReportRow.unit_id.in_(unit_ids))
            query = query.order_by(ReportRow.published_on.is_(None), ReportRow.published_on, ReportRow.id)
            out = []
            for row, unit_row, n_top, n_sub, latest, n_versions in session.execute(query):
                out.append({
                    "id": row.id,
                    "title": row.title,
                    "unit": unit_row.name,
                    "province": unit_row.province,
                    "city": unit_row.city,
                    "published_on": _iso(row.published_on),
                    "source_url": row.source_url,
                    "inspector": row.inspector,
                    "version": row.version,
                    "latest_version": latest,
                    "versions": n_versions,
                    "issue_count": n_top,
                    "sub_issue_count": n_sub,
                    "notice_key": row.notice_key,
                })
            return out

    def get_report(self, report_id: int) -> Report:
        """The stored Report, with every schema field and its sub-issues; :class:`NotFound` if absent."""
        with Session(self.engine) as session:
            row = session.scalar(select(ReportRow).where(ReportRow.id == report_id)
                                 .options(selectinload(ReportRow.issues), selectinload(ReportRow.unit)))
            if row is None:
                raise NotFound(report_id)
            return _to_report(row)

    def report_meta(self, report_id: int) -> dict[str, Any]:
        """id, notice_key, version, content_hash and created_at of one stored report."""
        with Session(self.engine) as session:
            row = session.get(ReportRow, report_id)
            if row is None:
                raise NotFound(report_id)
            return {"id": row.id, "notice_key": row.notice_key, "version": row.version,
                    "content_hash": row.content_hash, "created_at": row.created_at.isoformat()}

    def iter_reports(self, *, all_versions: bool = False) -> Iterator[tuple[dict[str, Any], Report]]:
        """(meta, Report) per stored notice (latest versions unless ``all_versions``), in id order."""
        with Session(self.engine) as session:
            query = select(ReportRow.id).order_by(ReportRow.id)
            if not all_versions:
                latest = (select(ReportRow.notice_key, func.max(ReportRow.version).label("v"))
                          .group_by(ReportRow.notice_key).subquery())
                query = query.join(latest, (latest.c.notice_key == ReportRow.notice_key)
                                   & (latest.c.v == ReportRow.version))
            ids = session.scalars(query).all()
            for start in range(0, len(ids), 200):
                chunk = ids[start:start + 200]
                rows = session.scalars(select(ReportRow).where(ReportRow.id.in_(chunk)).order_by(ReportRow.id)
                                       .options(selectinload(ReportRow.issues),
                                                selectinload(ReportRow.unit))).all()
                for row in rows:
                    meta = {"report_id": row.id, "notice_key": row.notice_key, "version": row.version}
                    yield meta, _to_report(row)
                session.expunge_all()

    def iter_export_rows(self, *, all_versions: bool = False) -> Iterator[dict[str, Any]]:
        """Flat rows, one per issue or sub-issue (one with empty issue columns for a report without issues)."""
        for meta, report in self.iter_reports(all_versions=all_versions):
            base = {**meta, **_report_columns(report)}
            rows = list(_issue_rows(report.issues, parent=None))
            if not rows:
                rows = [dict.fromkeys(ISSUE_COLUMNS)]
            for issue_cols in rows:
                yield {**base, **issue_cols}


# ---- helpers --------------------------------------------------------------------------------

REPORT_COLUMNS = (
    "report_id", "notice_key", "version", "schema_version", "title", "issuer", "published_on", "source_url",
    "unit_name", "unit_province", "unit_city", "unit_level", "unit_adcode", "unit_parent",
    "inspector", "inspector_level", "round", "started_on", "ended_on", "feedback_on",
    "declared_issue_count", "warnings",
)
ISSUE_COLUMNS = (
    "issue_seq", "issue_parent_seq", "issue_label", "issue_category", "issue_title", "issue_rectification",
    "issue_status", "issue_status_evidence",
)
EXPORT_COLUMNS = REPORT_COLUMNS + ISSUE_COLUMNS


def _report_columns(report: Report) -> dict[str, Any]:
    unit, insp = report.unit, report.inspection
    return {
        "schema_version": report.schema_version, "title": report.title, "issuer": report.issuer,
        "published_on": _iso(report.published_on), "source_url": report.source_url,
        "unit_name": unit.name, "unit_province": unit.province, "unit_city": unit.city, "unit_level": unit.level,
        "unit_adcode": unit.adcode, "unit_parent": unit.parent,
        "inspector": insp.inspector, "inspector_level": insp.inspector_level, "round": insp.round,
        "started_on": _iso(insp.started_on), "ended_on": _iso(insp.ended_on), "feedback_on": _iso(insp.feedback_on),
        "declared_issue_count": report.declared_issue_count, "warnings": report.warnings,
    }


def _issue_rows(issues: list[Issue], parent: Issue | None) -> Iterator[dict[str, Any]]:
    for issue in issues:
        yield {
            "issue_seq": issue.seq, "issue_parent_seq": parent.seq if parent else None, "issue_label": issue.label,
            "issue_category": issue.category, "issue_title": issue.title,
            "issue_rectification": issue.rectification, "issue_status": issue.status,
            "issue_status_evidence": issue.status_evidence,
        }
        yield from _issue_rows(issue.sub_issues, issue)


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value is not None else None


def _name_variants(report: Report) -> list[str]:
    """Names the unit was seen under: its short name, and the issuer when it is the unit's own committee."""
    out: list[str] = []
    name = report.unit.name
    if name:
        out.append(name)
        if report.issuer and name in report.issuer and report.issuer != name:
            out.append(report.issuer)
    return out


def _matching_units(session: Session, text: str) -> list[int]:
    """Units named ``text`` (name, a seen variant or the adcode); else those whose name contains it."""
    text = text.strip()
    exact = select(UnitRow.id).where(or_(
        UnitRow.name == text, UnitRow.adcode == text,
        UnitRow.id.in_(select(UnitName.unit_id).where(UnitName.variant == text))))
    ids = list(session.scalars(exact))
    if ids:
        return ids
    like = f"%{text}%"
    loose = select(UnitRow.id).where(or_(
        UnitRow.name.like(like), UnitRow.id.in_(select(UnitName.unit_id).where(UnitName.variant.like(like)))))
    return list(session.scalars(loose))


def _report_row(report: Report, *, key: str, digest: str, version: int) -> ReportRow:
    insp = report.inspection
    return ReportRow(
        notice_key=key, version=version, content_hash=digest, schema_version=report.schema_version,
        title=report.title, issuer=report.issuer, published_on=report.published_on, source_url=report.source_url,
        declared_issue_count=report.declared_issue_count, inspector=insp.inspector,
        inspector_level=insp.inspector_level, round=insp.round, started_on=insp.started_on,
        ended_on=insp.ended_on, feedback_on=insp.feedback_on, warnings=list(report.warnings),
    )


def _add_issues(session: Session, report_row: ReportRow, issues: list[Issue]) -> None:
    """Insert a report's issues with two executemany statements (top level, then sub-issues)."""
    def values(issue: Issue, position: int, parent_id: int | None) -> dict[str, Any]:
        return {"report_id": report_row.id, "parent_id": parent_id, "position": position, "seq": issue.seq,
                "label": issue.label, "category": issue.category, "title": issue.title,
                "rectification": issue.rectification, "status": issue.status,
                "status_evidence": list(issue.status_evidence)}

    positions: list[tuple[int, Issue]] = []
    position = 0
    for issue in issues:
        positions.append((position, issue))
        position += 1 + len(issue.sub_issues)
    if positions:
        session.execute(insert(IssueRow), [values(issue, pos, None) for pos, issue in positions])
    parents = [(pos, issue) for pos, issue in positions if issue.sub_issues]
    if not parents:
        return
    ids = dict(session.execute(select(IssueRow.position, IssueRow.id).where(
        IssueRow.report_id == report_row.id, IssueRow.parent_id.is_(None))).all())
    session.execute(insert(IssueRow), [values(sub, pos + 1 + k, ids[pos])
                                       for pos, issue in parents for k, sub in enumerate(issue.sub_issues)])


def _to_report(row: ReportRow) -> Report:
    unit = row.unit
    by_id: dict[int, Issue] = {}
    top: list[Issue] = []
    for irow in sorted(row.issues, key=lambda r: r.position):
        issue = Issue(seq=irow.seq, label=irow.label, category=irow.category, title=irow.title,
                      rectification=irow.rectification, status=irow.status,  # type: ignore[arg-type]
                      status_evidence=list(irow.status_evidence or []))
        by_id[irow.id] = issue
        if irow.parent_id is None:
            top.append(issue)
        else:
            by_id[irow.parent_id].sub_issues.append(issue)
    return Report(
        title=row.title, issuer=row.issuer, published_on=row.published_on, source_url=row.source_url,
        unit=Unit(name=unit.name, province=unit.province, city=unit.city, level=unit.level,  # type: ignore[arg-type]
                  adcode=unit.adcode, parent=unit.parent),
        inspection=Inspection(inspector=row.inspector, inspector_level=row.inspector_level,  # type: ignore[arg-type]
                              round=row.round, started_on=row.started_on, ended_on=row.ended_on,
                              feedback_on=row.feedback_on),
        declared_issue_count=row.declared_issue_count, issues=top, warnings=list(row.warnings or []),
        schema_version=row.schema_version,
    )


def open_store(url: str) -> Store:
    """Connect to ``url``, bring its schema up to date, and return a :class:`Store`."""
    engine = connect(url)
    try:
        upgrade(engine)
    except IntegrityError:
        engine.dispose()
        raise
    except DatabaseError as exc:
        engine.dispose()
        raise UserError(f"cannot set up the database: {exc.orig}") from None
    except UserError:
        engine.dispose()
        raise
    return Store(engine)
