"""A unit's stored reports in order, compared each with the one before it.

Reads the store's tables directly (SQLAlchemy Core selects of plain columns, several times
faster than ORM objects over hundreds of thousands of issues) and streams units in batches,
so tracking a large store needs memory for one batch only. Only the latest version of each
notice is used. Reports are ordered by ``published_on``, then id; undated reports come last.

A unit is a stored unit row (same province, city and name). A row that lacks the province or
city another row of the same name has (a notice that did not say which 鼓楼区) is merged into
that row when exactly one such fuller row fits (:mod:`tracker.units`).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import Engine, Text, cast, exists, select
from sqlalchemy.orm import Session

from crawler.parse.schema import Inspection, Issue, Report, Unit
from storage.models import IssueRow, ReportRow

from .compare import compare
from .model import Comparison, TrackedReport, Transition
from .rounds import same_round
from .threads import IssueThread, build_threads
from .units import UnitGroup, find_units, unit_groups

#: Units loaded per database round trip.
BATCH_UNITS = 100
#: Ids per ``IN (…)`` list (SQLite allows 32766 bound variables; keep well below).
IN_CHUNK = 900

Source = Any  # a Store (anything with ``.engine``), an Engine, or a Session


@dataclass
class UnitHistory:
    """A unit's reports in order and the comparison of each with the one before it."""

    unit: Unit
    unit_ids: list[int]
    names: list[str]
    reports: list[TrackedReport]
    comparisons: list[Comparison] = field(default_factory=list)

    def report(self, report_id: int) -> TrackedReport:
        for tracked in self.reports:
            if tracked.id == report_id:
                return tracked
        raise KeyError(report_id)

    def threads(self) -> list[IssueThread]:
        """Each issue's chain across the unit's reports (see :mod:`tracker.threads`)."""
        return build_threads(self.reports, self.comparisons)

    @property
    def alerts(self) -> list[tuple[Comparison, Transition]]:
        return [(c, t) for c in self.comparisons for t in c.alerts]


def order(reports: Iterable[TrackedReport]) -> list[TrackedReport]:
    """By publication date, then id (then given order); undated reports last."""
    indexed = list(enumerate(reports))
    indexed.sort(key=lambda p: (p[1].report.published_on is None, p[1].report.published_on or date.min,
                                p[1].id if p[1].id is not None else 0, p[0]))
    return [r for _, r in indexed]


def compare_all(reports: Sequence[Report | TrackedReport]) -> list[Comparison]:
    """Compare each report (in the given order) with the one before it."""
    tracked = [TrackedReport.of(r) for r in reports]
    return [_compare_at(tracked, k) for k in range(1, len(tracked))]


def _compare_at(reports: Sequence[TrackedReport], k: int) -> Comparison:
    """``reports[k]`` compared with ``reports[k-1]``; the previous round's report supplies links."""
    same = same_round(reports[k - 1].report, reports[k].report)
    j = _previous_round(reports, k) if same else None
    previous_round = reports[j] if j is not None else None
    return compare(reports[k - 1], reports[k], same_round=same, previous_round=previous_round)


def _previous_round(reports: Sequence[TrackedReport], k: int) -> int | None:
    """Index of the last report before ``reports[k]`` from another inspection round."""
    if k >= len(reports):
        return None
    return next((j for j in range(k - 1, -1, -1) if not same_round(reports[j].report, reports[k].report)), None)


def history(group: UnitGroup, reports: Iterable[TrackedReport]) -> UnitHistory:
    """The history of ``group`` from its (stored) reports, in any order."""
    ordered = order(reports)
    for tracked in ordered:
        tracked.report.unit = group.unit
    return UnitHistory(group.unit, list(group.unit_ids), list(group.names), ordered, compare_all(ordered))


# ---- reading the store -------------------------------------------------------------------------

@contextmanager
def _session(source: Source) -> Iterator[Session]:
    if isinstance(source, Session):
        yield source
        return
    engine: Engine = getattr(source, "engine", source)
    with Session(engine) as session:
        yield session


