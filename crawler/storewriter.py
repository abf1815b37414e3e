"""The crawl's database writer: a process of its own, writing the batches of the item pipelines.

Writing a page costs hashing, compression and SQL. In a thread of the crawl process that work would
fight the reactor for the GIL (each release — every SQLite call, every ``zlib.compress`` — would make
the writer wait for the reactor's next switch); in a process it runs beside the reactor instead.
One writer per crawl process, shared by its spiders: batches are written in the order they were
sent, and SQLite sees a single writer.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import traceback
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from typing import TypeVar

from crawler.gctuning import tune
from crawler.items import PageItem
from storage.crawllog import CrawlLog, FetchRecord
from storage.repository import Ingest, Store, open_store

T = TypeVar("T")
R = TypeVar("R")

_executor: ProcessPoolExecutor | None = None
_users = 0


def warm() -> None:
    """Start the writer process now, so that it imports while the crawl sets up (:func:`acquire` finds it)."""
    global _executor
    if _executor is None:
        _executor = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"),
                                        initializer=_init_writer)
        _executor.submit(_ready)  # starts the process now, not at the first batch


def acquire() -> ProcessPoolExecutor:
    """The crawl process's writer, started (and warming up) on first use; :func:`release` it when done."""
    global _users
    warm()
    assert _executor is not None
    _users += 1
    return _executor


def stop_unused() -> None:
    """Stop a writer that :func:`warm` started and no pipeline holds (a crawl that never opened a spider)."""
    global _executor
    if _users == 0 and _executor is not None:
        executor, _executor = _executor, None
        executor.shutdown(wait=True)


async def release() -> None:
    """One user less; the last one closes the writer's stores (after the batches sent before) and stops it."""
    global _executor, _users
    _users -= 1
    if _users == 0 and _executor is not None:
        executor, _executor = _executor, None
        await asyncio.wrap_future(executor.submit(close_stores))
        executor.shutdown(wait=True)  # its work is done: the process exits at once


# ---- in the writer process ------------------------------------------------------------------------

_stores: dict[str, tuple[Store, CrawlLog]] = {}


def _init_writer() -> None:
    tune()  # its garbage (unpickled pages, statement parameters) is short-lived: see crawler.gctuning


def _ready() -> None:
    return None


@dataclass
class Written:
    """What became of a batch: per notice stored ``new``, ``new_version`` or ``unchanged``; and the pages
    that could not be written, with the error."""

    outcomes: list[str] = field(default_factory=list)
    errors: list[tuple[str, str]] = field(default_factory=list)


def write_pages(db_url: str, run_id: int | None, pages: list[PageItem]) -> Written:
    """Log every fetch of ``pages`` (one transaction), then store their notices (another)."""
    if db_url not in _stores:
        store = open_store(db_url)
        _stores[db_url] = (store, CrawlLog(store))
    store, log = _stores[db_url]
    written = Written()

    def record(items: Sequence[PageItem]) -> list[int]:
        records: list[FetchRecord] = []
        own: list[int] = []  # index of each item's own fetch (later pages of a multi-page notice follow it)
        for item in items:
            own.append(len(records))
            records.append(FetchRecord(item.url, run_id=run_id, kind=item.kind, http_status=item.http_status,
                                       etag=item.etag, last_modified=item.last_modified,
                                       raw=item.body if item.kind != "list" else None,
                                       content_type=item.content_type, error=item.error))
            records.extend(FetchRecord(url, run_id=run_id, kind=item.kind, http_status=200, raw=body)
                           for url, body in item.extra_pages)
        ids = log.record_fetches(records)
        return [ids[index] for index in own]

    def ingest(notices: Sequence[tuple[PageItem, int]]) -> list[str]:
        results = store.ingest_many([Ingest(item.open_report(), fetch_id=fetch_id)  # type: ignore[arg-type]
                                     for item, fetch_id in notices])
        return ["unchanged" if not r.created else ("new" if r.version == 1 else "new_version") for r in results]

    fetch_ids = _all_or_each(record, pages, lambda item: item.url, written.errors)
    notices = [(item, fetch_id) for item, fetch_id in zip(pages, fetch_ids, strict=True)
               if fetch_id is not None and not item.failed and item.report is not None]
    written.outcomes = [o for o in _all_or_each(ingest, notices, lambda n: n[0].url, written.errors) if o is not None]
    return written


def close_stores() -> None:
    while _stores:
        store, _ = _stores.popitem()[1]
        store.close()


def _all_or_each(write: Callable[[Sequence[T]], list[R]], items: Sequence[T], url: Callable[[T], str],
                 errors: list[tuple[str, str]]) -> list[R | None]:
    """``write(items)`` in one go; if that fails, item by item, so that one bad item costs only itself
    (``None`` in its place, and its URL and error in ``errors``)."""
    if not items:
        return []
    try:
        return list(write(items))
    except Exception:  # noqa: BLE001, S110 - written one by one below, which shows the culprit
        pass
    out: list[R | None] = []
    for item in items:
        try:
            out.extend(write([item]))
        except Exception:  # noqa: BLE001 - reported; the crawl goes on
            errors.append((url(item), traceback.format_exc()))
            out.append(None)
    return out
