"""One complete cycle — crawl, track, alert report, notifications — as ``rectrack run`` and the scheduler do it.

The crawl runs in its own process (a Twisted reactor cannot be restarted); tracking, the report and
the notifications run here, after it. One cycle at a time per database (:class:`storage.runlock.RunLock`).
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from crawler.config import SiteConfig

log = logging.getLogger("rectrack.cycle")

#: Exit codes of ``rectrack run`` (README, "Running unattended").
EXIT_OK = 0
EXIT_PARTIAL = 1       # some sites failed as a whole; the others were crawled, tracked and reported
EXIT_USAGE = 2         # a usage or configuration mistake: nothing was done
EXIT_FAILED = 3        # every site failed (or the cycle itself failed): nothing new
EXIT_LOCKED = 75       # another run holds the database (EX_TEMPFAIL: try again later)


@dataclass
class CycleResult:
    """What one cycle did."""

    sites: dict[str, str] = field(default_factory=dict)          # site → ok / partial / failed
    new_notices: int = 0
    units: int = 0
    comparisons: int = 0
    alerts: Counter[str] = field(default_factory=Counter)        # alert kind → count
    report_path: Path | None = None
    notified: int | None = None
    failures: list[dict[str, Any]] = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        if not self.sites:
            return EXIT_OK
        failed = sum(status == "failed" for status in self.sites.values())
        if failed == len(self.sites):
            return EXIT_FAILED
        return EXIT_PARTIAL if failed else EXIT_OK


def crawl_step(db_url: str, sites: list[SiteConfig], start_urls: list[str] | None = None,
               overrides: dict[str, Any] | None = None, result: CycleResult | None = None) -> CycleResult:
    """Crawl ``sites`` (and ``start_urls``) in a child process; record each site's outcome.

    With ``RECTRACK_REDIS_URL`` set, configured sites are crawled by the distributed workers instead
    (docs/deployment.md): the crawl is seeded into Redis and this waits until they are done.
    """
    from crawler.distributed import redis_url
    from crawler.runner import crawl_in_subprocess

    result = result or CycleResult()
    overrides = {"LOG_LEVEL": "WARNING", **(overrides or {})}
    redis = redis_url() if sites else None  # bare start URLs (the demo's local site) stay local
    if redis:
        from crawler.distributed import DistributedError
        from crawler.distributed.seeder import run_cycle

        from .errors import UserError

        try:
            summary = run_cycle(db_url, redis, sites, list(start_urls or []), overrides=overrides)
        except DistributedError as exc:
            raise UserError(str(exc)) from None
    else:
        summary = crawl_in_subprocess(db_url, sites, list(start_urls or []), overrides=overrides)
    for site in summary.results:
        result.sites[site.name] = site.status
        result.new_notices += site.counts.get("notices_new", 0) + site.counts.get("notices_new_version", 0)
        result.failures.extend({"site": site.name, **f} for f in site.failures)
        log.info("crawled %s: %s, %d new notice(s), %d failed page(s)", site.name, site.status,
                 site.counts.get("notices_new", 0), len(site.failures))
    return result


def track_step(db_url: str, result: CycleResult | None = None) -> CycleResult:
    """Track every unit once (not once per crawler) and count what users are alerted to."""
    from storage.repository import open_store
    from tracker.history import iter_units

    result = result or CycleResult()
    with open_store(db_url) as store:
        for history in iter_units(store):
            result.units += 1
            result.comparisons += len(history.comparisons)
            for comparison in history.comparisons:
                result.alerts.update(t.change for t in comparison.transitions if t.is_alert)
    log.info("tracked %d unit(s), %d comparison(s); alerts: %s", result.units, result.comparisons,
             dict(result.alerts) or "none")
    return result


def summary_lines(result: CycleResult) -> list[str]:
    """A short human summary of a cycle."""
    lines = []
    if result.sites:
        states = Counter(result.sites.values())
        lines.append(f"crawled {len(result.sites)} site(s): " + ", ".join(f"{n} {s}" for s, n in sorted(states.items()))
                     + f"; {result.new_notices} new notice(s) or version(s)")
    lines.append(f"tracked {result.units} unit(s) with {result.comparisons} comparison(s) of successive notices")
    if result.alerts:
        lines.append("alerts: " + ", ".join(f"{n} {kind}" for kind, n in result.alerts.most_common()))
    if result.report_path is not None:
        lines.append(f"report: {result.report_path}")
    if result.notified is not None:
        lines.append(f"notified: {result.notified} new alert(s)")
    return lines


def default_report_path() -> Path:
    """Where ``rectrack run`` writes the HTML alert report unless told otherwise."""
    import platformdirs

    folder = Path(platformdirs.user_data_dir("rectrack"))
    folder.mkdir(parents=True, exist_ok=True)
    return folder / "alerts.html"


def check_report_config(folder: Path | None) -> str:
    """Validate ``alerts.yaml`` (ConfigError names file and key); a one-line description of it."""
    from tracker.alerts.config import load_alerts_config, notify_urls

    config, path = load_alerts_config(folder)
    rules = [name for name in type(config.rules).model_fields if config.enabled(name)]
    channels = len(notify_urls(config, path))
    where = path if path is not None else "built-in defaults"
    return f"{where}: {len(rules)} rule(s) on, {channels} notification channel(s)"


def report_step(db_url: str, folder: Path | None, *, result: CycleResult | None = None, out: str | None = None,
                notify: bool = True, digest: bool = False) -> CycleResult:
    """Collect the alerts, write the HTML report, and (when channels are configured) send new alerts.

    ``digest``: only the last week's alerts, sent as one digest (the weekly job).
    """
    from datetime import date, timedelta

    from storage.repository import open_store
    from tracker.alerts.collect import collect
    from tracker.alerts.config import load_alerts_config, notify_urls
    from tracker.alerts.html import to_html
    from tracker.alerts.notify import notify as send

    result = result or CycleResult()
    config, path = load_alerts_config(folder)
    today = date.today()
    with open_store(db_url) as store:
        alerts = collect(store, config, since=today - timedelta(days=7) if digest else None, today=today)
        report = Path(out) if out else default_report_path()
        report.write_text(to_html(alerts), encoding="utf-8")
        result.report_path = report
        result.alerts = Counter(alerts.counts())
        log.info("wrote %s: %d alert(s)", report, len(alerts.alerts))
        urls = notify_urls(config, path) if notify else []
        if urls:
            result.notified = 0
            for outcome in send(store, alerts.alerts, config, urls):
                result.notified += outcome.sent
                if outcome.error:
                    log.error("notify %s failed (%s); %d alert(s) will be tried again next run",
                              outcome.channel, outcome.error, outcome.failed)
                    result.failures.append({"site": "notify", "url": outcome.channel, "reason": outcome.error})
    return result
