"""``rectrack worker``: a crawler worker of a distributed deployment (docs/deployment.md)."""

from __future__ import annotations

import click

from .dbopt import db_url as command_db_url
from .errors import UserError


def redis_or_fail(explicit: str | None) -> str:
    """The Redis URL (``--redis``, else ``$RECTRACK_REDIS_URL``) or a UserError saying how to give one."""
    from crawler.distributed import REDIS_URL_ENV, redis_url

    url = redis_url(explicit)
    if url is None:
        raise UserError(f"no Redis server: pass --redis URL (e.g. redis://127.0.0.1:6379/0) or set {REDIS_URL_ENV}")
    return url


@click.command()
@click.option("--redis", "redis", metavar="URL", default=None,
              help="The deployment's Redis server (default: $RECTRACK_REDIS_URL).")
@click.option("--config", metavar="DIR", default=None,
              help="Configuration folder, for sites the seeder did not publish "
                   "(default: $RECTRACK_CONFIG or ./config).")
@click.pass_context
def worker(ctx: click.Context, redis: str | None, config: str | None) -> None:
    """Crawl requests from Redis until SIGTERM or Ctrl-C (gracefully: the rest goes back to Redis).

    Start any number of workers, on any machines that reach the Redis server and the database;
    `rectrack crawl --distributed` (or a cycle with RECTRACK_REDIS_URL set) gives them work.
    """
    from crawler.config import ConfigError, config_dir
    from crawler.distributed import DistributedError, Keys, connect, prefix
    from crawler.distributed.worker import run_worker
    from storage.repository import open_store

    url = redis_or_fail(redis)
    db_url = command_db_url(ctx)
    try:
        connect(url)
    except DistributedError as exc:
        raise UserError(str(exc)) from None
    open_store(db_url).close()  # the database is there and migrated before the crawler starts
    try:
        run_worker(db_url, url, keys=Keys(prefix()), config=config_dir(config))
    except (ConfigError, DistributedError) as exc:
        raise UserError(str(exc)) from None
