"""Fetching and normalising notices: Scrapy spiders (``crawler.spiders``) and the pure parser (``crawler.parse``)."""
