"""View models of the units and alerts pages (also the JSON API), built from a :class:`Snapshot`."""

from __future__ import annotations

import bisect
import math
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import date

from crawler.parse.schema import STATUSES
from tracker.alerts.model import ABSENT, KINDS, Alert, status_label
from tracker.alerts.model import ReportRef as AlertReport
from tracker.model import CHANGE_LABELS
from tracker.units import UnitGroup, find_units

from .cache import Digest, Snapshot
from .schemas import (
    AlertIssue,
    AlertList,
    AlertOut,
    AlertStep,
    Counts,
    DiffSegment,
    Page,
    ReportRef,
    ThreadOut,
    TimelineEntry,
    UnitDetail,
    UnitItem,
    UnitList,
    UnitRef,
)

UNITS_PER_PAGE = 30
ALERTS_PER_PAGE = 50


def norm(text: str | None) -> str:
    """NFKC, without control characters, trimmed: how queries are compared with the stored (NFKC) texts."""
    text = unicodedata.normalize("NFKC", text or "")
    return "".join(ch for ch in text if ch >= " " and ch != "\x7f").strip()


def paging(total: int, page: int, per_page: int) -> Page:
    return Page(page=page, per_page=per_page, total=total, pages=max(1, math.ceil(total / per_page)))


def unit_ref(group: UnitGroup) -> UnitRef:
    u = group.unit
    return UnitRef(id=group.unit_ids[0], name=u.name, province=u.province, city=u.city, level=u.level, adcode=u.adcode)


def counts(d: Digest) -> Counts:
    return Counts(reports=d.reports, issues=d.issues, open=d.open, stalled=d.stalled, resolved=d.resolved,
                  alerts=len(d.alerts))


def report_ref(ref: AlertReport | None) -> ReportRef | None:
    if ref is None:
        return None
    return ReportRef(id=ref.id, published_on=ref.published_on, source_url=ref.source_url, title=ref.title)


# ---- units ----------------------------------------------------------------------------------------

def filter_units(snap: Snapshot, q: str | None, province: str | None, city: str | None) -> list[UnitGroup]:
    """Units by any name they were seen under (or part of one, or an adcode), province and city."""
    groups = snap.groups
    q, province, city = norm(q), norm(province), norm(city)
    if q:
        groups = find_units(groups, q)
    if province:
        groups = [g for g in groups if g.unit.province == province]
    if city:
        groups = [g for g in groups if g.unit.city == city or (g.unit.city and city in g.unit.city)]
    return groups


def unit_list(snap: Snapshot, *, q: str | None = None, province: str | None = None, city: str | None = None,
              page: int = 1, per_page: int = UNITS_PER_PAGE) -> UnitList:
    groups = filter_units(snap, q, province, city)
    shown = groups[(page - 1) * per_page: page * per_page]
    items = [UnitItem(unit=unit_ref(d.group), counts=counts(d), first_published_on=d.first_on,
                      last_published_on=d.last_on, names=list(d.group.names))
             for d in snap.digests(shown)]
    return UnitList(filters={"q": q or None, "province": province or None, "city": city or None},
                    paging=paging(len(groups), page, per_page), units=items, provinces=snap.provinces)


def unit_detail(snap: Snapshot, group: UnitGroup) -> UnitDetail:
    h = snap.history(group)
    d = snap.digest(group)
    timeline: list[TimelineEntry] = []
    issues: list[ThreadOut] = []
    if h is not None:
        for k, tracked in enumerate(h.reports):
            statuses = dict.fromkeys(STATUSES, 0)
            for i in tracked.report.issues:
                statuses[i.status if i.status in statuses else "unclear"] += 1
            comparison = h.comparisons[k - 1] if k else None
            changes = comparison.counts() if comparison else {}
            r = tracked.report
            timeline.append(TimelineEntry(
                report=ReportRef(id=tracked.id, published_on=r.published_on, source_url=r.source_url, title=r.title),
                inspector=r.inspection.inspector, round=r.inspection.round, statuses=statuses, changes=changes,
                change_labels={c: CHANGE_LABELS.get(c, c) for c in changes},
                same_round=comparison.same_round if comparison else None))
        for t in h.threads():
            first = h.reports[t.first.report_index].report
            issues.append(ThreadOut(issue_id=t.last.issue_id, label=t.last.label, title=t.last.title,
                                    status=t.last.status, status_label=status_label(t.last.status),
                                    first_published_on=first.published_on, reports=len(t.steps),
                                    changes=t.changes, ended=t.ended, open=t.open))
        issues.sort(key=lambda t: (t.ended is not None, not t.open, _label_key(t.label)))
    return UnitDetail(unit=unit_ref(group), names=list(group.names), counts=counts(d), timeline=timeline,
                      issues=issues, alerts=[alert_out(a, group) for a in d.alerts])


