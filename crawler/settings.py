"""Scrapy settings for rectrack's spiders: polite by default.

Settings flow one way: these defaults, then a site's config, then command-line overrides.
"""

import os

from rectrack import __version__
from storage.db import database_url

BOT_NAME = "rectrack"
SPIDER_MODULES = ["crawler.spiders"]
NEWSPIDER_MODULE = "crawler.spiders"

# Identify ourselves; the contact URL can be overridden from configuration.
#: Set RECTRACK_CONTACT to a URL or e-mail address where site operators can reach you.
CONTACT = os.environ.get("RECTRACK_CONTACT", "https://github.com/rectrack/rectrack")
USER_AGENT = f"rectrack/{__version__} (+{CONTACT}; rectification-notice research crawler)"

# Politeness: robots.txt, one or two requests per host, a jittered delay, AutoThrottle.
ROBOTSTXT_OBEY = True
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 2
DOWNLOAD_DELAY = 2.0
DOWNLOAD_DELAY_JITTER = 0.5  # ±50 %
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 2.0
AUTOTHROTTLE_MAX_DELAY = 60.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0

# Failures: bounded retries on 5xx and timeouts; no download larger than the cap.
RETRY_ENABLED = True
RETRY_TIMES = 3
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]
DOWNLOAD_TIMEOUT = 30
DOWNLOAD_MAXSIZE = 20 * 1024 * 1024
DOWNLOAD_WARNSIZE = 5 * 1024 * 1024

REQUEST_FINGERPRINTER_IMPLEMENTATION = "2.7"
TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
FEED_EXPORT_ENCODING = "utf-8"

# rectrack's own: where notices go, and when a known page is looked at again (conditional GET).
RECTRACK_DB = database_url(None)
RECTRACK_RECHECK_DAYS = 7.0
ITEM_PIPELINES = {"crawler.pipelines.StorePipeline": 300}
LOG_LEVEL = "INFO"
RECTRACK_PARSE_WORKERS = -1  # parse pool size: -1 = one per CPU but one, 0 = parse in the reactor thread

# Speed. A callback's output goes through CONCURRENT_ITEMS asyncio tasks per response (Scrapy's default,
# 100, costs more reactor time than a page's download); the pipeline returns at once anyway.
CONCURRENT_ITEMS = 4
# Scrapy's check for a generator callback that returns a value reads the callback's source and parses it
# with ``ast`` for every list page: its cache is keyed by the bound method, a new object each time. A
# development-time lint, at 1.5 ms of the reactor's time per list page (measured).
WARN_ON_GENERATOR_RETURN_VALUE = False
# The parse pool starts with the spider, its workers warming up while the first list pages download;
# the garbage collector is set for a process that allocates much and keeps little (crawler.gctuning).
EXTENSIONS = {"crawler.parsepool.WarmPool": 500, "crawler.gctuning.GcTuning": 500}

# Safety: http(s) only, and no loopback/private/link-local addresses (metadata services, the intranet)
# except at the crawl's own start URLs, unless RECTRACK_ALLOW_PRIVATE (crawl --allow-private).
DOWNLOADER_MIDDLEWARES = {"crawler.privateguard.PrivateAddressGuard": 50}
RECTRACK_ALLOW_PRIVATE = False
