"""The tracker's results as JSON-ready dicts (the ``rectrack track --json`` shape of SCHEMA.md).

Contract fields first (``unit``, ``reports`` with id/title/published_on/source_url,
``comparisons`` with earlier/later/transitions, each transition with change, labels,
statuses, title and similarity); the rest are extras: database ids, ``same_round``,
``counts``, ``kept``/``fresh`` shares of the rectification text, ``alert``, ``recurring``,
``evidence`` and ``sub_transitions``.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from .history import UnitHistory
from .model import Comparison, RecurringLink, TrackedReport, Transition


def history_to_dict(h: UnitHistory) -> dict[str, Any]:
    return {
        "unit": asdict(h.unit),
        "unit_ids": h.unit_ids,
        "names": h.names,
        "reports": [report_to_dict(r) for r in h.reports],
        "comparisons": [comparison_to_dict(c) for c in h.comparisons],
    }


def report_to_dict(r: TrackedReport) -> dict[str, Any]:
    rep, insp = r.report, r.report.inspection
    return {
        "id": r.id,
        "title": rep.title,
        "published_on": _iso(rep.published_on),
        "source_url": rep.source_url,
        "issue_count": len(rep.issues),
        "inspector": insp.inspector,
        "inspection_started_on": _iso(insp.started_on),
    }


def comparison_to_dict(c: Comparison) -> dict[str, Any]:
    return {
        "earlier": c.earlier_id,
        "later": c.later_id,
        "same_round": c.same_round,
        "counts": c.counts(),
        "transitions": [transition_to_dict(t) for t in c.transitions],
    }


def transition_to_dict(t: Transition) -> dict[str, Any]:
    out: dict[str, Any] = {
        "change": t.change,
        "earlier_label": t.earlier_label,
        "later_label": t.later_label,
        "earlier_status": t.earlier_status,
        "later_status": t.later_status,
        "title": t.title,
        "similarity": _round(t.similarity),
        "kept": _round(t.kept),
        "fresh": _round(t.fresh),
        "alert": t.is_alert,
        "earlier_issue_id": t.earlier_issue_id,
        "later_issue_id": t.later_issue_id,
        "category": (t.later.category if t.later else None) or (t.earlier.category if t.earlier else None),
        "recurring": recurring_to_dict(t.recurring),
        "evidence": {"earlier": list(t.earlier.status_evidence) if t.earlier else [],
                     "later": list(t.later.status_evidence) if t.later else []},
    }
    if t.sub_transitions:
        out["sub_transitions"] = [transition_to_dict(s) for s in t.sub_transitions]
    return out


def recurring_to_dict(link: RecurringLink | None) -> dict[str, Any] | None:
    return asdict(link) if link is not None else None


def _round(value: float | None) -> float | None:
    return round(value, 3) if value is not None else None


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None
