"""Alerts: what a reader should look at, found by rules over the tracker's results.

Modules: :mod:`~tracker.alerts.config` (``config/alerts.yaml``), :mod:`~tracker.alerts.chains`
(issues followed across reports), :mod:`~tracker.alerts.rules` (the rules),
:mod:`~tracker.alerts.collect` (a store's alerts), :mod:`~tracker.alerts.diff` (text diffs),
:mod:`~tracker.alerts.render` / :mod:`~tracker.alerts.html` (text, Markdown, JSON, CSV, HTML),
:mod:`~tracker.alerts.notify` and :mod:`~tracker.alerts.deliveries` (Apprise digests, sent once).

``rectrack alerts --format json`` prints::

    {"as_of": "YYYY-MM-DD", "counts": {kind: n},
     "alerts": [{"key", "kind", "kind_label", "date", "message",
                 "unit": {"name", "province", "city"} | null, "site": str | null,
                 "issue": {"label", "title", "category", "status", "status_label"} | null,
                 "earlier": Report | null, "later": Report | null,
                 "history": [{"report": Report, "label", "status", "status_label", "change", "evidence", "kept"}],
                 "evidence": [str], "rectification": str | null,
                 "diff": [{"op": "equal" | "insert" | "delete", "text"}] | null, "kept": float | null,
                 "details": {...}}],
     "units": [{"unit": {...}, "reports": [Report + {"counts": {status: n}}]}]}

with ``Report = {"id", "published_on", "source_url", "title"}``. ``history`` is the issue's
chain across the unit's reports; a step with status ``absent`` is the report where it was no
longer listed. ``date`` is what ``--since`` compares: the later report's date for issue alerts,
the due date for ``followup_overdue``, the last failed crawl for ``site_failing``.
"""

from .collect import collect, collect_reports
from .config import AlertsConfig, load_alerts_config
from .model import KIND_LABELS, KINDS, Alert, AlertSet

__all__ = ["KINDS", "KIND_LABELS", "Alert", "AlertSet", "AlertsConfig", "collect", "collect_reports",
           "load_alerts_config"]
