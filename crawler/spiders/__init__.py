"""rectrack's Scrapy spiders (see ``scrapy list``)."""
