"""A bundled local HTTP server that imitates government sites (TRS, Hanweb, plain portals).

Used by the crawler tests, ``bench/crawl.py`` and ``rectrack demo``; standard library only::

    from crawler.samplesite import SampleSite

    with SampleSite(scale=0, seed=0, port=0) as site:
        site.list_urls["trs"], site.notice_urls, site.news_urls, site.requests …

``python -m crawler.samplesite [--port 8000] [--scale N] [--seed S]`` serves it in the foreground.
"""

from .site import Notice, SampleSite

__all__ = ["Notice", "SampleSite"]
