"""Downloader middleware: a crawl reaches a loopback or private address only where it was told to start.

The CLI checks ``--start-url`` (:func:`rectrack.fetch.check_url`), but the crawl then follows links,
redirects and attachment URLs chosen by the sites. Scrapy's offsite rule keeps it to the allowed domains,
not away from addresses: a public notice page that redirects to ``http://127.0.0.1:6379/``, an allowed
``intranet.example.gov.cn`` resolving to ``10.0.0.5`` or a redirect to ``http://169.254.169.254/`` (cloud
metadata) would be downloaded and stored. This middleware refuses, before download, every request:

- whose scheme is not ``http``/``https`` (Scrapy also has ``file:``, ``ftp:``, ``data:`` and ``s3:`` handlers);
- whose host is, or resolves to, an address that is not public (:func:`rectrack.fetch.is_public_address`:
  loopback, private, link-local, shared, reserved, IPv4-in-IPv6 forms of those), unless that host and port
  is one of the crawl's own start URLs (a configured site or a ``--start-url`` the CLI accepted, e.g. the
  bundled sample site on 127.0.0.1) or the setting ``RECTRACK_ALLOW_PRIVATE`` is true.

Host names are resolved with the crawl's own resolver (``reactor.resolve``, Scrapy's caching resolver),
so the address checked is the one Scrapy connects to. A name that does not resolve is let through: the
download then fails with its own reason (``DNS lookup failed``). A refused request fails with
:class:`PrivateAddressRefused` (an ``IgnoreRequest``), which the spider records as the page's failure.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.httpobj import urlparse_cached

from rectrack.fetch import Address, is_public_address, parse_address

DEFAULT_PORTS = {"http": 80, "https": 443}


class PrivateAddressRefused(IgnoreRequest):
    """A request to a non-http(s) URL or to a private or local address the crawl did not start on."""


class PrivateAddressGuard:
    """Refuses requests to private or local addresses (see the module docstring); enable it early (priority 50)."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.allow_private = crawler.settings.getbool("RECTRACK_ALLOW_PRIVATE", False)
        #: (host, port) of every start URL seen: operator-given, so private ones are fine there.
        self._trusted: set[tuple[str, int]] = set()
        self._seen_starts: set[tuple[str, ...]] = set()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> PrivateAddressGuard:
        return cls(crawler)

    async def process_request(self, request: Request) -> None:
        parts = urlparse_cached(request)
        scheme = parts.scheme.lower()
        if scheme not in DEFAULT_PORTS:
            self._refused()
            raise PrivateAddressRefused(f"refusing {request.url}: only http:// and https:// URLs are crawled")
        if self.allow_private:
            return
        host = (parts.hostname or "").lower()
        if (host, parts.port or DEFAULT_PORTS[scheme]) in self._trusted_for(request):
            return
        addr = await self._address(host)
        if addr is not None and not is_public_address(addr):
            self._refused()
            raise PrivateAddressRefused(f"refusing {request.url}: {host} is a private or local address "
                                        f"({addr}); set RECTRACK_ALLOW_PRIVATE (crawl --allow-private) to allow it")

    def _trusted_for(self, request: Request) -> set[tuple[str, int]]:
        spider: Any = self.crawler.spider
        rules_for = getattr(spider, "rules_for", None)
        starts = tuple(rules_for(request.meta).start_urls if rules_for else getattr(spider, "start_urls", ()))
        if starts not in self._seen_starts:
            self._seen_starts.add(starts)
            for url in starts:
                try:
                    parts = urlsplit(url)
                    port = parts.port or DEFAULT_PORTS.get(parts.scheme.lower(), 0)
                except ValueError:
                    continue
                self._trusted.add(((parts.hostname or "").lower(), port))
        return self._trusted

    async def _address(self, host: str) -> Address | None:
        """The address Scrapy will connect to for ``host`` (None when it does not resolve)."""
        addr = parse_address(host)
        if addr is not None or not host:
            return addr
        from twisted.internet import reactor

        try:
            resolved = await maybe_deferred_to_future(reactor.resolve(host))  # type: ignore[attr-defined]
        except Exception:  # noqa: BLE001 - the download reports the DNS failure itself
            return None
        return parse_address(str(resolved))

    def _refused(self) -> None:
        if self.crawler.stats is not None:
            self.crawler.stats.inc_value("rectrack/private_refused")
