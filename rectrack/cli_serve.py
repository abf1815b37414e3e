"""`rectrack serve`: the read-only web view (:mod:`rectrack.web`) on uvicorn."""

from __future__ import annotations

import click

from .dbopt import db_url
from .errors import UserError


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on (0.0.0.0 for every interface: the view has no login).")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True,
              help="Port to listen on (0: any free port, printed at start).")
@click.option("--config", metavar="DIR", default=None,
              help="Folder holding alerts.yaml (default: $RECTRACK_CONFIG or ./config; built-in rules without it).")
@click.option("--today", type=click.DateTime(formats=["%Y-%m-%d"]), default=None, metavar="YYYY-MM-DD",
              help="The date taken as today for the overdue rules (default: the system date, day by day).")
@click.option("--root-path", default="", metavar="PATH", help="URL prefix when served behind a proxy under a path.")
@click.option("--no-warm", is_flag=True, help="Do not compute every unit's counts and alerts in the background "
                                              "at start (the units and alerts pages are then slower at first).")
@click.pass_context
def serve(ctx: click.Context, host: str, port: int, config: str | None, today, root_path: str, no_warm: bool) -> None:
    """Serve a read-only web view of the stored notices: units, reports, issue histories with diffs, alerts,
    search, per-unit Atom feeds and a JSON API (/api, /openapi.json)."""
    import uvicorn

    from .cli_alerts import _config
    from .web import create_app
    from .web.cache import tune_gc

    cfg, _path = _config(config)
    app = create_app(db_url(ctx), config=cfg, today=today.date() if today else None,
                     warm=not no_warm)
    tune_gc()
    server = uvicorn.Server(uvicorn.Config(app, host=host, port=port, root_path=root_path.rstrip("/"),
                                           log_level="info" if not _quiet() else "warning", access_log=False,
                                           server_header=False, proxy_headers=False))
    try:
        server.run()
    except (OSError, SystemExit):  # uvicorn logs a bind error and exits
        server.started = False
    if not server.started:
        raise UserError(f"cannot listen on {host}:{port} (in use, or not an address of this machine)")


def _quiet() -> bool:
    import logging

    return logging.getLogger("rectrack").level > logging.INFO