def iter_units(source: Source, unit: str | None = None, *, batch: int = BATCH_UNITS) -> Iterator[UnitHistory]:
    """Every unit's history (or only the units named ``unit``), streamed, ordered by unit name.

    Raises :class:`LookupError` when ``unit`` names no stored unit.
    """
    with _session(source) as session:
        groups = unit_groups(session)
        if unit is not None:
            groups = find_units(groups, unit)
            if not groups:
                raise LookupError(unit)
        for start in range(0, len(groups), batch):
            chunk = groups[start:start + batch]
            by_unit = {uid: g for g in chunk for uid in g.unit_ids}
            loaded = _load_reports(session, unit_ids=list(by_unit))
            per_group: dict[int, list[TrackedReport]] = {id(g): [] for g in chunk}
            for unit_id, tracked in loaded:
                per_group[id(by_unit[unit_id])].append(tracked)
            for g in chunk:
                if per_group[id(g)]:
                    yield history(g, per_group[id(g)])


def load_units(source: Source, unit: str | None = None) -> list[UnitHistory]:
    """:func:`iter_units` as a list."""
    return list(iter_units(source, unit))


def track_report(source: Source, report_id: int) -> list[Comparison]:
    """The comparisons a stored report takes part in: with the report before it and with the
    one after it (0–2 of them). Cheap: only the few reports involved are loaded.

    An older version's id stands for its notice's latest version. :class:`LookupError` if
    no report has that id.
    """
    with _session(source) as session:
        row = session.execute(select(ReportRow.unit_id, ReportRow.notice_key)
                              .where(ReportRow.id == report_id)).first()
        if row is None:
            raise LookupError(report_id)
        report_id = session.scalar(select(ReportRow.id).where(ReportRow.notice_key == row.notice_key)
                                   .order_by(ReportRow.version.desc()).limit(1))
        group = next(g for g in unit_groups(session, around=row.unit_id) if row.unit_id in g.unit_ids)
        metas = order(_load_reports(session, unit_ids=group.unit_ids, with_issues=False, pairs=False))
        k = next(i for i, m in enumerate(metas) if m.id == report_id)
        needed = {j for j in (k - 1, k, k + 1) if 0 <= j < len(metas)}
        needed.update(p for j in (k, k + 1) if (p := _previous_round(metas, j)) is not None)
        full = {t.id: t for t in _load_reports(session, report_ids=[metas[j].id for j in sorted(needed)],
                                               pairs=False)}
        reports = [full.get(m.id, m) for m in metas]
        for tracked in reports:
            tracked.report.unit = group.unit
        return [_compare_at(reports, j) for j in (k, k + 1) if 0 < j < len(reports)]


#: Copies of one notice on several sites are published within this many days of each other.
REPUBLISHED_WITHIN = 14

_R = ReportRow.__table__.c  # plain Core columns: no ORM row processing
_I = IssueRow.__table__.c
_COLUMNS = (_R.id, _R.unit_id, _R.title, _R.issuer, _R.published_on, _R.source_url, _R.declared_issue_count,
            _R.inspector, _R.inspector_level, _R.round, _R.started_on, _R.ended_on, _R.feedback_on,
            _R.schema_version, _R.content_hash)
#: status_evidence as its JSON text: most are ``[]``, decoded without the JSON parser.
_ISSUE_COLUMNS = (_I.id, _I.report_id, _I.parent_id, _I.seq, _I.label, _I.category, _I.title, _I.rectification,
                  _I.status, cast(_I.status_evidence, Text).label("evidence"))


