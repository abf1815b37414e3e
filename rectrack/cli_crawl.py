"""``rectrack crawl``, ``rectrack fetch`` and ``rectrack sites``: getting notices from the web."""

from __future__ import annotations

import json
import sys
from collections import Counter
from typing import Any

import click

from .dbopt import db_url
from .errors import UserError

_STATUS_STYLE = {"ok": "green", "partial": "yellow", "failed": "red"}


def _load_sites(config: str | None) -> dict[str, Any]:
    from crawler.config import ConfigError, config_dir, load_sites

    try:
        return load_sites(config_dir(config))
    except ConfigError as exc:
        raise UserError(str(exc)) from None


@click.command()
@click.option("--site", "site_names", multiple=True, metavar="NAME",
              help="A configured site (repeatable; default: all).")
@click.option("--start-url", "start_urls", multiple=True, metavar="URL", help="A list page to crawl (repeatable).")
@click.option("--max-pages", type=click.IntRange(1, 10000), default=None, help="List pages followed per start URL.")
@click.option("--full", is_flag=True, help="Page through whole lists, even past already-known notices.")
@click.option("--config", metavar="DIR", default=None,
              help="Configuration folder (default: $RECTRACK_CONFIG or ./config).")
@click.option("--allow-private", is_flag=True, help="Allow start URLs on loopback or private addresses.")
@click.option("--distributed", is_flag=True,
              help="Seed the crawl into Redis for `rectrack worker`s and wait until they have done it.")
@click.option("--redis", "redis", metavar="URL", default=None,
              help="Redis of the distributed crawl (default: $RECTRACK_REDIS_URL); implies --distributed.")
@click.option("-v", "--verbose", is_flag=True, help="Show Scrapy's log.")
@click.pass_context
def crawl(ctx: click.Context, site_names: tuple[str, ...], start_urls: tuple[str, ...], max_pages: int | None,
          full: bool, config: str | None, allow_private: bool, distributed: bool, redis: str | None,
          verbose: bool) -> None:
    """Crawl configured sites (all by default) or list pages for rectification notices, and store them.

    With --distributed the crawl is done by the workers of a distributed deployment (docs/deployment.md).
    """
    from crawler.config import ConfigError, select_sites
    from crawler.runner import run_crawl

    from .fetch import check_url

    sites = []
    if site_names or not start_urls:
        try:
            sites = select_sites(_load_sites(config), site_names)
        except ConfigError as exc:
            raise UserError(str(exc)) from None
        if not sites and not start_urls:
            raise UserError("no enabled site in the configuration: add config/sites/<name>.yaml or pass --start-url")
    for url in start_urls:
        check_url(url, allow_private=allow_private)
    overrides = {"LOG_LEVEL": "INFO" if verbose else "CRITICAL", "RECTRACK_ALLOW_PRIVATE": allow_private}
    if distributed or redis:
        summary = _crawl_distributed(db_url(ctx), redis, sites, list(start_urls), max_pages=max_pages, full=full,
                                     overrides=overrides, live=sys.stderr.isatty() and not verbose)
        _print_summary(summary)
        ctx.exit(summary.exit_code)
    with _Progress(enabled=sys.stderr.isatty() and not verbose) as progress:
        summary = run_crawl(db_url(ctx), sites, list(start_urls), max_pages=max_pages, full=full,
                            overrides=overrides, on_item=progress.update)
    _print_summary(summary)
    ctx.exit(summary.exit_code)


def _crawl_distributed(db_url: str, redis: str | None, sites: list[Any], start_urls: list[str], *,
                       max_pages: int | None, full: bool, overrides: dict[str, Any], live: bool) -> Any:
    """Seed a distributed cycle and wait for the workers (a live status line on a terminal)."""
    from crawler.distributed import DistributedError
    from crawler.distributed.seeder import run_cycle

    from .cli_worker import redis_or_fail

    url = redis_or_fail(redis)
    status: Any = None
    if live:
        from rich.console import Console

        status = Console(stderr=True).status("seeding …")
        status.start()

    def show(p: Any) -> None:
        if status is not None:
            status.update(f"crawling on {p.workers} worker(s): {p.queued + p.seeds} queued, {p.claimed} in "
                          f"progress; {p.pages} pages, {p.notices} notices, {p.failed} failed")

    try:
        return run_cycle(db_url, url, sites, start_urls, max_pages=max_pages, full=full, overrides=overrides,
                         on_progress=show)
    except DistributedError as exc:
        raise UserError(str(exc)) from None
    finally:
        if status is not None:
            status.stop()


