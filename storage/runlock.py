"""One run at a time per database: ``rectrack run`` and scheduled cycles take this lock.

SQLite: an exclusive ``flock`` on ``<database>.run.lock`` beside the file. PostgreSQL: a session
advisory lock held on a dedicated connection. Both are released by the operating system or the
server when the process dies, so a crashed run never leaves a stale lock behind.
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path
from types import TracebackType
from typing import Any

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

#: The advisory-lock key of ``rectrack run`` on PostgreSQL (any fixed 64-bit number).
PG_LOCK_KEY = 0x7265637472616B  # "rectrak"


class LockBusy(RuntimeError):
    """Another run holds the lock."""


class RunLock:
    """``with RunLock(db_url): …`` — raises :class:`LockBusy` at once when another run holds it."""

    def __init__(self, db_url: str) -> None:
        self.url = make_url(db_url)
        self._file: Any = None
        self._conn: Any = None
        self._engine: Any = None

    def __enter__(self) -> RunLock:
        if self.url.get_backend_name() == "sqlite" and self.url.database not in (None, "", ":memory:"):
            path = Path(self.url.database).with_name(Path(self.url.database).name + ".run.lock")
            self._file = open(path, "a+")  # noqa: SIM115 - held for the whole run
            try:
                fcntl.flock(self._file, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                self._file.close()
                self._file = None
                raise LockBusy(f"another rectrack run is using {self.url.database} (lock file {path})") from None
            self._file.seek(0)
            self._file.truncate()
            self._file.write(f"{os.getpid()}\n")
            self._file.flush()
        elif self.url.get_backend_name() == "postgresql":
            self._engine = create_engine(self.url.set(drivername="postgresql+psycopg"), poolclass=None)
            self._conn = self._engine.connect()
            if not self._conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": PG_LOCK_KEY}).scalar():
                self._release()
                raise LockBusy(f"another rectrack run is using the database {self.url.render_as_string()}")
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self._release()

    def _release(self) -> None:
        if self._file is not None:
            fcntl.flock(self._file, fcntl.LOCK_UN)
            self._file.close()
            self._file = None
        if self._conn is not None:
            self._conn.close()
            self._conn = None
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None
