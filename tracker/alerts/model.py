"""The alert's data: what happened, to which issue of which unit, with its history and evidence.

Plain dataclasses, turned into JSON-ready dicts by :func:`alert_to_dict` (the ``--format json``
shape documented in :mod:`tracker.alerts`) and rendered by :mod:`tracker.alerts.render`.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

from crawler.parse.schema import STATUS_LABELS, Unit

#: Alert kinds in display order: issue rules, then source rules.
KINDS: tuple[str, ...] = ("stalled", "regressed", "dropped", "recurring", "overdue", "unresolved",
                          "site_failing", "followup_overdue")
ISSUE_KINDS = frozenset(KINDS[:6])

#: Kind names in both languages, for readers.
KIND_LABELS: dict[str, str] = {
    "stalled": "stalled 停滞",
    "regressed": "regressed 完成后反复",
    "dropped": "dropped 未报即消失",
    "recurring": "recurring 上轮问题再现",
    "overdue": "overdue 逾期未完成",
    "unresolved": "unresolved 多次通报未完成",
    "site_failing": "site failing 站点抓取失败",
    "followup_overdue": "follow-up overdue 通报逾期",
}

#: Status of an issue that is no longer listed (the step where it vanished).
ABSENT = "absent"
ABSENT_LABEL = "absent 未再列出"


def status_label(status: str | None) -> str:
    """``in progress 推进中`` for ``in_progress``; the absent marker for None."""
    if status is None:
        return ABSENT_LABEL
    return STATUS_LABELS.get(status, status)


@dataclass(frozen=True)
class ReportRef:
    """A report as an alert cites it."""

    id: int | None
    published_on: date | None
    source_url: str | None
    title: str | None = None

    @property
    def ref(self) -> str:
        """Stable identity: the source URL (the same across database rebuilds), else the stored id."""
        return self.source_url or f"report:{self.id}"


@dataclass(frozen=True)
class Step:
    """The issue in one report (``status`` None: it was no longer listed there)."""

    report: ReportRef
    label: str | None
    title: str | None
    status: str | None
    change: str | None = None
    evidence: tuple[str, ...] = ()
    kept: float | None = None
    issue_id: int | None = None


@dataclass(frozen=True)
class Segment:
    """One piece of a text diff: ``op`` is ``equal``, ``insert`` or ``delete``."""

    op: str
    text: str


@dataclass
class Alert:
    """One alert. ``date`` is the date it is filed under (what ``--since`` compares): the later
    report's date for issue alerts, the follow-up's due date, or the last failed crawl's date."""

    kind: str
    key: str
    date: date | None
    message: str
    unit: Unit | None = None
    site: str | None = None
    label: str | None = None
    title: str | None = None
    category: str | None = None
    status: str | None = None
    earlier: ReportRef | None = None
    later: ReportRef | None = None
    history: list[Step] = field(default_factory=list)
    evidence: list[str] = field(default_factory=list)
    rectification: str | None = None
    diff: list[Segment] | None = None
    kept: float | None = None
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def kind_label(self) -> str:
        return KIND_LABELS.get(self.kind, self.kind)

    @property
    def unit_name(self) -> str:
        return (self.unit.name if self.unit else None) or ""


@dataclass
class ReportBar:
    """A report's issue count per status, for the per-unit chart."""

    report: ReportRef
    counts: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.counts.values())


@dataclass
class UnitSummary:
    """A unit with alerts: its reports in order and their status counts."""

    unit: Unit
    bars: list[ReportBar]


@dataclass
class AlertSet:
    """The result of one collection: alerts in order, and the units they concern."""

    alerts: list[Alert]
    units: list[UnitSummary]
    as_of: date

    def counts(self) -> dict[str, int]:
        got: dict[str, int] = {}
        for a in self.alerts:
            got[a.kind] = got.get(a.kind, 0) + 1
        return {k: got[k] for k in KINDS if k in got}


def unit_key(unit: Unit | None) -> str:
    return "|".join(part or "" for part in (unit.province, unit.city, unit.name)) if unit else ""


def alert_key(kind: str, subject: str, identity: str, pair: tuple[str | None, str | None]) -> str:
    """A stable key: sha256 (first 32 hex digits) of kind, unit (or site), issue identity and report pair."""
    raw = json.dumps([kind, subject, identity, list(pair)], ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()[:32]


# ---- JSON ---------------------------------------------------------------------------------------

def _iso(value: date | None) -> str | None:
    return value.isoformat() if value is not None else None


def report_to_dict(ref: ReportRef | None) -> dict[str, Any] | None:
    if ref is None:
        return None
    return {"id": ref.id, "published_on": _iso(ref.published_on), "source_url": ref.source_url, "title": ref.title}


def alert_to_dict(a: Alert) -> dict[str, Any]:
    return {
        "key": a.key,
        "kind": a.kind,
        "kind_label": a.kind_label,
        "date": _iso(a.date),
        "message": a.message,
        "unit": {"name": a.unit.name, "province": a.unit.province, "city": a.unit.city} if a.unit else None,
        "site": a.site,
        "issue": None if a.kind not in ISSUE_KINDS else {
            "label": a.label, "title": a.title, "category": a.category, "status": a.status,
            "status_label": status_label(a.status) if a.status else None},
        "earlier": report_to_dict(a.earlier),
        "later": report_to_dict(a.later),
        "history": [{"report": report_to_dict(s.report), "label": s.label, "status": s.status or ABSENT,
                     "status_label": status_label(s.status), "change": s.change, "evidence": list(s.evidence),
                     "kept": round(s.kept, 3) if s.kept is not None else None} for s in a.history],
        "evidence": list(a.evidence),
        "rectification": a.rectification,
        "diff": [asdict(s) for s in a.diff] if a.diff is not None else None,
        "kept": round(a.kept, 3) if a.kept is not None else None,
        "details": a.details,
    }


def unit_summary_to_dict(u: UnitSummary) -> dict[str, Any]:
    return {"unit": {"name": u.unit.name, "province": u.unit.province, "city": u.unit.city},
            "reports": [{**(report_to_dict(b.report) or {}), "counts": b.counts} for b in u.bars]}
