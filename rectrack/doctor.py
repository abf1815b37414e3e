"""``rectrack doctor``: configuration, database and the configured sites, each checked and explained."""

from __future__ import annotations

import urllib.error
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from .errors import UserError
from .fetch import USER_AGENT

TIMEOUT_S = 10


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str


def run_checks(folder: Path, db_url: str, *, offline: bool = False) -> Iterator[Check]:
    """Every check, in order: configuration files, the database, then each configured start URL."""
    from crawler.config import ConfigError, load_sites

    sites = {}
    try:
        sites = load_sites(folder)
        yield Check("sites", True, f"{len(sites)} site file(s) in {folder / 'sites'}, "
                                   f"{sum(s.enabled for s in sites.values())} enabled")
    except ConfigError as exc:
        yield Check("sites", False, str(exc))
    yield from _schedule(folder)
    yield from _alerts(folder)
    yield _database(db_url)
    if not offline:
        urls = [(name, url) for name, site in sites.items() if site.enabled for url in site.start_urls]
        with ThreadPoolExecutor(8) as pool:
            yield from pool.map(lambda pair: _reachable(*pair), urls)


def _schedule(folder: Path) -> Iterator[Check]:
    from crawler.config import ConfigError

    from .scheduling import load_schedule

    if not (folder / "schedule.yaml").exists():
        yield Check("schedule", True, f"no {folder / 'schedule.yaml'} (only needed for `rectrack schedule`)")
        return
    try:
        schedule = load_schedule(folder)
        yield Check("schedule", True, f"{len(schedule.jobs)} job(s), time zone {schedule.timezone}")
    except ConfigError as exc:
        yield Check("schedule", False, str(exc))


def _alerts(folder: Path) -> Iterator[Check]:
    from crawler.config import ConfigError

    from .cycle import check_report_config

    try:
        yield Check("alerts", True, check_report_config(folder))
    except ConfigError as exc:
        yield Check("alerts", False, str(exc))


def _database(db_url: str) -> Check:
    from sqlalchemy.exc import SQLAlchemyError

    from storage.db import connect, explain_db_error
    from storage.migrate import current_revision, head_revision

    shown = db_url.split("@")[-1] if "@" in db_url else db_url
    try:
        engine = connect(db_url)
        try:
            revision = current_revision(engine)
        finally:
            engine.dispose()
    except UserError as exc:
        return Check("database", False, str(exc))
    except SQLAlchemyError as exc:
        return Check("database", False, f"{shown}: {explain_db_error(exc)}")
    if revision is None:
        return Check("database", True, f"{shown}: new (created on first use, or run `rectrack db upgrade`)")
    if revision != head_revision():
        return Check("database", False, f"{shown}: schema at {revision}, this rectrack needs {head_revision()}: "
                                        "run `rectrack db upgrade`")
    return Check("database", True, f"{shown}: schema up to date ({revision})")


def _reachable(site: str, url: str) -> Check:
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_S) as response:  # noqa: S310 (http(s) from config)
            return Check(f"site {site}", True, f"{url}: HTTP {response.status}")
    except urllib.error.HTTPError as exc:
        if exc.code in (412, 521):
            return Check(f"site {site}", False, f"{url}: HTTP {exc.code}, a JavaScript challenge only a browser "
                                                "passes; this site cannot be crawled")
        return Check(f"site {site}", False, f"{url}: HTTP {exc.code}; check the list URL in a browser")
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        return Check(f"site {site}", False, f"{url}: unreachable ({reason}); check the address and the network")
