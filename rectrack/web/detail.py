"""View models of one report and of one issue's history, and the stored raw page of a report."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage import rawcodec
from storage.models import Fetch, IssueRow, ReportRow
from tracker import recurring as recurring_mod
from tracker.alerts.chains import Chain, Chains, Pos
from tracker.alerts.diff import text_diff
from tracker.alerts.model import ABSENT, status_label
from tracker.history import UnitHistory
from tracker.model import CHANGE_LABELS, Comparison, RecurringLink, TrackedReport, Transition

from .cache import Snapshot
from .schemas import (
    DiffSegment,
    HistoryStep,
    IssueDetail,
    IssueOut,
    RawInfo,
    RecurringOut,
    ReportDetail,
    ReportRef,
    VanishedOut,
)
from .views import alert_out, unit_ref


class NotFound(LookupError):
    """No such report or issue (an HTTP 404)."""


# ---- a report -------------------------------------------------------------------------------------

def report_detail(snap: Snapshot, report_id: int) -> ReportDetail:
    with Session(snap.engine) as session:
        row = session.get(ReportRow, report_id)
        if row is None:
            raise NotFound(f"report {report_id}")
        versions = [{"id": i, "version": v} for i, v in session.execute(
            select(ReportRow.id, ReportRow.version).where(ReportRow.notice_key == row.notice_key)
            .order_by(ReportRow.version))]
        issues = list(session.execute(select(IssueRow.id, IssueRow.parent_id, IssueRow.seq, IssueRow.label,
                                             IssueRow.category, IssueRow.title, IssueRow.rectification,
                                             IssueRow.status, IssueRow.status_evidence)
                                      .where(IssueRow.report_id == report_id).order_by(IssueRow.position)))
        fetch = session.execute(select(Fetch.content_type, Fetch.url, Fetch.raw.is_not(None))
                                .where(Fetch.id == row.fetch_id)).first() if row.fetch_id else None
        group = snap.group(row.unit_id)
        if group is None:  # stored after this snapshot's units were read: impossible within one version
            raise NotFound(f"report {report_id}")
        values = _columns(row)
    h = snap.history(group)
    tracked, comparison = _tracked(h, report_id)
    changes = _changes(comparison)
    by_id: dict[int, IssueOut] = {}
    top: list[IssueOut] = []
    index: dict[int, int] = {}  # a top-level issue's row id → its index in the report
    for r in issues:
        if r.parent_id is None:
            pos: Pos | None = (len(top), None)
        elif r.parent_id in index:
            pos = (index[r.parent_id], len(by_id[r.parent_id].sub_issues))
        else:
            pos = None
        change = changes.get(pos) if pos else None
        out = IssueOut(id=r.id, seq=r.seq, label=r.label, category=r.category, title=r.title,
                       rectification=r.rectification or "", status=r.status, status_label=status_label(r.status),
                       evidence=list(r.status_evidence or []), change=change,
                       change_label=CHANGE_LABELS.get(change) if change else None)
        by_id[r.id] = out
        if r.parent_id is None:
            index[r.id] = len(top)
            top.append(out)
        elif r.parent_id in by_id:
            by_id[r.parent_id].sub_issues.append(out)
    vanished = [VanishedOut(issue_id=t.earlier_issue_id, label=t.earlier_label, title=t.title, change=t.change,
                            change_label=CHANGE_LABELS.get(t.change, t.change))
                for t in (comparison.transitions if comparison else ()) if t.later_index is None]
    available = bool(fetch and fetch[2])
    return ReportDetail(
        id=report_id, versions=versions, latest_id=versions[-1]["id"], tracked=tracked is not None,
        unit=unit_ref(group), issues=top, vanished=vanished,
        raw=RawInfo(available=available, content_type=fetch[0] if fetch else None,
                    fetched_url=fetch[1] if fetch else None,
                    download=f"/reports/{report_id}/raw" if available else None),
        **values)


def _columns(row: ReportRow) -> dict[str, Any]:
    iso = lambda d: d.isoformat() if d else None  # noqa: E731
    return {"version": row.version, "title": row.title, "issuer": row.issuer, "published_on": row.published_on,
            "source_url": row.source_url, "declared_issue_count": row.declared_issue_count,
            "warnings": list(row.warnings or []),
            "inspection": {"inspector": row.inspector, "inspector_level": row.inspector_level, "round": row.round,
                           "started_on": iso(row.started_on), "ended_on": iso(row.ended_on),
                           "feedback_on": iso(row.feedback_on)}}


def _tracked(h: UnitHistory | None, report_id: int) -> tuple[TrackedReport | None, Comparison | None]:
    """The report in its unit's history and its comparison with the report before (None where absent)."""
    if h is None:
        return None, None
    for k, t in enumerate(h.reports):
        if t.id == report_id:
            return t, h.comparisons[k - 1] if k else None
    return None, None


def _changes(comparison: Comparison | None) -> dict[Pos, str]:
    out: dict[Pos, str] = {}
    for t in comparison.transitions if comparison else ():
        if t.later_index is None:
            continue
        out[(t.later_index, None)] = t.change
        for s in t.sub_transitions:
            if s.later_index is not None:
                out[(t.later_index, s.later_index)] = s.change
    return out


@dataclass(frozen=True)
class Raw:
    data: bytes
    content_type: str | None
    url: str | None