def _load_reports(session: Session, *, unit_ids: Sequence[int] = (), report_ids: Sequence[int] = (),
                  with_issues: bool = True, pairs: bool = True) -> list[Any]:
    """Latest-version reports of ``unit_ids`` (or exactly ``report_ids``) as TrackedReports;
    as (unit_id, TrackedReport) pairs when ``pairs``."""
    conn = session.connection()
    newer = ReportRow.__table__.alias("newer")
    query = select(*_COLUMNS)
    rows = []
    if report_ids:
        for chunk in _chunks(report_ids):
            rows.extend(conn.execute(query.where(_R.id.in_(chunk))))
    else:
        query = query.where(~exists().where(newer.c.notice_key == _R.notice_key, newer.c.version > _R.version))
        for chunk in _chunks(unit_ids):
            rows.extend(conn.execute(query.where(_R.unit_id.in_(chunk))))
    if not report_ids:
        rows = _drop_republications(rows)
    tracked = {r.id: (r.unit_id, TrackedReport(_report(r), r.id)) for r in rows}
    if with_issues and tracked:
        _attach_issues(session, {rid: t for rid, (_, t) in tracked.items()})
    ordered = [tracked[rid] for rid in sorted(tracked)]
    return ordered if pairs else [t for _, t in ordered]


def _drop_republications(rows: list[Any]) -> list[Any]:
    """One row per notice: the same notice published at several URLs (a county portal and the provincial
    site, an HTML page and its PDF) is one report, not two successive ones. Same content (hash), or the
    same unit, title, inspector and inspection start published within :data:`REPUBLISHED_WITHIN` days,
    is the same notice; the first stored copy stands for it."""
    hashes: set[tuple[Any, ...]] = set()
    headers: dict[tuple[Any, ...], list[Any]] = {}
    kept = []
    for r in sorted(rows, key=lambda row: row.id):
        header = (r.unit_id, "".join((r.title or "").split()), r.inspector, r.started_on)
        if (r.unit_id, r.content_hash) in hashes or any(
                d is not None and r.published_on is not None and abs((d - r.published_on).days) <= REPUBLISHED_WITHIN
                for d in headers.get(header, [])):
            continue
        hashes.add((r.unit_id, r.content_hash))
        headers.setdefault(header, []).append(r.published_on)
        kept.append(r)
    return kept


def _attach_issues(session: Session, reports: dict[int, TrackedReport]) -> None:
    """Load the issues of ``reports`` in document order, sub-issues under their parents."""
    parents: dict[int, tuple[TrackedReport, int]] = {}
    conn = session.connection()
    for chunk in _chunks(sorted(reports)):
        query = select(*_ISSUE_COLUMNS).where(_I.report_id.in_(chunk)).order_by(_I.report_id, _I.position)
        rows = conn.execute(query).fetchall()  # one driver call, not one per row
        for issue_id, report_id, parent_id, seq, label, category, title, rect, status, evidence in rows:
            tracked = reports[report_id]
            issue = Issue(seq, label, category, title, rect or "", status,
                          [] if evidence in _NO_EVIDENCE else _evidence(evidence))
            if parent_id is None:
                parents[issue_id] = (tracked, len(tracked.report.issues))
                tracked.report.issues.append(issue)
                tracked.issue_ids.append(issue_id)
                tracked.sub_issue_ids.append([])
            elif parent_id in parents:
                owner, index = parents[parent_id]
                owner.report.issues[index].sub_issues.append(issue)
                owner.sub_issue_ids[index].append(issue_id)


_NO_EVIDENCE = frozenset((None, "", "[]", "null"))


def _evidence(raw: Any) -> list[str]:
    if not raw or raw in ("[]", "null"):
        return []
    value = json.loads(raw) if isinstance(raw, str) else raw
    return [str(v) for v in value] if isinstance(value, list) else []


def _report(r: Any) -> Report:
    return Report(title=r.title, issuer=r.issuer, published_on=r.published_on, source_url=r.source_url,
                  declared_issue_count=r.declared_issue_count, schema_version=r.schema_version,
                  inspection=Inspection(inspector=r.inspector, inspector_level=r.inspector_level, round=r.round,
                                        started_on=r.started_on, ended_on=r.ended_on, feedback_on=r.feedback_on))


def _chunks(ids: Sequence[int]) -> Iterator[list[int]]:
    ids = list(ids)
    for start in range(0, len(ids), IN_CHUNK):
        yield ids[start:start + IN_CHUNK]
