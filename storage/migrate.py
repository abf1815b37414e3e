"""Schema migrations (Alembic), run from code: ``rectrack db upgrade`` or on first use.

A new revision: change ``models.py``, then write ``migrations/versions/NNNN_what.py`` (by hand, or
start from ``alembic.command.revision(alembic_config(), "what", autogenerate=True)`` with the
URL of an up-to-date database in ``RECTRACK_DB``); ``tests/storage/test_migrations.py`` checks
that the migrations and the models agree.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, text

from rectrack.errors import UserError

from .db import write_engine

MIGRATIONS = Path(__file__).resolve().parent / "migrations"

#: PostgreSQL advisory lock key (any fixed 64-bit number) that serialises concurrent migrations.
PG_MIGRATION_LOCK = 0x7265637472616B  # "rectrak"


def alembic_config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return cfg


def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def _check_known(revision: str | None, script: ScriptDirectory) -> None:
    if revision is None:
        return
    try:
        known = script.get_revision(revision) is not None
    except Exception:  # alembic raises CommandError/ResolutionError for unknown ids
        known = False
    if not known:
        raise UserError(f"database was created by a newer rectrack (revision {revision}); upgrade rectrack")


def upgrade(engine: Engine) -> bool:
    """Bring the schema to the newest revision; True if anything was applied.

    The check and the upgrade run in one write transaction, so processes starting at once
    on a new database apply the migration once and the others wait, then find it done: on
    SQLite the transaction takes the write lock at BEGIN; on PostgreSQL (transactional DDL, but
    no lock on tables that do not exist yet) it first takes a transaction-level advisory lock.
    """
    cfg = alembic_config()
    script = ScriptDirectory.from_config(cfg)
    head = script.get_current_head()
    current = current_revision(engine)
    _check_known(current, script)
    if current == head:
        return False
    with write_engine(engine).begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": PG_MIGRATION_LOCK})
        current = MigrationContext.configure(conn).get_current_revision()
        _check_known(current, script)
        if current == head:
            return False
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")
    return True
