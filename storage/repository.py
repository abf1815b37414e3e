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
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, fields, is_dataclass
from datetime import date
from functools import cache
from typing import Any

from sqlalchemy import Connection, Engine, func, or_, select
from sqlalchemy.exc import DatabaseError, IntegrityError
from sqlalchemy.orm import Session, selectinload

from crawler.parse.schema import Inspection, Issue, Report, Unit
from rectrack.errors import UserError

from . import rawcodec
from .bulk import chunks, insert_missing, insert_returning_ids, insert_rows
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
    """sha256 of the canonical JSON of ``report.to_dict()`` without ``source_url`` and ``warnings``."""
    data = {name: getattr(report, name) for name in _field_names(Report) if name not in ("source_url", "warnings")}
    canonical = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=_to_json)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _to_json(value: Any) -> Any:
    """What :meth:`Report.to_dict` makes of the values JSON lacks: a dataclass is a dict of its fields, a date
    its ISO string. (Encoding the dataclasses as they come is much faster than ``to_dict``'s deep copy.)"""
    if isinstance(value, date):
        return value.isoformat()
    if is_dataclass(value) and not isinstance(value, type):
        return {name: getattr(value, name) for name in _field_names(type(value))}
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


@cache
def _field_names(cls: type) -> tuple[str, ...]:
    return tuple(f.name for f in fields(cls))


@dataclass(frozen=True)
class Ingest:
    """One report for :meth:`Store.ingest_many`, with the arguments of :meth:`Store.ingest`."""

    report: Report
    raw: bytes | None = None
    fetch_url: str | None = None
    content_type: str | None = None
    http_status: int | None = None
    fetch_id: int | None = None


class NotFound(LookupError):
    pass


