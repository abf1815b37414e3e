"""Shared helpers for the store's tests: real databases, no mocks.

Every test that takes ``db_url`` (or ``store``) runs twice: on a new SQLite file under tmp_path
and on a new, uniquely named PostgreSQL database (created from ``RECTRACK_TEST_PG_URL``, dropped
after the test). Without ``RECTRACK_TEST_PG_URL`` the PostgreSQL variants are skipped locally,
and fail when ``CI`` is set (``.ci/run`` starts a server and sets the variable).
"""

from __future__ import annotations

import contextlib

import os
import uuid
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from rectrack.cli import main
from storage.repository import Store, open_store

SAMPLES_DIR = Path(__file__).resolve().parents[2] / "crawler" / "samples"
SAMPLES = sorted(SAMPLES_DIR.glob("*.txt"))

PG_ENV = "RECTRACK_TEST_PG_URL"
BACKENDS = ["sqlite", "postgresql"]


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


def run(db: Path | str, *args: str):
    """``rectrack --db DB ARGS…``; DB is a SQLite path or any database URL."""
    return CliRunner().invoke(main, ["--db", str(db), *args])


def is_sqlite(url: str) -> bool:
    return url.startswith("sqlite")


def _pg_server_url() -> str:
    url = os.environ.get(PG_ENV, "").strip()
    if not url:
        message = (f"{PG_ENV} is not set: no PostgreSQL server to test the store on "
                   f"(e.g. {PG_ENV}=postgresql+psycopg://postgres@127.0.0.1:5432/postgres; .ci/run starts one)")
        if os.environ.get("CI"):
            pytest.fail(f"CI is set but {message}", pytrace=False)
        pytest.skip(message)
    return url


def _pg_admin(server_url: str):
    return create_engine(server_url, isolation_level="AUTOCOMMIT", pool_size=1, max_overflow=0)


def new_pg_database(server_url: str) -> str:
    """Create an empty database with a unique name on the server; its URL."""
    name = f"rectrack_t_{uuid.uuid4().hex[:16]}"
    admin = _pg_admin(server_url)
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        admin.dispose()
    return make_url(server_url).set(database=name).render_as_string(hide_password=False)


def drop_pg_database(server_url: str, url: str) -> None:
    name = make_url(url).database
    admin = _pg_admin(server_url)
    try:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest, tmp_path: Path):
    """The URL of a new, empty database: a SQLite file, or a fresh PostgreSQL database."""
    if request.param == "sqlite":
        yield sqlite_url(tmp_path / "store.db")
        return
    with _fresh_pg_database() as url:
        yield url


@pytest.fixture
def pg_url():
    """A fresh PostgreSQL database only (for the PostgreSQL-specific tests)."""
    with _fresh_pg_database() as url:
        yield url


@contextlib.contextmanager
def _fresh_pg_database():
    """Create a uniquely named database on the test server; drop it afterwards."""
    server = _pg_server_url()
    url = new_pg_database(server)
    try:
        yield url
    finally:
        drop_pg_database(server, url)


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    """A SQLite file for the tests that are about files (paths, permissions)."""
    return tmp_path / "store.db"


@pytest.fixture
def store(db_url: str):
    with open_store(db_url) as s:
        yield s


__all__ = ["BACKENDS", "SAMPLES", "SAMPLES_DIR", "Store", "drop_pg_database", "is_sqlite", "new_pg_database",
           "run", "sqlite_url"]