def raw_page(snap: Snapshot, report_id: int) -> Raw:
    """The bytes the report was parsed from; :class:`NotFound` when none were stored."""
    with Session(snap.engine) as session:
        found = session.execute(select(Fetch.raw, Fetch.content_type, Fetch.url)
                                .join(ReportRow, ReportRow.fetch_id == Fetch.id)
                                .where(ReportRow.id == report_id)).first()
    if found is None or found[0] is None:
        raise NotFound(f"raw page of report {report_id}")
    return Raw(rawcodec.unpack(found[0]), found[1], found[2])


# ---- an issue's history ---------------------------------------------------------------------------

def issue_detail(snap: Snapshot, issue_id: int) -> IssueDetail:
    with Session(snap.engine) as session:
        found = session.execute(select(IssueRow, ReportRow).join(ReportRow, ReportRow.id == IssueRow.report_id)
                                .where(IssueRow.id == issue_id)).first()
        if found is None:
            raise NotFound(f"issue {issue_id}")
        row, report = found
        parent_label = session.scalar(select(IssueRow.label).where(IssueRow.id == row.parent_id)) \
            if row.parent_id else None
        group = snap.group(report.unit_id)
        if group is None:
            raise NotFound(f"issue {issue_id}")
        alone = HistoryStep(report=ReportRef(id=report.id, published_on=report.published_on,
                                             source_url=report.source_url, title=report.title),
                            issue_id=row.id, label=row.label, category=row.category, title=row.title,
                            rectification=row.rectification, status=row.status, status_label=status_label(row.status),
                            change=None, change_label=None, kept=None, similarity=None,
                            evidence=list(row.status_evidence or []), rectification_diff=None, title_diff=None)
    h = snap.history(group)
    located = _locate(h, issue_id) if h is not None else None
    if located is None or h is None:
        return IssueDetail(id=issue_id, unit=unit_ref(group), tracked=False, parent_label=parent_label, steps=[alone],
                           ended=None, recurring=None, alerts=[])
    chains = Chains(h.reports, h.comparisons)
    chain = next(c for c in chains.chains() if located in c.cells)
    steps = _steps(h, chains, chain)
    ended = None
    if chain.ended is not None:
        t = h.reports[chain.cells[-1][0] + 1]
        change = chain.ended.transition.change
        ended = HistoryStep(report=_ref(t), issue_id=None, label=None, category=None, title=None, rectification=None,
                            status=ABSENT, status_label=status_label(None), change=change,
                            change_label=CHANGE_LABELS.get(change, change), kept=None, similarity=None, evidence=[],
                            rectification_diff=None, title_diff=None)
    ids = {s.issue_id for s in steps}
    alerts = [alert_out(a, group) for a in snap.digest(group).alerts if any(s.issue_id in ids for s in a.history)]
    return IssueDetail(id=issue_id, unit=unit_ref(group), tracked=True, parent_label=parent_label, steps=steps,
                       ended=ended, recurring=_recurring(chains, chain), alerts=alerts)


def _ref(t: TrackedReport) -> ReportRef:
    r = t.report
    return ReportRef(id=t.id, published_on=r.published_on, source_url=r.source_url, title=r.title)


def _locate(h: UnitHistory, issue_id: int) -> tuple[int, Pos] | None:
    for k, t in enumerate(h.reports):
        for i, iid in enumerate(t.issue_ids):
            if iid == issue_id:
                return k, (i, None)
            for s, sid in enumerate(t.sub_issue_ids[i] if i < len(t.sub_issue_ids) else ()):
                if sid == issue_id:
                    return k, (i, s)
    return None


def _steps(h: UnitHistory, chains: Chains, chain: Chain) -> list[HistoryStep]:
    out: list[HistoryStep] = []
    previous = None
    for c, (k, pos) in enumerate(chain.cells):
        issue = chains.issue(k, pos)
        link = chains.link_into(k, pos) if c else None
        t: Transition | None = link.transition if link is not None else None
        change = t.change if t is not None else None
        rect_diff = title_diff = None
        if previous is not None:
            rect_diff = _segments(text_diff(previous.rectification, issue.rectification))
            if (previous.title or "") != (issue.title or ""):
                title_diff = _segments(text_diff(previous.title, issue.title))
        out.append(HistoryStep(report=_ref(h.reports[k]), issue_id=chains.issue_id(k, pos), label=issue.label,
                               category=issue.category, title=issue.title, rectification=issue.rectification,
                               status=issue.status, status_label=status_label(issue.status), change=change,
                               change_label=CHANGE_LABELS.get(change) if change else None,
                               kept=t.kept if t else None, similarity=t.similarity if t else None,
                               evidence=list(issue.status_evidence), rectification_diff=rect_diff,
                               title_diff=title_diff))
        previous = issue
    return out


def _segments(segments: list) -> list[DiffSegment]:
    return [DiffSegment(op=s.op, text=s.text) for s in segments]


def _recurring(chains: Chains, chain: Chain) -> RecurringOut | None:
    found: RecurringLink | None = None
    for c, (k, pos) in enumerate(chain.cells):
        link = chains.link_into(k, pos)
        found = link.transition.recurring if link is not None else None
        if found is None and c == 0:
            found = recurring_mod.stated_link(chains.issue(k, pos))
        if found is not None:
            break
    if found is None:
        return None
    return RecurringOut(stated=found.stated, issue_id=found.issue_id, report_id=found.report_id, label=found.label,
                        title=found.title, similarity=found.similarity)
