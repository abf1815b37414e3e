"""``rectrack run``, ``schedule``, ``demo`` and ``doctor``: rectrack running unattended, and its first meeting."""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import click

from .dbopt import db_url as command_db_url
from .errors import UserError


def _folder(config: str | None) -> Path:
    from crawler.config import config_dir

    return config_dir(config)


@click.command()
@click.option("--site", "site_names", multiple=True, metavar="NAME", help="Crawl only these sites (repeatable).")
@click.option("--config", metavar="DIR", default=None,
              help="Configuration folder (default: $RECTRACK_CONFIG or ./config).")
@click.option("--out", metavar="FILE", default=None, help="Where to write the HTML alert report.")
@click.option("--no-notify", is_flag=True, help="Do not send notifications this time.")
@click.pass_context
def run(ctx: click.Context, site_names: tuple[str, ...], config: str | None, out: str | None, no_notify: bool) -> None:
    """One complete cycle for system cron: crawl, track, write the alert report, notify.

    Exit codes: 0 done; 1 some sites failed as a whole (the rest was done); 2 usage or configuration
    mistake; 3 every site failed; 75 another run holds the database (nothing done; try later).
    """
    from crawler.config import ConfigError, load_sites, select_sites
    from storage.runlock import LockBusy, RunLock

    from . import cycle

    folder = _folder(config)
    try:
        sites = select_sites(load_sites(folder), site_names)
        cycle.check_report_config(folder)
    except ConfigError as exc:
        raise UserError(str(exc)) from None
    db_url = command_db_url(ctx)
    try:
        with RunLock(db_url):
            result = cycle.crawl_step(db_url, sites) if sites else cycle.CycleResult()
            cycle.track_step(db_url, result)
            cycle.report_step(db_url, folder, result=result, out=out, notify=not no_notify)
    except LockBusy as exc:
        click.echo(f"rectrack run: {exc}; nothing done (exit code {cycle.EXIT_LOCKED})", err=True)
        ctx.exit(cycle.EXIT_LOCKED)
    for line in cycle.summary_lines(result):
        click.echo(line)
    for failure in result.failures:
        click.echo(f"failed {failure['site']}: {failure['url']} — {failure['reason']}", err=True)
    ctx.exit(result.exit_code)


@click.command()
@click.option("--config", metavar="DIR", default=None, help="Configuration folder.")
@click.option("--list", "list_only", is_flag=True, help="Show the jobs and their next run times, then exit.")
@click.pass_context
def schedule(ctx: click.Context, config: str | None, list_only: bool) -> None:
    """Run the scheduler (config/schedule.yaml) until SIGTERM or Ctrl-C; jobs are kept in the database."""
    from crawler.config import ConfigError

    from . import scheduling

    folder = _folder(config)
    db_url = command_db_url(ctx)
    try:
        if list_only:
            from rich.console import Console
            from rich.table import Table

            table = Table(title="scheduled jobs")
            for column in ("job", "kind", "cron", "next run"):
                table.add_column(column)
            for name, kind, cron, when in scheduling.next_runs(db_url, folder):
                table.add_row(name, kind, cron, when.isoformat(timespec="seconds") if when else "—")
            Console().print(table)
            return
        scheduling.load_schedule(folder)  # every mistake before anything starts
        scheduling.serve(db_url, folder)
    except ConfigError as exc:
        raise UserError(str(exc)) from None


@click.command()
@click.option("--db", "demo_db", metavar="URL", default=None,
              help="Keep the demo database here (default: a new throw-away SQLite file).")
@click.option("--out", metavar="FILE", default=None, help="Where to write the HTML alert report.")
@click.pass_context
def demo(ctx: click.Context, demo_db: str | None, out: str | None) -> None:
    """Crawl the bundled sample site, track, and write the alert report: rectrack on its embedded default."""
    from crawler.runner import IMPOLITE
    from crawler.samplesite import SampleSite

    from . import cycle

    workdir = Path(tempfile.mkdtemp(prefix="rectrack-demo-"))
    chosen = demo_db or ctx.find_root().obj.get("db") or f"sqlite:///{workdir / 'demo.db'}"
    db_url = command_db_url(ctx, chosen)
    report = Path(out) if out else workdir / "alerts.html"
    with SampleSite() as site:
        click.echo(f"sample site running at {site.base_url} (TRS, Hanweb and plain-portal columns)", err=True)
        result = cycle.crawl_step(db_url, [], list(site.list_urls.values()),
                                  overrides={**IMPOLITE, "LOG_LEVEL": "ERROR"})
    cycle.track_step(db_url, result)
    cycle.report_step(db_url, None, result=result, out=str(report), notify=False)
    from sqlalchemy.engine import make_url

    click.echo(f"database: {make_url(db_url).render_as_string(hide_password=True)}")
    for line in cycle.summary_lines(result):
        click.echo(line)
    click.echo(f"open the report: {report}")
    if result.exit_code:
        ctx.exit(result.exit_code)


@click.command()
@click.option("--config", metavar="DIR", default=None, help="Configuration folder.")
@click.option("--offline", is_flag=True, help="Skip the reachability checks of configured sites.")
@click.pass_context
def doctor(ctx: click.Context, config: str | None, offline: bool) -> None:
    """Check configuration, database and the configured sites' reachability; say what is wrong."""
    from .doctor import run_checks

    problems = 0
    for check in run_checks(_folder(config), command_db_url(ctx), offline=offline):
        mark = "ok  " if check.ok else "FAIL"
        problems += not check.ok
        click.echo(f"{mark} {check.name}: {check.detail}")
    if problems:
        click.echo(f"{problems} problem(s) found", err=True)
        sys.exit(1)
    click.echo("everything looks fine")
