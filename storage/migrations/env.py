"""Alembic environment: the models' metadata; the connection comes from storage.migrate.

Run through :func:`storage.migrate.upgrade` (``rectrack db upgrade`` or automatically on first
use). For the ``alembic`` command itself (writing a new revision), the URL comes from
``-x db=URL``, else ``--db``/``RECTRACK_DB`` resolution of :func:`storage.db.database_url`.
"""

from __future__ import annotations

from alembic import context

from storage.models import Base

config = context.config
target_metadata = Base.metadata


def _configure(connection) -> None:  # noqa: ANN001
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        # SQLite cannot ALTER most things: batch mode copies the table (a no-op on PostgreSQL).
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _configure(connection)
        with context.begin_transaction():
            context.run_migrations()
        return
    from storage.db import connect, database_url

    engine = connect(database_url(context.get_x_argument(as_dictionary=True).get("db")))
    with engine.connect() as connection:
        _configure(connection)
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


if context.is_offline_mode():
    raise SystemExit("offline (--sql) migrations are not supported; run `rectrack db upgrade`")
run_migrations_online()