class Store:
    """Reports in a database (SQLite or PostgreSQL), versioned per notice."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._writer = write_engine(engine)
        #: Units and name variants this Store wrote or read in committed transactions: unit_key → id, and
        #: (unit id, variant) pairs. Rows are never deleted; on an IntegrityError both are forgotten anyway.
        self._unit_ids: dict[str, int] = {}
        self._variants: set[tuple[int, str]] = set()

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
        return self.ingest_many([Ingest(report, raw=raw, fetch_url=fetch_url, content_type=content_type,
                                        http_status=http_status, fetch_id=fetch_id)])[0]

    def ingest_many(self, entries: Sequence[Ingest]) -> list[IngestResult]:
        """Store several reports in one transaction, with the outcome :meth:`ingest` would give each of them
        called one after the other (a content repeated in ``entries`` is stored once). All or nothing."""
        entries = list(entries)
        if not entries:
            return []
        pairs = [(notice_key(e.report), content_hash(e.report)) for e in entries]
        last_error: IntegrityError | None = None
        for _ in range(MAX_ATTEMPTS):
            try:
                with self._writer.begin() as conn:
                    results, units, variants = self._ingest_batch(conn, entries, pairs)
            except IntegrityError as exc:  # another writer got there first: read again
                last_error = exc
                self._unit_ids.clear()  # and trust no cached unit either
                self._variants.clear()
                continue
            self._unit_ids.update(units)  # committed now: safe to remember
            self._variants.update(variants)
            return results
        assert last_error is not None
        raise last_error

    def _ingest_batch(self, conn: Connection, entries: list[Ingest], pairs: list[tuple[str, str]]
                      ) -> tuple[list[IngestResult], dict[str, int], set[tuple[int, str]]]:
        """One attempt: a few set-at-a-time statements for the whole batch."""
        stored: dict[tuple[str, str], IngestResult] = {}
        latest: dict[str, int] = {}
        for keys in chunks(dict.fromkeys(key for key, _ in pairs)):
            for key, digest, report_id, version in conn.execute(
                    select(ReportRow.notice_key, ReportRow.content_hash, ReportRow.id, ReportRow.version)
                    .where(ReportRow.notice_key.in_(keys))):
                stored[(key, digest)] = IngestResult(report_id, version, False)
                latest[key] = max(latest.get(key, 0), version)
        new: dict[tuple[str, str], tuple[int, int]] = {}  # (key, digest) → (index in entries, version)
        for index, (key, digest) in enumerate(pairs):
            if (key, digest) not in stored and (key, digest) not in new:
                latest[key] = latest.get(key, 0) + 1
                new[(key, digest)] = (index, latest[key])
        if not new:
            return [stored[pair] for pair in pairs], {}, set()
        todo = [entries[index] for index, _ in new.values()]
        unit_ids, units, variants = self._units(conn, [e.report for e in todo])
        fetch_ids = self._fetch_ids(conn, todo)
        report_ids = insert_returning_ids(conn, ReportRow.__table__, [
            _report_values(e.report, key=key, digest=digest, version=version, unit_id=unit_id, fetch_id=fetch_id)
            for e, (key, digest), (_, version), unit_id, fetch_id
            in zip(todo, new, new.values(), unit_ids, fetch_ids, strict=True)])
        _insert_issues(conn, list(zip(report_ids, (e.report for e in todo), strict=True)))
        for (pair, (_, version)), report_id in zip(new.items(), report_ids, strict=True):
            stored[pair] = IngestResult(report_id, version, True)
        first = {index for index, _ in new.values()}
        results = [stored[pair] if index in first else IngestResult(stored[pair].report_id, stored[pair].version, False)
                   for index, pair in enumerate(pairs)]
        return results, units, variants

    def _units(self, conn: Connection, reports: list[Report]
               ) -> tuple[list[int], dict[str, int], set[tuple[int, str]]]:
        """The unit id of each report (rows inserted when new) and its name variants recorded; also the
        unit ids and variants to remember once the transaction commits."""
        known = dict(self._unit_ids)
        wanted: dict[str, Unit] = {}
        for report in reports:
            key = unit_key(report.unit)
            if key not in known:
                wanted.setdefault(key, report.unit)  # the first notice naming a unit sets its columns
        if wanted:
            _read_unit_ids(conn, wanted, known)
            missing = [key for key in wanted if key not in known]
            if missing:
                insert_missing(conn, UnitRow.__table__, [
                    {"unit_key": key, "province": u.province, "city": u.city, "name": u.name, "level": u.level,
                     "adcode": u.adcode, "parent": u.parent} for key, u in ((k, wanted[k]) for k in missing)],
                    unique=["unit_key"])
                _read_unit_ids(conn, missing, known)
        ids = [known[unit_key(report.unit)] for report in reports]
        variants = [(unit_id, variant) for unit_id, report in zip(ids, reports, strict=True)
                    for variant in _name_variants(report) if (unit_id, variant) not in self._variants]
        insert_missing(conn, UnitName.__table__, [{"unit_id": unit_id, "variant": variant}
                                                  for unit_id, variant in dict.fromkeys(variants)],
                       unique=["unit_id", "variant"])
        return ids, known, set(variants)

    def _fetch_ids(self, conn: Connection, entries: list[Ingest]) -> list[int | None]:
        """Per entry: its ``fetch_id`` when that fetch exists, else the fetch of its raw bytes (found or
        inserted, once per URL and content), else ``None``.

        A given fetch without bytes (they were kept by an earlier download of the same URL and content: a page
        fetched again after a crawl died before storing its notice) is replaced by the fetch holding them."""
        given = {e.fetch_id for e in entries if e.fetch_id is not None}
        present: dict[int, int] = {}  # given fetch id → the fetch holding its bytes (itself, mostly)
        bare: dict[tuple[str, str], list[int]] = {}  # (url, content hash) → given fetches without the bytes
        for ids in chunks(given):
            for fetch_id, url, digest, has_raw in conn.execute(
                    select(Fetch.id, Fetch.url, Fetch.content_hash, Fetch.raw.is_not(None)).where(Fetch.id.in_(ids))):
                present[fetch_id] = fetch_id
                if not has_raw and digest is not None:
                    bare.setdefault((url, digest), []).append(fetch_id)
        for batch in chunks(list(bare)):
            for url, digest, holder in conn.execute(
                    select(Fetch.url, Fetch.content_hash, func.min(Fetch.id))
                    .where(Fetch.url.in_({u for u, _ in batch}), Fetch.content_hash.in_({d for _, d in batch}),
                           Fetch.raw.is_not(None))
                    .group_by(Fetch.url, Fetch.content_hash)):
                for fetch_id in bare.get((url, digest), []):
                    present[fetch_id] = holder
        out: list[int | None] = []
        raws: dict[int, tuple[str, str]] = {}  # index → (url, sha256 of the bytes)
        for index, e in enumerate(entries):
            out.append(present.get(e.fetch_id) if e.fetch_id is not None else None)
            if e.fetch_id is None and e.raw is not None:
                digest = hashlib.sha256(e.raw).hexdigest()
                raws[index] = (e.fetch_url or e.report.source_url or f"sha256:{digest}", digest)
        if not raws:
            return out
        found: dict[tuple[str, str], int] = {}
        for batch in chunks(dict.fromkeys(raws.values())):
            found.update(((url, digest), fetch_id) for url, digest, fetch_id in conn.execute(
                select(Fetch.url, Fetch.content_hash, func.min(Fetch.id))
                .where(Fetch.url.in_({url for url, _ in batch}), Fetch.content_hash.in_({d for _, d in batch}))
                .group_by(Fetch.url, Fetch.content_hash)))
        rows: dict[tuple[str, str], dict[str, Any]] = {}
        for index, (url, digest) in raws.items():
            if (url, digest) not in found and (url, digest) not in rows:
                e = entries[index]
                rows[(url, digest)] = {"url": url, "http_status": e.http_status, "content_hash": digest,
                                       "raw": rawcodec.pack(e.raw), "content_type": e.content_type}
        found.update(zip(rows, insert_returning_ids(conn, Fetch.__table__, list(rows.values())), strict=True))
        for index, pair in raws.items():
            out[index] = found[pair]
        return out

    # ---- reading -------------------------------------------------------------------------

    def raw_bytes(self, report_id: int) -> bytes | None:
        """The bytes the report was parsed from, if they were stored."""
        with Session(self.engine) as session:
            raw = session.scalar(select(Fetch.raw).join(ReportRow, ReportRow.fetch_id == Fetch.id)
                                 .where(ReportRow.id == report_id))
        return rawcodec.unpack(raw) if raw is not None else None

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
    if "\x00" in text:  # SQLite's LIKE would stop at the NUL and match every unit
        return []
    like = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"  # literal % and _
    loose = select(UnitRow.id).where(or_(
        UnitRow.name.like(like, escape="\\"),
        UnitRow.id.in_(select(UnitName.unit_id).where(UnitName.variant.like(like, escape="\\")))))
    return list(session.scalars(loose))


def _read_unit_ids(conn: Connection, keys: Iterable[str], into: dict[str, int]) -> None:
    for batch in chunks(keys):
        into.update((key, unit_id) for key, unit_id in
                    conn.execute(select(UnitRow.unit_key, UnitRow.id).where(UnitRow.unit_key.in_(batch))))


def _report_values(report: Report, *, key: str, digest: str, version: int, unit_id: int,
                   fetch_id: int | None) -> dict[str, Any]:
    insp = report.inspection
    return {
        "notice_key": key, "version": version, "content_hash": digest, "schema_version": report.schema_version,
        "title": report.title, "issuer": report.issuer, "published_on": report.published_on,
        "source_url": report.source_url, "declared_issue_count": report.declared_issue_count,
        "inspector": insp.inspector, "inspector_level": insp.inspector_level, "round": insp.round,
        "started_on": insp.started_on, "ended_on": insp.ended_on, "feedback_on": insp.feedback_on,
        "warnings": list(report.warnings), "unit_id": unit_id, "fetch_id": fetch_id,
    }


def _insert_issues(conn: Connection, reports: list[tuple[int, Report]]) -> None:
    """The issues of newly inserted reports: all top-level issues in one statement, then all sub-issues.

    ``position`` keeps document order: a sub-issue comes right after its parent."""
    def values(report_id: int, issue: Issue, position: int, parent_id: int | None) -> dict[str, Any]:
        return {"report_id": report_id, "parent_id": parent_id, "position": position, "seq": issue.seq,
                "label": issue.label, "category": issue.category, "title": issue.title,
                "rectification": issue.rectification, "status": issue.status,
                "status_evidence": list(issue.status_evidence)}

    top: list[dict[str, Any]] = []
    subs: list[tuple[int, int, int, Issue]] = []  # (index of the parent in top, report id, position, sub-issue)
    for report_id, report in reports:
        position = 0
        for issue in report.issues:
            top.append(values(report_id, issue, position, None))
            subs.extend((len(top) - 1, report_id, position + 1 + k, sub) for k, sub in enumerate(issue.sub_issues))
            position += 1 + len(issue.sub_issues)
    if not subs:
        if top:
            insert_rows(conn, IssueRow.__table__, top)
        return
    parent_ids = insert_returning_ids(conn, IssueRow.__table__, top)
    insert_rows(conn, IssueRow.__table__, [values(report_id, sub, position, parent_ids[parent])
                                    for parent, report_id, position, sub in subs])


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
