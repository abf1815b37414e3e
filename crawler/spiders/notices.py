"""The generic notice spider: from list pages to every rectification notice on a site.

Needs only a list-page URL (``scrapy crawl notices -a start_url=…``) or a site config. It follows
links whose title looks like a notice (``crawler.titles``), pages through lists every common way
(``crawler.listing``), and hands each detail page to ``crawler.extract``. Incremental: pages already
fetched are skipped, or re-checked with a conditional GET once ``RECTRACK_RECHECK_DAYS`` have passed,
and a list is not paged further once it shows an already-known notice.

A site's rules (link and title patterns, list limits) travel with each request as the site's name
(``meta["rectrack_site"]``) and are looked up by :meth:`NoticeSpider.rules_for`: here the spider's
own site; in a distributed crawl (``crawler.distributed``) whichever site the request belongs to.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import scrapy
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from crawler.config import SiteConfig
from crawler.extract import (ATTACHMENT_SUFFIXES, AttachedTo, PageOutcome, continuation_page_text, cut_short,
                             examine_for_crawl, join_pages_for_crawl)
from crawler.items import PageItem
from crawler.listing import ListPage, PageRequest, datastore_links, next_dataproxy_group
from crawler.parsepool import run_in_pool
from crawler.siterules import SiteRules

#: Anti-bot JavaScript challenges (a browser must run a script to get a cookie): recorded, not retried.
CHALLENGE_STATUSES = (412, 521)


class NoticeSpider(scrapy.Spider):
    """Crawl one site (or a few list URLs) for rectification notices."""

    name = "notices"

    def __init__(self, start_url: str | None = None, site: SiteConfig | None = None,
                 max_pages: int | str | None = None, full: bool | str = False, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.site = site
        urls = list(site.start_urls) if site else []
        if start_url:
            urls.extend(u for u in re.split(r"[\s,]+", start_url) if u)
        if not urls:
            raise ValueError("give a list page: -a start_url=URL (or a site config)")
        self.start_urls = urls
        self.rules = SiteRules.for_crawl(site, urls, max_pages=max_pages, full=full)
        self.site_name = self.rules.name
        self.allowed_domains = list(self.rules.allowed_domains)
        self.max_pages = self.rules.max_pages
        self.full = self.rules.full
        self._log: Any = None
        self._known: set[str] | None = None
        #: A list page failed in the previous run: this run reads the lists past known notices.
        self.resume_lists = False

    def rules_for(self, meta: dict[str, Any]) -> SiteRules:
        """The rules of the site a request (its ``meta``) belongs to: this spider's one site."""
        return self.rules

    def _site_meta(self, rules: SiteRules) -> dict[str, Any]:
        """What a request carries so that its response is handled by its site's rules."""
        return {"rectrack_site": rules.name}

    # ---- state of known pages (read from the store the pipeline writes to) ------------------

    @property
    def crawl_log(self) -> Any:
        if self._log is None:
            from storage.crawllog import CrawlLog
            from storage.repository import open_store

            self._log = CrawlLog(open_store(self.settings["RECTRACK_DB"]))
        return self._log

    def closed(self, reason: str) -> None:
        if self._log is not None:
            self._log._store.close()

    def known_pages(self, urls: list[str]) -> set[str]:
        """Which of ``urls`` the store was done with before this crawl (a notice stored, or the reason it is
        none recorded: ``CrawlLog.known_urls``), looked up in a snapshot taken once (URLs outside the site's
        prefixes are asked of the database)."""
        prefixes = self._site_prefixes()
        if self._known is None:
            self._known = self.crawl_log.known_urls(prefixes)
        outside = [url for url in urls if not url.startswith(tuple(prefixes))]
        known = {url for url in urls if url in self._known}
        return known | set(self.crawl_log.page_states(outside)) if outside else known

    # ---- requests ---------------------------------------------------------------------------

    async def start(self) -> Any:
        rules = self.rules
        self.known_pages([])  # the snapshot, before this crawl stores anything
        self.resume_lists = self.crawl_log.lists_incomplete(self.start_urls)
        if self.resume_lists:
            self.crawler.stats.set_value("rectrack/lists_resumed", 1)
        for url in self.start_urls:
            yield self._list_request(PageRequest(url), page_no=1, rules=rules)
        for state in self.crawl_log.due_notices(self._site_prefixes(), self._recheck_before()):
            self.crawler.stats.inc_value("rectrack/rechecked")
            yield self._detail_request(state.url, rules=rules, validators=(state.etag, state.last_modified))
        for url in self.crawl_log.failed_pages(self._site_prefixes()):
            self.crawler.stats.inc_value("rectrack/retried_failed")
            yield self._detail_request(url, rules=rules, kind=attachment_or_detail(url))

    def _site_prefixes(self) -> list[str]:
        """URL prefixes of this crawl's site: its allowed hosts (with port, as the start URLs give them)."""
        return SiteRules(None, tuple(self.start_urls), tuple(self.allowed_domains)).url_prefixes()

    def _recheck_before(self) -> datetime:
        return datetime.now(UTC) - timedelta(days=self.settings.getfloat("RECTRACK_RECHECK_DAYS"))

    def _list_request(self, page: PageRequest, page_no: int, *, rules: SiteRules) -> scrapy.Request:
        meta = {"kind": "list", "page_no": page_no, "page": page, **self._site_meta(rules)}
        if page.method == "POST":
            return scrapy.FormRequest(page.url, formdata=page.formdata, callback=self.parse_list,
                                      errback=self.failed, meta=meta, dont_filter=False,
                                      headers={"X-Requested-With": "XMLHttpRequest"})
        return scrapy.Request(page.url, callback=self.parse_list, errback=self.failed, meta=meta)

    def _detail_request(self, url: str, *, rules: SiteRules, kind: str = "detail",
                        validators: tuple[str | None, str | None] = (None, None),
                        meta: dict[str, Any] | None = None) -> scrapy.Request:
        headers = {}
        etag, modified = validators
        if etag:
            headers["If-None-Match"] = etag
        if modified:
            headers["If-Modified-Since"] = modified
        return scrapy.Request(url, callback=self.parse_detail, errback=self.failed, headers=headers,
                              meta={"kind": kind, "handle_httpstatus_list": [304], **self._site_meta(rules),
                                    **(meta or {})})

    # ---- list pages -------------------------------------------------------------------------

    def parse_list(self, response: Response) -> Iterator[Any]:
        page: PageRequest = response.meta["page"]
        rules = self.rules_for(response.meta)
        text = response.text if hasattr(response, "text") else ""
        cut = cut_short(response.body)
        if cut:  # its links are used, but the page counts as failed: the next run reads the lists again
            yield self._failure(response.meta, response.url, f"truncated: {cut} (a wrong Content-Length?)")
        else:
            yield PageItem(url=response.url, kind="list", http_status=response.status)
        listing = ListPage(text, response.url)
        if page.hanweb is not None:
            links, _ = datastore_links(text, response.url)
        else:
            links = listing.links(rules.list_selector)
        notices = [link for link in links if rules.is_notice_link(link.url, link.title)]
        known = self.known_pages([link.url for link in notices]) if notices else set()
        self.crawler.stats.inc_value("rectrack/notice_links", len(notices))
        for link in notices:
            if link.url not in known:
                yield self._detail_request(link.url, rules=rules)
            else:  # known: re-checked from the store when due (see start())
                self.crawler.stats.inc_value("rectrack/known_skipped")
        # "rectrack_full": this one page is read in full (a distributed crawl's recovered list page)
        if known and not (rules.full or response.meta.get("rectrack_full") or self.resume_lists):
            self.crawler.stats.inc_value("rectrack/lists_stopped_at_known")
            return
        if response.meta["page_no"] >= rules.max_pages:
            return
        following = [next_dataproxy_group(text, page)] if page.hanweb is not None else listing.next_pages()
        for nxt in following:
            if nxt is not None:
                yield self._list_request(nxt, response.meta["page_no"] + 1, rules=rules)

    # ---- detail pages -----------------------------------------------------------------------

    async def parse_detail(self, response: Response) -> AsyncIterator[Any]:
        meta = response.meta
        item = PageItem(url=response.url, kind=meta["kind"], http_status=response.status,
                        etag=_header(response, "ETag"), last_modified=_header(response, "Last-Modified"),
                        content_type=_header(response, "Content-Type"))
        if response.status == 304:
            item.etag = item.etag or response.request.headers.get("If-None-Match", b"").decode("latin-1") or None
            item.last_modified = item.last_modified or \
                response.request.headers.get("If-Modified-Since", b"").decode("latin-1") or None
            self.crawler.stats.inc_value("rectrack/not_modified")
            yield item
            return
        cut = cut_short(response.body)
        if cut:  # half a notice is not stored: it is fetched again next run
            yield self._failure(meta, response.url, f"truncated: {cut} (a wrong Content-Length?)")
            return
        item.body = response.body
        held = meta.get("attachment_of")
        if held is not None and not held["logged"]:  # an attachment: its page is logged with it
            held["logged"] = True
            yield held["item"]
        if "pages" in meta:  # a later page of a multi-page notice
            for out in await self._next_page(response, item):
                yield out
            return
        attached_to = AttachedTo(meta["page_url"], meta.get("page_title"), meta.get("page_date")) \
            if meta.get("page_url") else None
        outcome = await self._parse(examine_for_crawl, response.body, response.url, item.content_type, attached_to)
        rules = self.rules_for(meta)
        if outcome.continuation:
            first, rest = outcome.continuation[0], outcome.continuation[1:]
            yield self._detail_request(first, rules=rules, meta={"pages": {
                "first": item, "texts": [outcome.text], "rest": rest, "title": outcome.title,
                "date": outcome.published_on}})
            return
        if outcome.attachments:  # the page is fine; the notice is in its attachment
            # The page is logged with its first attachment's download: while that fails, the page is not known.
            # Each request carries its own flag (a distributed crawl serializes every request on its own).
            for index, url in enumerate(outcome.attachments):
                yield self._detail_request(url, rules=rules, kind="attachment",
                                           meta={"page_url": response.url, "page_title": outcome.title,
                                                 "page_date": outcome.published_on,
                                                 "attachment_of": {"item": item, "logged": index > 0}})
            return
        yield self._finish(item, outcome)

    async def _parse(self, func: Any, *args: Any) -> Any:
        """Run a pure extraction function in the parse pool (``RECTRACK_PARSE_WORKERS``; 0 = in this thread)."""
        workers = self.settings.getint("RECTRACK_PARSE_WORKERS", -1)
        return await run_in_pool(func, *args, workers=None if workers < 0 else workers)

    async def _next_page(self, response: Response, item: PageItem) -> list[Any]:
        state = response.meta["pages"]
        state["texts"].append(await self._parse(continuation_page_text, response.body, response.url,
                                                item.content_type))
        state["first"].extra_pages.append((response.url, response.body))
        if state["rest"]:
            nxt, state["rest"] = state["rest"][0], state["rest"][1:]
            return [self._detail_request(nxt, rules=self.rules_for(response.meta), meta={"pages": state})]
        first: PageItem = state["first"]
        outcome = await self._parse(join_pages_for_crawl, state["texts"], first.url, state["title"], state["date"])
        return [self._finish(first, outcome)]

    def _finish(self, item: PageItem, outcome: PageOutcome) -> PageItem:
        item.report = outcome.report
        if outcome.report is None:
            item.error = outcome.reason
        return item

    # ---- failures ---------------------------------------------------------------------------

    def failed(self, failure: Failure) -> Iterator[PageItem]:
        request = failure.request
        status = None
        if failure.check(HttpError):
            status = failure.value.response.status
            reason = f"HTTP {status}"
            if status in CHALLENGE_STATUSES:
                reason = (f"blocked: the site answers with a JavaScript challenge (HTTP {status}); "
                          "only a browser passes it")
        else:
            reason = _describe_failure(failure)
        url = request.meta.get("redirect_urls", [request.url])[0]  # the URL we asked for, not the last hop
        if failure.check(IgnoreRequest) and len(request.meta.get("redirect_urls", [])) >= \
                self.settings.getint("REDIRECT_MAX_TIMES"):
            reason = f"too many redirects (more than {self.settings.getint('REDIRECT_MAX_TIMES')}): a redirect loop"
        yield self._failure(request.meta, url, reason, status)

    @staticmethod
    def _failure(meta: dict[str, Any], url: str, reason: str, status: int | None = None) -> PageItem:
        """A failed fetch. A later page or an attachment of a notice fails under the notice's own URL, which
        is then not known: the next run fetches the whole notice again (never the part alone)."""
        if "pages" in meta:
            reason, url = f"{reason} (its page {url})", meta["pages"]["first"].url
        elif meta.get("attachment_of") is not None and not meta["attachment_of"]["logged"]:
            meta["attachment_of"]["logged"] = True
            reason, url = f"{reason} (its attachment {url})", meta["page_url"]
        return PageItem(url=url, kind=meta.get("kind", "detail"), http_status=status, error=reason, failed=True)


