"""The web view's database connection: opened read-only, on a schema that is already up to date.

``rectrack serve`` never migrates or writes: a SQLite file that does not exist is refused (connecting
would create it), a schema behind this rectrack's is refused with the command that fixes it, and every
connection is made read-only at the database level (SQLite ``PRAGMA query_only``, a read-only session on
PostgreSQL), so even a bug could not write.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine, event, func, select
from sqlalchemy.exc import DatabaseError

from rectrack.errors import UserError
from storage.db import connect, parse_url
from storage.migrate import current_revision, head_revision
from storage.models import ReportRow, UnitName, UnitRow


def open_readonly(url: str) -> Engine:
    """An Engine on ``url`` whose connections cannot write; :class:`UserError` when there is nothing to show."""
    parsed = parse_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database and parsed.database != ":memory:":
        path = Path(parsed.database).expanduser()
        if not path.is_file():
            raise UserError(f"no database at {path}: import or crawl notices first "
                            f"(rectrack --db {path} import FILES…, or rectrack demo)")
    engine = connect(url)
    try:
        current, head = current_revision(engine), head_revision()
    except DatabaseError as exc:
        engine.dispose()
        raise UserError(f"cannot read the database: {exc.orig}") from None
    if current != head:
        engine.dispose()
        shown = engine.url.render_as_string(hide_password=True)
        if current is None:
            raise UserError(f"{shown} holds no rectrack data: import or crawl notices first")
        raise UserError(f"the schema of {shown} is at revision {current}, this rectrack reads {head}: "
                        f"run `rectrack --db … db upgrade` first")
    _make_readonly(engine)
    engine.dispose()  # the checked connection predates the read-only hook
    return engine


def _make_readonly(engine: Engine) -> None:
    if engine.dialect.name == "sqlite":
        @event.listens_for(engine, "connect")
        def _query_only(dbapi_connection, _record) -> None:  # noqa: ANN001
            cursor = dbapi_connection.cursor()
            try:
                cursor.execute("PRAGMA query_only=ON")
            finally:
                cursor.close()
    elif engine.dialect.name == "postgresql":
        @event.listens_for(engine, "connect")
        def _read_only(dbapi_connection, _record) -> None:  # noqa: ANN001
            dbapi_connection.read_only = True  # psycopg 3: every transaction is READ ONLY


def data_version(engine: Engine) -> tuple:
    """Changes whenever a report, unit or unit name is stored: the caches are keyed by it."""
    reports = select(func.max(ReportRow.id), func.count(ReportRow.id)).subquery()
    query = select(reports, select(func.max(UnitRow.id)).scalar_subquery(),
                   select(func.max(UnitName.id)).scalar_subquery())
    with engine.connect() as conn:
        return tuple(conn.execute(query).one())
