"""Alembic migrations run from code; the hand-written 0001 matches the models; bad databases."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text

from rectrack.errors import UserError
from storage.db import connect, database_url
from storage.migrate import current_revision, head_revision, upgrade
from storage.models import Base
from storage.repository import open_store
from tests.storage.conftest import is_sqlite, sqlite_url

TABLES = {"sources", "fetches", "units", "unit_names", "reports", "issues", "crawl_runs", "alert_deliveries",
          "alembic_version"}


def test_upgrade_an_empty_database(db_url: str) -> None:
    engine = connect(db_url)
    try:
        assert current_revision(engine) is None
        assert upgrade(engine) is True
        assert current_revision(engine) == head_revision() == "0004"
        assert set(inspect(engine).get_table_names()) == TABLES
        assert upgrade(engine) is False  # already there
        if not is_sqlite(db_url):
            return
        with engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 30000
    finally:
        engine.dispose()


def test_the_migration_matches_the_models(db_url: str) -> None:
    engine = connect(db_url)
    try:
        upgrade(engine)
        with engine.connect() as conn:
            diffs = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata)
        assert diffs == []
    finally:
        engine.dispose()


def test_a_newer_database_is_refused(db_url: str) -> None:
    store = open_store(db_url)
    try:
        with store.engine.begin() as conn:
            conn.execute(text("UPDATE alembic_version SET version_num = '0099_future'"))
    finally:
        store.close()
    with pytest.raises(UserError, match=r"database was created by a newer rectrack \(revision 0099_future\); "
                                        r"upgrade rectrack"):
        open_store(db_url)


def test_bad_urls_and_paths(tmp_path: Path) -> None:
    with pytest.raises(UserError, match="folder .* does not exist"):
        connect(sqlite_url(tmp_path / "missing" / "x.db"))
    with pytest.raises(UserError, match="no driver"):
        connect("nosuchdb://host/x")
    with pytest.raises(UserError, match="invalid database URL"):
        connect("sqlite://:bad:url:")
    with pytest.raises(UserError, match="is a directory"):
        connect(sqlite_url(tmp_path))
    not_a_db = tmp_path / "text.db"
    not_a_db.write_text("this is not a database\n" * 100)
    with pytest.raises(UserError):
        open_store(sqlite_url(not_a_db))


def test_a_plain_postgresql_url_uses_psycopg(pg_url: str) -> None:
    engine = connect(pg_url.replace("postgresql+psycopg://", "postgresql://", 1))
    try:
        assert engine.dialect.driver == "psycopg"
        assert upgrade(engine) is True
    finally:
        engine.dispose()


def test_an_unreachable_postgresql_server() -> None:
    # port 1 on the loopback: nothing listens there, the connection is refused at once
    with pytest.raises(UserError, match="cannot open the database postgresql\\+psycopg://u:\\*\\*\\*@127.0.0.1:1/x"):
        connect("postgresql+psycopg://u:secret@127.0.0.1:1/x")


@pytest.mark.skipif(not Path("/proc/self").is_dir(), reason="needs Linux /proc")
def test_a_folder_nobody_can_create_files_in() -> None:
    with pytest.raises(UserError, match="cannot open the database"):
        connect("sqlite:////proc/rectrack-test.db")


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="permissions do not bind root")
def test_an_unwritable_folder(tmp_path: Path) -> None:
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        with pytest.raises(UserError, match="cannot"):
            open_store(sqlite_url(folder / "x.db"))
    finally:
        folder.chmod(0o700)


def test_database_url_resolution(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RECTRACK_DB", "sqlite:///from-env.db")
    assert database_url("sqlite:///cli.db") == "sqlite:///cli.db"
    assert database_url(None) == "sqlite:///from-env.db"
    assert database_url(str(tmp_path / "plain.db")) == f"sqlite:///{tmp_path / 'plain.db'}"
    monkeypatch.delenv("RECTRACK_DB")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    url = database_url(None)
    assert url.startswith("sqlite:///") and url.endswith("rectrack.db")
    assert Path(url.removeprefix("sqlite:///")).parent.is_dir()


def test_upgrade_from_every_previous_revision(db_url: str) -> None:
    """For each migration: a database at the revision before it is upgraded to head and matches
    the models (today: base → 0001; each new migration is covered from its predecessor)."""
    from alembic import command
    from alembic.script import ScriptDirectory

    from storage.migrate import alembic_config

    script = ScriptDirectory.from_config(alembic_config())
    revisions = list(script.walk_revisions())  # head first
    assert revisions, "no migrations found"
    for rev in revisions:
        previous = rev.down_revision or "base"
        engine = connect(db_url)
        try:
            with engine.begin() as conn:  # start from an empty database each time
                Base.metadata.drop_all(conn)
                conn.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")
            cfg = alembic_config()
            with engine.begin() as conn:
                cfg.attributes["connection"] = conn
                command.upgrade(cfg, previous if isinstance(previous, str) else previous[0])
            assert current_revision(engine) == (None if previous == "base" else previous)
            assert upgrade(engine) is True
            assert current_revision(engine) == head_revision()
            with engine.connect() as conn:
                diffs = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata)
            assert diffs == []
        finally:
            engine.dispose()
