"""`rectrack alerts`: what stalled, regressed, was dropped, recurs or is overdue — and `--notify`.

One command for both jobs so the filters mean the same thing when reading and when notifying:
``rectrack alerts --format html --out report.html`` writes a report; ``rectrack alerts --notify``
(for cron) sends the alerts not sent before as one digest per channel and prints one line per
channel; it exits 1 when a channel failed (its alerts are tried again on the next run).
"""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

import click

from .dbopt import open_db
from .errors import UserError

FORMATS = ("text", "md", "html", "json", "csv")


def _kinds() -> list[str]:
    from tracker.alerts.model import KINDS

    return list(KINDS)


@click.command()
@click.option("--since", type=click.DateTime(formats=["%Y-%m-%d"]), default=None, metavar="YYYY-MM-DD",
              help="Only alerts filed on or after this date (the later report's date; undated ones are left out).")
@click.option("--unit", metavar="NAME", help="Only this unit (any name it was seen under, its adcode, part of a "
                                             "name); site alerts are left out.")
@click.option("--kind", "kinds", multiple=True, type=click.Choice(_kinds()), metavar="KIND",
              help="Only this kind (repeatable): " + ", ".join(_kinds()) + ".")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default=None,
              help="text (default, for a terminal), md, html (one self-contained file), json or csv (UTF-8 with BOM).")
@click.option("--out", "out", type=click.Path(dir_okay=False, writable=True), default=None, metavar="FILE",
              help="Write the report to FILE instead of standard output.")
@click.option("--config", metavar="DIR", default=None,
              help="Folder holding alerts.yaml (default: $RECTRACK_CONFIG or ./config; built-in rules without it).")
@click.option("--today", type=click.DateTime(formats=["%Y-%m-%d"]), default=None, metavar="YYYY-MM-DD",
              help="The date taken as today for the overdue rules (default: the system date).")
@click.option("--notify", is_flag=True,
              help="Send the alerts not sent before as one digest per notification URL "
                   "(notify.urls in alerts.yaml, notify.urls_file, or $RECTRACK_NOTIFY_URLS).")
@click.option("--dry-run", is_flag=True, help="With --notify: print the digests instead of sending them.")
@click.pass_context
def alerts(ctx: click.Context, since, unit: str | None, kinds: tuple[str, ...], fmt: str | None, out: str | None,
           config: str | None, today, notify: bool, dry_run: bool) -> None:
    """Alerts from the stored notices: stalled, regressed, dropped, recurring, overdue and unresolved issues,
    units whose follow-up notice is overdue, and sites whose crawls keep failing."""
    from tracker.alerts.collect import collect
    from tracker.alerts.config import notify_urls

    cfg, path = _config(config)
    urls = _urls(cfg, path, notify_urls) if notify else []
    if dry_run and not notify:
        raise UserError("--dry-run goes with --notify")
    store = open_db(ctx)
    try:
        result = collect(store, cfg, unit=unit, since=since.date() if since else None, kinds=kinds,
                         today=today.date() if today else date.today())
    except LookupError:
        raise UserError(f"no unit named {unit!r} is stored (see `rectrack reports` for the units)") from None
    if not notify or fmt or out:
        _write(result, fmt or "text", out)
    if notify:
        failed = _notify(store, result, cfg, urls, dry_run=dry_run)
        ctx.exit(1 if failed else 0)


def _config(directory: str | None):
    from crawler.config import ConfigError
    from tracker.alerts.config import load_alerts_config

    try:
        return load_alerts_config(directory)
    except ConfigError as exc:
        raise UserError(str(exc)) from None


def _urls(cfg, path, notify_urls) -> list[str]:
    from crawler.config import ConfigError
    from tracker.alerts.config import URLS_ENV

    try:
        urls = notify_urls(cfg, path)
    except ConfigError as exc:
        raise UserError(str(exc)) from None
    if not urls:
        raise UserError(f"no notification URL: set notify.urls in alerts.yaml, notify.urls_file, or ${URLS_ENV} "
                        "(Apprise URLs, e.g. json://host/path, mailtos://user:pass@host, dingtalk://token)")
    return urls


def _render(result, fmt: str) -> str:
    from tracker.alerts import render

    if fmt == "json":
        return render.to_json(result)
    if fmt == "csv":
        return render.to_csv(result)
    if fmt == "md":
        return render.to_markdown(result)
    from tracker.alerts.html import to_html

    return to_html(result)


def _write(result, fmt: str, out: str | None) -> None:
    from tracker.alerts.terminal import print_alerts

    try:
        if fmt == "text":
            if out:
                with open(out, "w", encoding="utf-8") as stream:
                    print_alerts(result, stream, width=120)
            else:
                print_alerts(result)
        elif out:
            Path(out).write_text(_render(result, fmt), encoding="utf-8", newline="")
        else:
            text = _render(result, fmt)
            sys.stdout.flush()
            click.echo(text, nl=False)
    except OSError as exc:
        raise UserError(f"cannot write {out}: {exc.strerror}") from None
    if out:
        click.echo(f"{out}: {len(result.alerts)} alert(s)", err=True)


def _notify(store, result, cfg, urls: list[str], *, dry_run: bool) -> bool:
    """Send (or preview) the digests; whether any channel failed."""
    from tracker.alerts.notify import notify, preview

    if dry_run:
        previews = preview(store, result.alerts, cfg, urls)
        for channel, title, body in previews:
            click.echo(f"--- {channel}\n{title}\n\n{body}\n")
        if not previews:
            click.echo("nothing new to send")
        return False
    failed = False
    for outcome in notify(store, result.alerts, cfg, urls):
        if outcome.error:
            failed = True
            click.echo(f"notify {outcome.channel}: failed ({outcome.error}); {outcome.failed} alert(s) will be "
                       "tried again on the next run", err=True)
        elif outcome.sent:
            click.echo(f"notify {outcome.channel}: sent {outcome.sent} new alert(s)")
        else:
            click.echo(f"notify {outcome.channel}: nothing new")
    return failed
