"""Collect the alerts of a store: every unit's history through the rules, then the crawl log.

Units are streamed (:func:`tracker.history.iter_units`), so memory holds one batch of units plus
the alerts found; ``--since``, ``--unit`` and ``--kind`` are applied here.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date

from crawler.parse.schema import Report

from ..history import UnitHistory, compare_all, iter_units, order
from ..model import TrackedReport
from .config import AlertsConfig
from .model import KINDS, Alert, AlertSet
from .rules import site_alerts, unit_alerts, unit_summary


def active_kinds(config: AlertsConfig, kinds: Iterable[str] | None = None) -> list[str]:
    """Kinds both switched on in the configuration and asked for (all when ``kinds`` is empty)."""
    wanted = set(kinds or ()) or set(KINDS)
    return [k for k in KINDS if k in wanted and config.enabled(k)]


def collect(store: object, config: AlertsConfig, *, unit: str | None = None, since: date | None = None,
            kinds: Iterable[str] | None = None, today: date | None = None) -> AlertSet:
    """All alerts of the store (or of the units named ``unit``: :class:`LookupError` if none is)."""
    today = today or date.today()
    active = active_kinds(config, kinds)
    result = AlertSet([], [], today)
    for h in iter_units(store, unit):
        add_unit(result, h, config, active, since)
    if unit is None and "site_failing" in active:
        result.alerts.extend(keep(site_alerts(_site_runs(store), config), since))
    return result


def add_unit(result: AlertSet, h: UnitHistory, config: AlertsConfig, active: Sequence[str],
             since: date | None) -> None:
    """The unit's alerts (sorted by kind, then date) and, when it has any, its chart data."""
    found = keep(unit_alerts(h, config, result.as_of, active), since)
    if not found:
        return
    found.sort(key=lambda a: (KINDS.index(a.kind), a.date is None, a.date or date.min))
    result.alerts.extend(found)
    result.units.append(unit_summary(h))


def keep(alerts: list[Alert], since: date | None) -> list[Alert]:
    """Alerts filed on or after ``since`` (undated ones only without ``since``)."""
    if since is None:
        return alerts
    return [a for a in alerts if a.date is not None and a.date >= since]


def collect_reports(reports: Sequence[Report | TrackedReport], config: AlertsConfig | None = None, *,
                    today: date | None = None, kinds: Iterable[str] | None = None) -> AlertSet:
    """The alerts of in-memory reports of one unit (no database): for tests and one-off checks."""
    config = config or AlertsConfig()
    ordered = order(TrackedReport.of(r) for r in reports)
    h = UnitHistory(ordered[0].report.unit, [], [], ordered, compare_all(ordered))
    result = AlertSet([], [], today or date.today())
    add_unit(result, h, config, active_kinds(config, kinds), None)
    return result


def _site_runs(store: object) -> dict[str, list]:
    """Each site's runs, newest first, from the crawl log."""
    from storage.crawllog import CrawlLog

    log = CrawlLog(store)  # type: ignore[arg-type]
    return {site: log.runs(site, limit=1000) for site in log.last_runs_by_site()}
