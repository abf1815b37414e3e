"""What the notice spider needs to know about a site, per request: link and title rules, list limits, politeness.

A single-process crawl builds one :class:`SiteRules` per site from its config; a distributed crawl
publishes them in Redis (as JSON) so that every worker applies the same rules to a site's requests,
looked up from the site name the request carries.
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass, fields
from functools import cached_property
from typing import Any
from urllib.parse import urlsplit

from crawler.config import SiteConfig
from crawler.titles import looks_like_notice_title

#: List pages followed per start URL when neither the site nor the caller says.
DEFAULT_MAX_PAGES = 20


@dataclass(frozen=True)
class SiteRules:
    """One site's crawl rules (``name`` is the site's name, or the start URL of an ad-hoc crawl, or None)."""

    name: str | None
    start_urls: tuple[str, ...] = ()
    allowed_domains: tuple[str, ...] = ()
    link_pattern: str | None = None
    title_pattern: str | None = None
    list_selector: str | None = None
    max_pages: int = DEFAULT_MAX_PAGES
    full: bool = False
    #: Seconds between requests to the site's hosts; None: the crawl's DOWNLOAD_DELAY.
    download_delay: float | None = None
    obey_robots: bool = True
    #: Simultaneous requests to the site (per worker in a distributed crawl); None: the crawl's setting.
    concurrency: int | None = None
    #: The distributed cycle these rules were published for (None in a single-process crawl).
    cycle: str | None = None

    @classmethod
    def for_crawl(cls, site: SiteConfig | None, start_urls: list[str], *, max_pages: int | str | None = None,
                  full: bool | str = False, **extra: Any) -> SiteRules:
        """The rules of a crawl of ``site`` (or of bare ``start_urls``), as the spider's arguments give them."""
        return cls(
            name=site.name if site else None,
            start_urls=tuple(start_urls),
            allowed_domains=tuple(site.allowed_domains) if site else tuple(sorted(
                {urlsplit(u).hostname or "" for u in start_urls})),
            link_pattern=site.link_pattern if site else None,
            title_pattern=site.title_pattern if site else None,
            list_selector=site.list_selector if site else None,
            max_pages=int(max_pages) if max_pages else (site.max_pages if site else DEFAULT_MAX_PAGES),
            full=str(full).lower() in ("1", "true", "yes"),
            download_delay=site.politeness.download_delay if site else None,
            obey_robots=site.politeness.obey_robots if site else True,
            concurrency=site.politeness.concurrency if site else None,
            **extra,
        )

    # ---- the spider's questions ---------------------------------------------------------------

    @cached_property
    def link_re(self) -> re.Pattern[str] | None:
        return re.compile(self.link_pattern) if self.link_pattern else None

    @cached_property
    def title_re(self) -> re.Pattern[str] | None:
        return re.compile(self.title_pattern) if self.title_pattern else None

    def is_notice_link(self, url: str, title: str) -> bool:
        """Whether a list entry (its URL and title) is a notice this site's rules accept."""
        if urlsplit(url).scheme not in ("http", "https"):
            return False
        if self.link_re is not None and not self.link_re.search(url):
            return False
        return looks_like_notice_title(title, self.title_re)

    def url_prefixes(self) -> list[str]:
        """URL prefixes of the site: its allowed hosts (with port, as the start URLs give them)."""
        netlocs = {urlsplit(u).netloc for u in self.start_urls} | set(self.allowed_domains)
        return sorted(f"{scheme}://{netloc}/" for netloc in netlocs for scheme in ("http", "https"))

    def allows_host(self, host: str) -> bool:
        """Scrapy's offsite rule: a host is allowed when it is an allowed domain or a subdomain of one
        (no allowed domains: every host)."""
        if not self.allowed_domains:
            return True
        return any(host == d or host.endswith("." + d) for d in self.allowed_domains if d)

    def hosts(self) -> set[str]:
        """Host names the site's requests go to (for per-host politeness)."""
        return {urlsplit(u).hostname or "" for u in self.start_urls} | set(self.allowed_domains)

    # ---- as JSON (published in Redis by the seeder, read by the workers) ---------------------

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False, sort_keys=True)

    @classmethod
    def from_json(cls, text: str | bytes) -> SiteRules:
        data = json.loads(text)
        known = {f.name for f in fields(cls)}
        values = {k: v for k, v in data.items() if k in known}
        for key in ("start_urls", "allowed_domains"):
            values[key] = tuple(values.get(key) or ())
        return cls(**values)