def attachment_or_detail(url: str) -> str:
    """The kind of a page retried by URL alone: an attachment by its suffix, else a detail page."""
    return "attachment" if url.lower().endswith(ATTACHMENT_SUFFIXES) else "detail"


def _header(response: Response, name: str) -> str | None:
    value = response.headers.get(name)
    return value.decode("latin-1") if value else None


def _describe_failure(failure: Failure) -> str:
    """A short reason for a download that failed without an HTTP status."""
    name = type(failure.value).__name__
    text = str(failure.value).strip().splitlines()[0] if str(failure.value).strip() else ""
    known = {
        "DownloadTimeoutError": "timed out",
        "DownloadConnectionRefusedError": "connection refused: the host is down or not listening",
        "CannotResolveHostError": "DNS lookup failed: the host name does not resolve",
        "ResponseDataLossError": "truncated: the connection closed before the whole body arrived",
        "DownloadFailedError": "download failed (connection reset or broken)",
        "DNSLookupError": "DNS lookup failed: the host name does not resolve",
        "TimeoutError": "timed out",
        "TCPTimedOutError": "timed out",
        "ConnectionRefusedError": "connection refused: the host is down or not listening",
        "ConnectionLost": "connection lost mid-download",
        "ResponseNeverReceived": "no response (connection closed or reset)",
        "ResponseFailed": "response failed (truncated or reset)",
        "IgnoreRequest": "ignored (robots.txt, offsite, too many redirects or too large)",
        "DownloadCancelledError": "too large: the body went past the download cap (DOWNLOAD_MAXSIZE) and was cut off",
    }
    if "download max size" in text or "download maxsize" in text:
        return f"too large: {text}"
    reason = known.get(name, name)
    return f"{reason}: {text}" if text and name not in ("IgnoreRequest",) else reason