class _Progress:
    """A one-line live count of pages and notices, on a terminal only."""

    def __init__(self, *, enabled: bool) -> None:
        self.enabled = enabled
        self.counts: Counter[str] = Counter()
        self._status: Any = None

    def __enter__(self) -> _Progress:
        if self.enabled:
            from rich.console import Console

            self._status = Console(stderr=True).status("crawling …")
            self._status.start()
        return self

    def update(self, site: str, item: Any) -> None:
        self.counts[item.kind] += 1
        self.counts["notices"] += item.report is not None
        self.counts["failed"] += bool(item.failed)
        if self._status is not None:
            c = self.counts
            self._status.update(f"crawling {site}: {c['list']} list pages, {c['detail'] + c['attachment']} "
                                f"pages, {c['notices']} notices, {c['failed']} failed")

    def __exit__(self, *exc: object) -> None:
        if self._status is not None:
            self._status.stop()


def _print_summary(summary: Any) -> None:
    """One line per site, then one line per failure: readable on any terminal width, easy to grep."""
    from rich.console import Console

    console = Console(highlight=False, soft_wrap=True)
    for r in summary.results:
        c = r.counts
        pages = c.get("fetched_detail", 0) + c.get("fetched_attachment", 0)
        console.print(
            f"{r.name}: [{_STATUS_STYLE.get(r.status, 'white')}]{r.status}[/] — {c.get('fetched_list', 0)} list "
            f"pages, {pages} pages; notices: {c.get('notices_new', 0)} new, {c.get('notices_new_version', 0)} "
            f"new versions, {c.get('notices_unchanged', 0)} unchanged; {c.get('not_notices', 0)} not notices, "
            f"{c.get('known_skipped', 0)} known skipped, {c.get('not_modified', 0)} not modified, "
            f"{len(r.failures)} failed")
    for r in summary.results:
        for failure in r.failures:
            console.print(f"[red]failed[/] {r.name}: {failure['url']} — {failure['reason']}")


@click.command()
@click.argument("url")
@click.option("--allow-private", is_flag=True, help="Allow loopback or private addresses.")
@click.option("--json", "as_json", is_flag=True, help="Print the parsed Report as JSON.")
@click.pass_context
def fetch(ctx: click.Context, url: str, allow_private: bool, as_json: bool) -> None:
    """Fetch one notice page (or attachment) by hand, parse it, store it and print its summary."""
    from storage.crawllog import CrawlLog
    from storage.repository import open_store

    from .onefetch import fetch_notice
    from .summary import print_summary

    result = fetch_notice(url, allow_private=allow_private)
    with open_store(db_url(ctx)) as store:
        log = CrawlLog(store)
        fetch_ids = [log.record_fetch(d.url, kind=kind, http_status=d.status, etag=d.etag,
                                      last_modified=d.last_modified, raw=d.body, content_type=d.content_type)
                     for kind, d in result.downloads]
        stored = store.ingest(result.report, raw=None, fetch_id=fetch_ids[result.notice_download])
    if as_json:
        click.echo(json.dumps(result.report.to_dict(), ensure_ascii=False, indent=2))
    else:
        print_summary(result.report)
    click.echo(f"{url}: {stored.outcome} (report {stored.report_id})", err=True)


@click.command()
@click.option("--config", metavar="DIR", default=None, help="Configuration folder.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_context
def sites(ctx: click.Context, config: str | None, as_json: bool) -> None:
    """List the configured sites and how their last crawl ended."""
    from rich.console import Console
    from rich.table import Table

    from storage.crawllog import CrawlLog
    from storage.repository import open_store

    configured = _load_sites(config)
    with open_store(db_url(ctx)) as store:
        last = CrawlLog(store).last_runs_by_site()
    rows = []
    for name, site in configured.items():
        run = last.get(name)
        rows.append({"name": name, "title": site.title, "province": site.province, "enabled": site.enabled,
                     "start_urls": site.start_urls,
                     "last_crawl": None if run is None else {
                         "status": run.status, "started_at": run.started_at.isoformat(timespec="seconds"),
                         "new_notices": run.counts.get("notices_new", 0), "failures": len(run.failures)}})
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    table = Table(title=f"{len(rows)} configured site(s)")
    for column in ("name", "site", "province", "start URL", "last crawl", "result", "new", "failed"):
        table.add_column(column)
    for row in rows:
        run = row["last_crawl"] or {}
        status = run.get("status", "never")
        more = len(row["start_urls"]) - 1
        table.add_row(row["name"] + ("" if row["enabled"] else " (off)"), row["title"], row["province"] or "",
                      row["start_urls"][0] + (f" (+{more})" if more else ""),
                      run.get("started_at", "—"), f"[{_STATUS_STYLE.get(status, 'white')}]{status}[/]",
                      str(run.get("new_notices", "")), str(run.get("failures", "")))
    Console().print(table)
