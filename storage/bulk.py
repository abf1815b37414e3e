"""Set-at-a-time SQL for the write paths (ingest, crawl log): few statements per batch, not per row.

Core statements on a connection the caller holds in a transaction; SQLite and PostgreSQL only.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
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
        return _sqlite_insert(conn, table, rows)
    result = conn.execute(insert(table).returning(table.c.id, sort_by_parameter_order=True), list(rows))
    return list(result.scalars())


def insert_rows(conn: Connection, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """Insert ``rows`` (no ids wanted)."""
    if not rows:
        return
    if conn.dialect.name == "sqlite":
        _sqlite_insert(conn, table, rows)
    else:
        conn.execute(insert(table), list(rows))


def _sqlite_insert(conn: Connection, table: Table, rows: Sequence[dict[str, Any]]) -> list[int]:
    """SQLite: one ``executemany`` of the driver on rows prepared here; the new ids.

    SQLAlchemy's own executemany processes every parameter of every row through its compiler: two thirds
    of the time of storing a crawled notice's issues (measured). Here each row is a tuple, the columns'
    Python defaults are filled in and their types' bind processors applied (JSON, DateTime: the values
    SQLAlchemy itself would send), and the values are bound parameters as always.

    The ids: SQLite gives a row without an explicit rowid the largest rowid + 1, and the transaction holds
    the write lock, so the rows got consecutive ids ending at ``last_insert_rowid()`` (checked).
    """
    columns, processors, defaults = _sqlite_plan(conn, table, tuple(rows[0]))
    given = columns[:len(columns) - len(defaults)]
    processed = [(index, process) for index, process in enumerate(processors) if process is not None]
    prepared = []
    for row in rows:
        values = [row[c] for c in given]
        values.extend(default() for default in defaults)
        for index, process in processed:  # only the few columns whose type has a bind processor
            if values[index] is not None:
                values[index] = process(values[index])
        prepared.append(tuple(values))
    quote = conn.dialect.identifier_preparer.quote
    sql = (f"INSERT INTO {quote(table.name)} ({', '.join(quote(c) for c in columns)}) "
           f"VALUES ({', '.join('?' for _ in columns)})")
    conn.exec_driver_sql(sql, prepared)
    last = conn.exec_driver_sql("SELECT last_insert_rowid()").scalar_one()
    first = last - len(prepared) + 1
    found = conn.exec_driver_sql(f"SELECT count(*) FROM {quote(table.name)} WHERE rowid BETWEEN ? AND ?",
                                 (first, last)).scalar_one()
    if found != len(prepared):
        raise RuntimeError(f"inserted {len(prepared)} rows into {table.name} but not under consecutive ids")
    return list(range(first, last + 1))


def _sqlite_plan(conn: Connection, table: Table, given: tuple[str, ...]
                 ) -> tuple[list[str], list[Callable[[Any], Any] | None], list[Callable[[], Any]]]:
    """The columns to insert (the given ones, then those with a Python-side default), each column's bind
    processor, and the default makers of the latter."""
    key = (table.name, given)
    plan = _PLANS.get(key)
    if plan is None:
        defaults = [c for c in table.columns if c.name not in given and not c.primary_key and c.default is not None
                    and (c.default.is_scalar or c.default.is_callable)]
        columns = list(given) + [c.name for c in defaults]
        processors = [table.c[name].type.bind_processor(conn.dialect) for name in columns]
        makers = [_maker(c.default) for c in defaults]
        plan = _PLANS[key] = (columns, processors, makers)
    return plan


def _maker(default: Any) -> Callable[[], Any]:
    if default.is_scalar:
        return lambda: default.arg
    return lambda: default.arg(None)  # SQLAlchemy wraps a zero-argument default to take an execution context


_PLANS: dict[tuple[str, tuple[str, ...]], Any] = {}


def insert_missing(conn: Connection, table: Table, rows: Sequence[dict[str, Any]], unique: Sequence[str]) -> None:
    """Insert ``rows``, silently skipping those whose ``unique`` columns match a row already there
    (``INSERT … ON CONFLICT DO NOTHING``: no savepoint, and a concurrent writer's row wins quietly)."""
    if not rows:
        return
    dialect = {"sqlite": sqlite, "postgresql": postgresql}.get(conn.dialect.name)
    if dialect is None:
        raise NotImplementedError(f"bulk inserts support SQLite and PostgreSQL, not {conn.dialect.name}")
    conn.execute(dialect.insert(table).on_conflict_do_nothing(index_elements=list(unique)), list(rows))