def _label_key(label: str | None) -> tuple:
    digits = "".join(ch for ch in label or "" if ch.isdigit())
    return (int(digits) if digits else math.inf, label or "")


# ---- alerts ---------------------------------------------------------------------------------------

def alert_out(a: Alert, group: UnitGroup | None) -> AlertOut:
    issue = None
    if a.kind in ("stalled", "regressed", "dropped", "recurring", "overdue", "unresolved"):
        last_id = next((s.issue_id for s in reversed(a.history) if s.issue_id is not None), None)
        issue = AlertIssue(id=last_id, label=a.label, title=a.title, category=a.category, status=a.status,
                           status_label=status_label(a.status) if a.status else None)
    return AlertOut(
        key=a.key, kind=a.kind, kind_label=a.kind_label, date=a.date, message=a.message,
        unit=unit_ref(group) if group is not None else None, site=a.site, issue=issue,
        earlier=report_ref(a.earlier), later=report_ref(a.later),
        history=[AlertStep(report=report_ref(s.report), issue_id=s.issue_id, label=s.label, status=s.status or ABSENT,
                           status_label=status_label(s.status), change=s.change, kept=s.kept)
                 for s in a.history],
        evidence=list(a.evidence), diff=[DiffSegment(op=s.op, text=s.text) for s in a.diff] if a.diff else None,
        kept=a.kept)


def site_alerts(snap: Snapshot) -> list[Alert]:
    """``site_failing`` alerts from the crawl log (cheap: a few queries)."""
    if not snap.config.enabled("site_failing"):
        return []
    from storage.crawllog import CrawlLog
    from tracker.alerts.rules import site_alerts as rule

    log = CrawlLog(_StoreLike(snap))  # type: ignore[arg-type]
    runs = {site: log.runs(site, limit=1000) for site in log.last_runs_by_site()}
    return rule(runs, snap.config)


class _StoreLike:
    """What :class:`storage.crawllog.CrawlLog`'s reading methods need of a Store."""

    def __init__(self, snap: Snapshot) -> None:
        self.engine = snap.engine


def alert_list(snap: Snapshot, *, kinds: Sequence[str] = (), province: str | None = None,
               unit: UnitGroup | None = None, since: date | None = None, until: date | None = None,
               page: int = 1, per_page: int = ALERTS_PER_PAGE) -> AlertList:
    """Alerts newest first, filtered; per-kind counts of the filtered alerts (before paging)."""
    province = norm(province) or None
    found: list[Entry]
    if unit is not None:
        found = _sorted((a, unit) for a in snap.digest(unit).alerts)
    elif province is not None and not snap.complete:  # not every unit is tracked yet: only this province's
        groups = [g for g in snap.groups if g.unit.province == province]
        found = _sorted((a, d.group) for d in snap.digests(groups) for a in d.alerts)
    else:
        found = snap.memo("alerts", lambda: _sorted((a, d.group) for d in snap.all_digests()
                                                    for a in d.alerts))  # type: ignore[assignment]
        if province is not None:
            found = [e for e in found if e[1] is not None and e[1].unit.province == province]
        else:
            found = list(found)
            for a in site_alerts(snap):  # not cached: a crawl changes them without storing a report
                bisect.insort(found, (a, None), key=_sort_key)
    wanted = set(kinds)
    if wanted or since or until:
        found = [(a, g) for a, g in found if (not wanted or a.kind in wanted)
                 and (since is None or (a.date is not None and a.date >= since))
                 and (until is None or (a.date is not None and a.date <= until))]
    per_kind = Counter(a.kind for a, _ in found)
    shown = found[(page - 1) * per_page: page * per_page]
    return AlertList(as_of=snap.today, counts={k: per_kind[k] for k in KINDS if per_kind[k]},
                     paging=paging(len(found), page, per_page),
                     filters={"kind": sorted(wanted) or None, "province": province,
                              "unit": str(unit.unit_ids[0]) if unit else None,
                              "since": since.isoformat() if since else None,
                              "until": until.isoformat() if until else None},
                     alerts=[alert_out(a, g) for a, g in shown])


Entry = tuple[Alert, UnitGroup | None]


def _sort_key(entry: Entry) -> tuple:
    """Newest first; then by kind, unit and label."""
    a, g = entry
    return (a.date is None, -(a.date or date.min).toordinal(), _KIND_ORDER.get(a.kind, len(KINDS)),
            (g.unit.name or "") if g else "", a.label or "")


def _sorted(entries: Iterable[Entry]) -> list[Entry]:
    return sorted(entries, key=_sort_key)


_KIND_ORDER = {k: n for n, k in enumerate(KINDS)}
