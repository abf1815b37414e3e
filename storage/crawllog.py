"""The crawl log: runs, every fetch with its outcome, and what is already known about a page.

The crawler writes here (through its item pipeline); incremental crawling reads
:meth:`CrawlLog.page_states` to skip pages it has, or to re-check them with a conditional GET.
Raw bytes are kept once per (URL, content): a repeated identical download is logged without them.

Nothing is lost to a crash or to a manual fetch: a page counts as known only once a crawl is done with
it — a crawl downloaded it and a notice was stored from it, or the download recorded why it is no notice.
A page logged by a crawl killed before it stored the notice, and a notice fetched by hand, are fetched
again by the next crawl; and after a crawl that died half-way (:meth:`CrawlLog.lists_incomplete`) the
next one reads whole lists instead of stopping at the first known notice.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from . import rawcodec
from .bulk import chunks, insert_returning_ids
from .models import CrawlRun, Fetch, ReportRow
from .repository import Store

#: A fetch with one of these statuses means the page was there (304: unchanged since last time).
OK_STATUSES = (200, 203, 304)


@dataclass(frozen=True)
class FetchRecord:
    """One download (or failure) for :meth:`CrawlLog.record_fetches`: the arguments of :meth:`CrawlLog.record_fetch`."""

    url: str
    run_id: int | None = None
    kind: str | None = None
    http_status: int | None = None
    etag: str | None = None
    last_modified: str | None = None
    raw: bytes | None = None
    content_type: str | None = None
    error: str | None = None


@dataclass(frozen=True)
class PageState:
    """The latest successful fetch of a URL (``has_report``: a notice was stored from the URL; else the fetch
    recorded why the page is no notice)."""

    url: str
    fetched_at: datetime
    etag: str | None
    last_modified: str | None
    content_hash: str | None
    has_report: bool


@dataclass(frozen=True)
class RunSummary:
    """One crawl run as ``rectrack sites`` and the alerts show it."""

    id: int
    site: str | None
    status: str | None
    started_at: datetime
    finished_at: datetime | None
    counts: dict[str, Any]
    failures: list[Any]


class CrawlLog:
    """Runs and fetches of one :class:`Store`'s database."""

    def __init__(self, store: Store) -> None:
        self._store = store

    def start_run(self, site: str | None) -> int:
        with Session(self._store._writer) as session, session.begin():
            run = CrawlRun(site=site, counts={}, failures=[])
            session.add(run)
            session.flush()
            return run.id

    def finish_run(self, run_id: int, *, status: str, counts: dict[str, Any], failures: list[Any]) -> None:
        with Session(self._store._writer) as session, session.begin():
            run = session.get(CrawlRun, run_id)
            if run is not None:
                run.status, run.counts, run.failures = status, counts, failures
                run.finished_at = datetime.now(UTC)

    def record_fetch(self, url: str, *, run_id: int | None = None, kind: str | None = None,
                     http_status: int | None = None, etag: str | None = None, last_modified: str | None = None,
                     raw: bytes | None = None, content_type: str | None = None, error: str | None = None) -> int:
        """Log one download (or failure); returns the fetch id. Raw bytes already stored for this URL are not kept
        twice."""
        return self.record_fetches([FetchRecord(url, run_id=run_id, kind=kind, http_status=http_status, etag=etag,
                                                last_modified=last_modified, raw=raw, content_type=content_type,
                                                error=error)])[0]

    def record_fetches(self, fetches: Sequence[FetchRecord]) -> list[int]:
        """Log several downloads in one transaction, as :meth:`record_fetch` would one after the other; their ids."""
        if not fetches:
            return []
        digests = [hashlib.sha256(f.raw).hexdigest() if f.raw is not None else None for f in fetches]
        wanted = {(f.url, d) for f, d in zip(fetches, digests, strict=True) if d is not None}
        with self._store._writer.begin() as conn:
            kept: set[tuple[str, str]] = set()  # (url, digest) whose bytes are stored already
            for batch in chunks(sorted(wanted)):
                kept.update((url, digest) for url, digest in conn.execute(
                    select(Fetch.url, Fetch.content_hash).distinct()
                    .where(Fetch.url.in_({u for u, _ in batch}), Fetch.content_hash.in_({d for _, d in batch}),
                           Fetch.raw.is_not(None))) if (url, digest) in wanted)
            rows = []
            for f, digest in zip(fetches, digests, strict=True):
                keep = f.raw is not None and (f.url, digest) not in kept
                if keep:
                    kept.add((f.url, digest))  # type: ignore[arg-type]
                rows.append({"url": f.url, "crawl_run_id": f.run_id, "kind": f.kind, "http_status": f.http_status,
                             "etag": f.etag, "last_modified": f.last_modified, "content_hash": digest,
                             "raw": rawcodec.pack(f.raw) if keep else None,  # type: ignore[arg-type]
                             "content_type": f.content_type, "error": f.error})
            return insert_returning_ids(conn, Fetch.__table__, rows)

    def page_states(self, urls: Iterable[str]) -> dict[str, PageState]:
        """For each URL a crawl is done with: its latest successful fetch (status 200/203/304).

        Done means a crawl downloaded the page, and a notice was stored from it (or from its attachment or
        its further pages) or a download of it recorded why it is no notice. Not known, so fetched again by
        the next crawl: a page whose notice was not stored, or whose attachment was not fetched, because the
        crawl was killed or the write failed; and a notice only fetched by hand (``rectrack fetch``), which
        says nothing about the older notices of the list it is on.
        """
        return {url: state for url, (state, done) in self._latest_fetches(urls).items() if done}

    def _latest_fetches(self, urls: Iterable[str]) -> dict[str, tuple[PageState, bool]]:
        """For each URL downloaded before (status 200/203/304, a notice or not, by a crawl or not): its latest
        such fetch, and whether a crawl is done with it (:meth:`page_states`)."""
        wanted = list(dict.fromkeys(urls))
        states: dict[str, tuple[PageState, bool]] = {}
        with Session(self._store.engine) as session:
            for start in range(0, len(wanted), 500):
                chunk = wanted[start:start + 500]
                ok = (Fetch.url.in_(chunk), Fetch.http_status.in_(OK_STATUSES))
                latest = select(func.max(Fetch.id)).where(*ok).group_by(Fetch.url)
                reported = set(session.scalars(select(ReportRow.source_url).where(ReportRow.source_url.in_(chunk))))
                crawled, no_notice = set(), set()
                for url, error in session.execute(select(Fetch.url, Fetch.error).distinct()
                                                  .where(*ok, Fetch.crawl_run_id.is_not(None))):
                    crawled.add(url)
                    if error is not None:
                        no_notice.add(url)
                for row in session.scalars(select(Fetch).where(Fetch.id.in_(latest))):
                    done = row.url in crawled and (row.url in reported or row.url in no_notice)
                    states[row.url] = (PageState(row.url, _aware(row.fetched_at), row.etag, row.last_modified,
                                                 row.content_hash, row.url in reported), done)
        return states

    def known_urls(self, url_prefixes: Iterable[str]) -> set[str]:
        """Every URL under these prefixes a crawl is done with (as :meth:`page_states` counts them): a few
        queries, for a crawl that checks each list page's links against it instead of asking per page."""
        known: set[str] = set()
        with self._store.engine.connect() as conn:
            for prefix in url_prefixes:
                pattern = _like(prefix)
                reported = set(conn.scalars(select(ReportRow.source_url).distinct()
                                            .where(ReportRow.source_url.like(pattern, escape="\\"))))
                for url, error in conn.execute(select(Fetch.url, Fetch.error).distinct().where(
                        Fetch.url.like(pattern, escape="\\"), Fetch.http_status.in_(OK_STATUSES),
                        Fetch.crawl_run_id.is_not(None))):
                    if error is not None or url in reported:
                        known.add(url)
        return known

    def due_notices(self, url_prefixes: Iterable[str], fetched_before: datetime) -> list[PageState]:
        """Stored notices under these URL prefixes whose latest download is older than ``fetched_before``."""
        with Session(self._store.engine) as session:
            urls: set[str] = set()
            for prefix in url_prefixes:
                urls.update(u for u in session.scalars(
                    select(ReportRow.source_url).where(ReportRow.source_url.like(_like(prefix), escape="\\"))
                    .distinct()) if u)
        return [state for state in self.page_states(sorted(urls)).values() if state.fetched_at <= fetched_before]

    def failed_pages(self, url_prefixes: Iterable[str], *, max_failures: int = 5) -> list[str]:
        """Detail pages and attachments under these prefixes never downloaded yet, that failed fewer than
        ``max_failures`` times: the next crawl tries them again even when no list page shows them any more."""
        with Session(self._store.engine) as session:
            failed: dict[str, int] = {}
            for prefix in url_prefixes:
                rows = session.execute(
                    select(Fetch.url, func.count()).where(Fetch.url.like(_like(prefix), escape="\\"),
                                                         Fetch.kind.in_(("detail", "attachment")),
                                                         or_(Fetch.http_status.is_(None), Fetch.http_status >= 400))
                    .group_by(Fetch.url))
                failed.update({url: n for url, n in rows})
        # Downloaded since? (Not page_states: an attachment's notice is stored under its page's URL.)
        downloaded = self._latest_fetches(failed)
        return sorted(url for url, n in failed.items() if url not in downloaded and n < max_failures)

    def lists_incomplete(self, start_urls: Iterable[str]) -> bool:
        """Whether the latest run that read these list pages failed to fetch one of its list pages (or got one
        cut short), or never finished (it was killed, or is still running elsewhere): the notices only those
        pages showed are still to be found, so the next crawl reads the lists past known notices."""
        with Session(self._store.engine) as session:
            last_run = session.scalar(select(func.max(Fetch.crawl_run_id))
                                      .where(Fetch.url.in_(list(start_urls)), Fetch.kind == "list"))
            if last_run is None:
                return False
            finished = session.scalar(select(CrawlRun.finished_at).where(CrawlRun.id == last_run))
            if finished is None:  # killed after it stored a list's newest notices, maybe before its older pages
                return True
            failed = session.scalar(select(func.count()).select_from(Fetch).where(
                Fetch.crawl_run_id == last_run, Fetch.kind == "list",
                or_(Fetch.http_status.is_(None), Fetch.http_status >= 400)))
            return bool(failed)

    def runs(self, site: str | None = None, limit: int = 10) -> list[RunSummary]:
        """The latest runs, newest first (of one site when given)."""
        with Session(self._store.engine) as session:
            query = select(CrawlRun).order_by(CrawlRun.id.desc()).limit(limit)
            if site is not None:
                query = query.where(CrawlRun.site == site)
            return [RunSummary(r.id, r.site, r.status, _aware(r.started_at),
                               _aware(r.finished_at) if r.finished_at else None, dict(r.counts or {}),
                               list(r.failures or [])) for r in session.scalars(query)]

    def last_runs_by_site(self) -> dict[str, RunSummary]:
        """The newest finished run of every site."""
        with Session(self._store.engine) as session:
            newest = (select(func.max(CrawlRun.id)).where(CrawlRun.site.is_not(None), CrawlRun.status.is_not(None))
                      .group_by(CrawlRun.site))
            rows = session.scalars(select(CrawlRun).where(CrawlRun.id.in_(newest)))
            return {r.site: RunSummary(r.id, r.site, r.status, _aware(r.started_at),
                                       _aware(r.finished_at) if r.finished_at else None,
                                       dict(r.counts or {}), list(r.failures or [])) for r in rows if r.site}


def _like(prefix: str) -> str:
    """A LIKE pattern for URLs starting with ``prefix`` (``%`` and ``_`` taken literally)."""
    return prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _aware(moment: datetime) -> datetime:
    """SQLite gives naive datetimes back: they were stored in UTC."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
