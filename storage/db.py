"""Where the database is and how to connect to it.

``--db URL`` wins, then the ``RECTRACK_DB`` environment variable, then a SQLite file in the
user's data directory. A plain path (no ``://``) is taken as a SQLite file.
"""

from __future__ import annotations

import os
import random
import re
import sqlite3
import time
from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, DatabaseError, NoSuchModuleError

from rectrack.errors import UserError

ENV_VAR = "RECTRACK_DB"

#: How long a SQLite connection waits for another's lock (``busy_timeout``), in seconds.
BUSY_TIMEOUT_S = 30
_BUSY_TIMEOUT_PRAGMA = "PRAGMA busy_timeout=30000"  # BUSY_TIMEOUT_S in ms (a literal: SQL is never formatted)

#: Execution option that makes a SQLite transaction take the write lock at BEGIN
#: (``BEGIN IMMEDIATE``): read-then-write transactions then wait for each other (busy_timeout)
#: instead of failing with "database is locked" when another process wrote in between.
WRITE_OPTION = "rectrack_write"



def hide_password(url: str) -> str:
    """``url`` with the password of its ``user:password@`` part replaced by ``***`` (for URLs that do not parse)."""
    return re.sub(r"(://[^/?#@]*?:)[^/?#]*@", r"\1***@", url, count=1)

def default_url() -> str:
    import platformdirs

    folder = Path(platformdirs.user_data_dir("rectrack"))
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UserError(f"cannot create the data directory {folder}: {exc.strerror}; "
                        f"give a database with --db or {ENV_VAR}") from None
    return f"sqlite:///{folder / 'rectrack.db'}"


def database_url(cli_value: str | None) -> str:
    """The database URL to use: ``--db``, else ``$RECTRACK_DB``, else the per-user default."""
    value = cli_value or os.environ.get(ENV_VAR) or None
    if value is None:
        return default_url()
    value = value.strip()
    if "://" not in value:
        # A bare path: a SQLite file.
        return f"sqlite:///{Path(value).expanduser().resolve()}"
    return value


def _sqlite_path(url: URL) -> Path | None:
    database = url.database
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    return Path(database).expanduser()


def parse_url(url: str) -> URL:
    """``url`` parsed; :class:`UserError` (the password hidden) when it is no database URL."""
    try:
        return make_url(url)
    except (ArgumentError, ValueError):
        raise UserError(f"invalid database URL {hide_password(url)!r}: use sqlite:///PATH, postgresql://… or a "
                        "file path") from None


def connect(url: str) -> Engine:
    """An Engine for ``url``, checked by opening one connection; :class:`UserError` if it can't be."""
    parsed = parse_url(url)
    if parsed.drivername == "postgresql":
        # psycopg 3 is the driver rectrack installs; SQLAlchemy's default for plain
        # postgresql:// would be psycopg2.
        parsed = parsed.set(drivername="postgresql+psycopg")
    shown = parsed.render_as_string(hide_password=True)
    is_sqlite = parsed.get_backend_name() == "sqlite"
    if is_sqlite:
        path = _sqlite_path(parsed)
        if path is not None:
            folder = path.parent if str(path.parent) else Path(".")
            if not folder.is_dir():
                raise UserError(f"cannot create the database {path}: the folder {folder} does not exist")
            if path.is_dir():
                raise UserError(f"{path} is a directory: give a database file")
            if not os.access(folder, os.W_OK) or (path.exists() and not os.access(path, os.W_OK)):
                raise UserError(f"cannot write the database {path}: permission denied")
    try:
        engine = create_engine(parsed)
    except NoSuchModuleError:
        raise UserError(f"unsupported database URL {shown}: no driver for {parsed.drivername!r}") from None
    except ModuleNotFoundError as exc:
        raise UserError(f"the database driver for {shown} is not installed ({exc.name}); "
                        f"install it with pip") from None
    except ArgumentError as exc:
        raise UserError(f"invalid database URL {shown}: {exc}") from None
    if is_sqlite:
        _configure_sqlite(engine)
    try:
        with engine.connect():
            pass
    except DatabaseError as exc:  # OperationalError (cannot open, locked, refused) or not a database
        engine.dispose()
        raise UserError(f"cannot open the database {shown}: {exc.orig}") from None
    return engine


def _enable_wal(cursor: sqlite3.Cursor) -> None:
    """``PRAGMA journal_mode=WAL``, tried again while the file is locked.

    The switch needs an exclusive lock, and when several connections open a new database at once SQLite
    answers "database is locked" at once instead of waiting for ``busy_timeout`` (waiting could deadlock),
    so the busy timeout alone does not cover it."""
    deadline = time.monotonic() + BUSY_TIMEOUT_S
    pause = 0.01
    while True:
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() + pause > deadline:
                raise
        time.sleep(pause * random.uniform(0.5, 1.5))
        pause = min(2 * pause, 0.5)


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record) -> None:  # noqa: ANN001
        # Let SQLAlchemy emit BEGIN itself (see _on_begin); pysqlite's own handling would
        # start transactions late and never as IMMEDIATE.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute(_BUSY_TIMEOUT_PRAGMA)
            cursor.execute("PRAGMA foreign_keys=ON")
            _enable_wal(cursor)
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn) -> None:  # noqa: ANN001
        if conn.get_execution_options().get(WRITE_OPTION):
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            conn.exec_driver_sql("BEGIN")


def write_engine(engine: Engine) -> Engine:
    """The same engine, its transactions taking the write lock at once on SQLite (no-op elsewhere)."""
    return engine.execution_options(**{WRITE_OPTION: True})


#: Database failures a user can act on: (phrase in the driver's message, what to say).
_DB_PROBLEMS = (
    (("database or disk is full", "no space left on device", "disk full", "could not extend file"),
     "the disk holding the database is full: free some space and run again"),
    (("readonly database", "read-only", "read only"),
     "the database is read-only: check its permissions, or choose another with --db / RECTRACK_DB"),
    (("database is locked",), "the database is locked by another process: try again when it has finished"),
    (("unable to open database file",), "cannot open the database file: check the path given to --db / RECTRACK_DB"),
    (("connection refused", "could not connect", "connection to server", "timeout expired"),
     "cannot reach the database server: check that it is running and the URL in --db / RECTRACK_DB"),
    (("password authentication failed", "role", "does not exist"),
     "the database server refused the login or the database: check the URL in --db / RECTRACK_DB"),
)


def explain_db_error(exc: Exception) -> str:
    """One line for a database failure: what happened and what to do. The transaction was rolled back."""
    detail = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    lowered = detail.lower()
    for phrases, advice in _DB_PROBLEMS:
        if any(p in lowered for p in phrases):
            return f"{advice} (database said: {detail}); nothing was half-written"
    return f"database error: {detail}; nothing was half-written"
