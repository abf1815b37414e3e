"""Full-text search over issue titles and rectification texts.

SQL ``LIKE`` with bound parameters on the NFKC-normalised query (the parser stores NFKC text, so
full-width and half-width forms meet), ``%``/``_``/``\\`` in the query escaped; latest versions of
each notice only, newest first. Portable (SQLite and PostgreSQL); a scan, fine for a few million
issues. Counting stops at :data:`COUNT_CAP` matches.
"""

from __future__ import annotations

from sqlalchemy import exists, func, or_, select
from sqlalchemy.orm import Session

from storage.models import IssueRow, ReportRow
from tracker.alerts.model import status_label
from tracker.units import UnitGroup

from .cache import Snapshot
from .schemas import SearchHit, SearchResult
from .views import norm, paging, unit_ref

PER_PAGE = 30
COUNT_CAP = 1000


def like_pattern(text: str) -> str:
    """``%text%`` with LIKE's wildcards in ``text`` escaped (escape character ``\\``)."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def search(snap: Snapshot, q: str, *, unit: UnitGroup | None = None, status: str | None = None, page: int = 1,
           per_page: int = PER_PAGE) -> SearchResult:
    """Issues whose title or rectification text contains ``q`` (empty ``q``: no hits)."""
    text = norm(q)
    filters = {"unit": str(unit.unit_ids[0]) if unit else None, "status": status}
    if not text:
        return SearchResult(query="", filters=filters, paging=paging(0, 1, per_page), hits=[])
    pattern = like_pattern(text)
    newer = ReportRow.__table__.alias("newer")
    where = [or_(IssueRow.title.like(pattern, escape="\\"), IssueRow.rectification.like(pattern, escape="\\")),
             ~exists().where(newer.c.notice_key == ReportRow.notice_key, newer.c.version > ReportRow.version)]
    if unit is not None:
        where.append(ReportRow.unit_id.in_(unit.unit_ids))
    if status:
        where.append(IssueRow.status == status)
    base = select(IssueRow.id).join(ReportRow, ReportRow.id == IssueRow.report_id).where(*where)
    query = (select(IssueRow.id, IssueRow.report_id, IssueRow.label, IssueRow.title, IssueRow.rectification,
                    IssueRow.status, ReportRow.published_on, ReportRow.unit_id)
             .join(ReportRow, ReportRow.id == IssueRow.report_id).where(*where)
             .order_by(ReportRow.published_on.is_(None), ReportRow.published_on.desc(), IssueRow.report_id.desc(),
                       IssueRow.position)
             .limit(per_page).offset((page - 1) * per_page))
    with Session(snap.engine) as session:
        total = session.scalar(select(func.count()).select_from(base.limit(COUNT_CAP).subquery())) or 0
        rows = list(session.execute(query))
    hits = []
    for r in rows:
        group = snap.group(r.unit_id)
        matched = [name for name, value in (("title", r.title), ("rectification", r.rectification))
                   if value and text in value]
        hits.append(SearchHit(issue_id=r.id, report_id=r.report_id, unit=unit_ref(group) if group else None,
                              published_on=r.published_on, label=r.label, title=r.title,
                              rectification=r.rectification or "", status=r.status,
                              status_label=status_label(r.status), matched=matched))
    return SearchResult(query=text, filters=filters, paging=paging(total, page, per_page), hits=hits)


def highlight(text: str | None, query: str, *, context: int = 60) -> list[tuple[bool, str]]:
    """``text`` cut around the first match of ``query`` as (is_match, piece) pairs, for ``<mark>``."""
    text = text or ""
    if not query or query not in text:
        return [(False, text[: 2 * context] + ("…" if len(text) > 2 * context else ""))]
    start = text.index(query)
    lo = max(0, start - context)
    hi = min(len(text), start + len(query) + context)
    pieces: list[tuple[bool, str]] = [(False, ("…" if lo else "") + text[lo:start]), (True, query)]
    rest = text[start + len(query):hi]
    while query in rest:  # later matches inside the shown window
        at = rest.index(query)
        pieces += [(False, rest[:at]), (True, query)]
        rest = rest[at + len(query):]
    pieces.append((False, rest + ("…" if hi < len(text) else "")))
    return [p for p in pieces if p[1]]
