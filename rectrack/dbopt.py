"""The database of a command: ``--db`` (on the group), else ``$RECTRACK_DB``, else the default file."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from storage.repository import Store


def db_url(ctx: click.Context, explicit: str | None = None) -> str:
    """The database URL for this command (``explicit`` wins over the group's ``--db``)."""
    from storage.db import database_url

    root = ctx.find_root()
    root.ensure_object(dict)
    return database_url(explicit or root.obj.get("db"))


def open_db(ctx: click.Context) -> Store:
    """The command's Store (schema brought up to date), closed when the command ends."""
    from storage.repository import open_store

    store = open_store(db_url(ctx))
    ctx.call_on_close(store.close)
    return store
