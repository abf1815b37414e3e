"""Set-at-a-time SQL for the write paths (ingest, crawl log): few statements per batch, not per row.

Core statements on a connection the caller holds in a transaction; SQLite and PostgreSQL only.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any, TypeVar

from sqlalchemy import Connection, Table, insert
from sqlalchemy.dialects import postgresql, sqlite

T = TypeVar("T")

#: Values per ``IN (…)`` list: well below SQLite's limit of bound parameters.
IN_CHUNK = 500


def chunks(values: Iterable[T], size: int = IN_CHUNK) -> Iterator[list[T]]:
    """``values`` in lists of at most ``size``."""
    batch: list[T] = []
    for value in values:
        batch.append(value)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def insert_returning_ids(conn: Connection, table: Table, rows: Sequence[dict[str, Any]]) -> list[int]:
    """Insert ``rows`` (multi-row INSERT … RETURNING id); their new ids, in the order of ``rows``."""
    if not rows:
        return []
    if conn.dialect.name == "sqlite":
        # SQLite returns RETURNING rows in no promised order (so SQLAlchemy would insert them one statement
        # per row to keep the order), but gives the rows of an INSERT rowids that grow in VALUES order (a new
        # rowid is the largest one + 1, and the transaction holds the write lock): sorted ids are in order.
        return sorted(conn.execute(insert(table).returning(table.c.id), list(rows)).scalars())
    result = conn.execute(insert(table).returning(table.c.id, sort_by_parameter_order=True), list(rows))
    return list(result.scalars())


def insert_missing(conn: Connection, table: Table, rows: Sequence[dict[str, Any]], unique: Sequence[str]) -> None:
    """Insert ``rows``, silently skipping those whose ``unique`` columns match a row already there
    (``INSERT … ON CONFLICT DO NOTHING``: no savepoint, and a concurrent writer's row wins quietly)."""
    if not rows:
        return
    dialect = {"sqlite": sqlite, "postgresql": postgresql}.get(conn.dialect.name)
    if dialect is None:
        raise NotImplementedError(f"bulk inserts support SQLite and PostgreSQL, not {conn.dialect.name}")
    conn.execute(dialect.insert(table).on_conflict_do_nothing(index_elements=list(unique)), list(rows))
