"""A full disk and a read-only database: one clear line, and nothing half-written (SQLite, for real:
``max_page_count`` makes SQLite report a full disk; ``mode=ro`` opens the file read-only, which
file permissions cannot do for root)."""

from __future__ import annotations

import sqlite3
import subprocess
import sys

import pytest
from sqlalchemy import event
from sqlalchemy.exc import OperationalError

from crawler.parse import parse_document
from storage.db import explain_db_error
from storage.repository import open_store
from tests.storage.conftest import SAMPLES


def _counts(path) -> tuple[int, int]:
    with sqlite3.connect(path) as conn:
        return (conn.execute("SELECT count(*) FROM reports").fetchone()[0],
                conn.execute("SELECT count(*) FROM issues").fetchone()[0])


def test_full_disk_rolls_back_the_whole_report(tmp_path):
    path = tmp_path / "full.db"
    first, second = (parse_document(p.read_bytes(), name=p.name) for p in SAMPLES[:2])
    with open_store(f"sqlite:///{path}") as store:
        store.ingest(first, raw=SAMPLES[0].read_bytes())
    before = _counts(path)
    with open_store(f"sqlite:///{path}") as store:
        pages = sqlite3.connect(path).execute("PRAGMA page_count").fetchone()[0]
        for engine in {store.engine, store._writer}:
            event.listen(engine, "connect", lambda conn, _rec: conn.execute(f"PRAGMA max_page_count={pages + 1}"))
            engine.dispose()
        with pytest.raises(OperationalError) as err:
            store.ingest(second, raw=SAMPLES[1].read_bytes() * 50)
    assert "disk holding the database is full" in explain_db_error(err.value)
    assert _counts(path) == before  # no report row, no issue rows of the failed one


def test_read_only_database_is_one_line_and_unchanged(tmp_path):
    path = tmp_path / "ro.db"
    with open_store(f"sqlite:///{path}") as store:
        store.ingest(parse_document(SAMPLES[0].read_bytes(), name=SAMPLES[0].name), raw=None)
    before = _counts(path)
    url = f"sqlite:///file:{path}?mode=ro&uri=true"
    done = subprocess.run([sys.executable, "-m", "rectrack.cli", "--db", url, "import", str(SAMPLES[1])],
                          capture_output=True, text=True)
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert done.stderr.strip().splitlines() == [done.stderr.strip()] and "read-only" in done.stderr
    assert _counts(path) == before
