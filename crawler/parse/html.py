"""Text from HTML: the article body and page metadata of a notice page.

Pure functions on an already decoded page (see :mod:`crawler.parse.encoding`); no
network, no Scrapy.  One lxml parse per page (plain ``lxml.etree`` HTML parser, no
BeautifulSoup, no ``lxml.html`` element classes: they cost a Python call per element).

This module parses the page and puts the pieces together; the work is done in
:mod:`crawler.parse.html_body` (finding the article container),
:mod:`crawler.parse.html_chrome` (removing chrome elements),
:mod:`crawler.parse.html_text` (the tree as lines, chrome lines dropped) and
:mod:`crawler.parse.html_meta` (title, published date, attachments).
``<style>``/``<script>`` and the like are removed everywhere up front.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from datetime import date

from lxml import etree

from .html_body import _find_body
from .html_chrome import _classed_attrs, _local
from .html_meta import (
    _attachments,
    _clean_page_title,
    _headline,
    _headline_candidates,
    _is_headline,
    _meta_date,
    _resolve,
    _text_date,
    _url_date,
)
from .html_text import _clean_inline, _string

__all__ = ["Article", "extract_article"]

log = logging.getLogger(__name__)


@dataclass
class Article:
    """What :func:`extract_article` finds on a page."""

    #: The article body: one paragraph per line, lines stripped, no empty lines.
    text: str = ""
    #: meta ArticleTitle, else the page's headline element, else <title> without the site name.
    title: str | None = None
    #: meta PubDate, else a 发布日期/发布时间/时间 label near the title, else the URL's date.
    published_on: date | None = None
    #: meta SiteName (or og:site_name).
    site_name: str | None = None
    #: URLs of attached PDF/DOC/DOCX/WPS/OFD files, absolute when a page URL was given.
    attachments: list[str] = field(default_factory=list)


#: Removed up front: never article text.
_JUNK_TAGS = (
    "script", "style", "noscript", "template", "textarea", "select", "option", "button",
    "svg", "canvas", "object", "embed", "iframe", "frame", "frameset", "noframes", "audio",
    "video", "map", "link", "input", "head", "math",
)

#: Pages with more tags than this are read up to that tag only (notice pages have a few thousand): lxml takes
#: ~250 bytes a node (20 MB of ``<p>x</p>`` took 900 MB), and text split into many inline nodes is read back in
#: quadratic time (1.3 million ``<span>`` in one paragraph took four minutes).
MAX_TAGS = 100_000

#: Past libxml2's depth limit the page is parsed again with these tags flattened. A tag ends at the next
#: ``<`` at the latest (``[^<>]*``): with ``[^>]*`` every unclosed ``<p`` scanned to the end of the page,
#: quadratic time.
_FLATTEN_BLOCK_RE = re.compile(
    r"</?(?:div|p|section|article|table|tbody|thead|tfoot|tr|ul|ol|li|dl|dt|dd|blockquote|center"
    r"|h[1-6]|main|aside|header|footer|nav|form|fieldset)\b[^<>]*>",
    re.I,
)
_FLATTEN_INLINE_RE = re.compile(
    r"</?(?:span|font|b|strong|i|em|u|small|big|sub|sup|label|abbr|code|td|th|s|strike|ins|del)\b[^<>]*>", re.I
)


#: The first <title> below the root: libxml2 stops at the first match (``find(".//title")`` walks the page).
_FIRST_TITLE_XPATH = etree.XPath("descendant::title[1]")


# =========================================================================== public


def extract_article(html: str, url: str | None = None) -> Article:
    """Extract the article body and metadata from a decoded HTML page.

    ``url`` is the page's address; attachment links are resolved against it (and a
    ``<base href>``).  Never raises on bad HTML: whatever was found is returned.
    Raises :class:`TypeError` only when ``html`` (or ``url``) is not a ``str``.
    """
    if not isinstance(html, str):
        raise TypeError(
            f"extract_article() needs str, got {type(html).__name__}; decode bytes with decode_page()"
        )
    if url is not None and not isinstance(url, str):
        raise TypeError(f"url must be str or None, got {type(url).__name__}")
    article = Article()
    _local.scores = {}
    try:
        _extract(html, url, article)
    except Exception:  # broken input must never stop a crawl; keep what was found
        log.debug("extract_article failed part-way on %s", url, exc_info=True)
    finally:
        _local.scores = {}
    return article


# =========================================================================== pipeline


def _extract(html: str, url: str | None, article: Article) -> None:
    root = _parse(html)
    if root is None:
        return
    metas, page_title, base_href = _read_head(root)
    article.site_name = _clean_inline(metas.get("sitename") or metas.get("og:site_name")) or None

    base = url
    if base_href:
        base = _resolve(url, base_href) if url else base_href
    article.attachments = _attachments(root, base, html)

    etree.strip_elements(root, *_JUNK_TAGS, with_tail=False)
    body = root.find("body")
    if body is None:
        body = root

    # What title and date need, read before chrome removal changes the tree.
    meta_title = _clean_inline(metas.get("articletitle"))
    meta_date = _meta_date(metas)
    classed = _classed_attrs(body)
    headlines = [] if meta_title else _headline_candidates(
        [el for el in body.iter("h1")] + [el for el, cls, el_id in classed if _is_headline(cls, el_id)]
    )
    page_text = "" if meta_date else _string(body)

    container, lines = _find_body(body, html, classed, page_text or None)
    article.text = "\n".join(lines)

    article.title = (
        meta_title
        or _headline(container, headlines, page_title)
        or _clean_page_title(page_title, article.site_name)
        or None
    )
    article.published_on = meta_date or _text_date(page_text, article.title) or _url_date(url)


def _parse(html: str) -> etree._Element | None:
    if not html or html.isspace():
        return None
    html = _cap_markup(html)
    try:
        data = html.encode("utf-8")
    except UnicodeEncodeError:  # lone surrogates
        data = html.encode("utf-8", "replace")
    parser = _parser()
    root = _parse_bytes(data, parser)
    if _too_deep(parser):
        # Past libxml2's depth limit the rest of the document is dropped: flatten the
        # nesting (blocks become <br>, inline wrappers go) and parse again.
        flat = _FLATTEN_INLINE_RE.sub("", _FLATTEN_BLOCK_RE.sub("<br>", html))
        flat_root = _parse_bytes(flat.encode("utf-8", "replace"), parser)
        if flat_root is not None:
            root = flat_root
    return root


def _cap_markup(html: str) -> str:
    """The page up to its :data:`MAX_TAGS`-th tag."""
    if len(html) <= MAX_TAGS or html.count("<") <= MAX_TAGS:  # no need to count in a page this short
        return html
    end = -1
    for _ in range(MAX_TAGS + 1):
        end = html.find("<", end + 1)
    log.warning("page has over %s tags: only the first %s are read", f"{MAX_TAGS:,}", f"{MAX_TAGS:,}")
    return html[:end]


def _parser() -> etree.HTMLParser:
    parser = getattr(_local, "parser", None)
    if parser is None:  # lxml parsers must not be shared between threads
        parser = etree.HTMLParser(
            encoding="utf-8", huge_tree=True, remove_comments=False, remove_pis=True,
            no_network=True, default_doctype=False,
        )
        _local.parser = parser
    return parser


def _parse_bytes(data: bytes, parser: etree.HTMLParser) -> etree._Element | None:
    try:
        root = etree.fromstring(data, parser)
    except (etree.XMLSyntaxError, etree.ParserError, ValueError):
        return None
    if root is None or not isinstance(root.tag, str):
        return None
    return root


def _too_deep(parser: etree.HTMLParser) -> bool:
    # The depth limit is a fatal error: parsing stops, so it is the last error logged.
    last = parser.error_log.last_error
    return last is not None and (last.type_name == "ERR_RESOURCE_LIMIT" or "depth" in last.message.lower())


def _read_head(root: etree._Element) -> tuple[dict[str, str], str | None, str | None]:
    metas: dict[str, str] = {}
    for meta in root.iter("meta"):
        key = meta.get("name") or meta.get("property") or meta.get("itemprop")
        content = meta.get("content")
        if key and content is not None:
            metas.setdefault(key.strip().lower(), content)
    title_el = next(iter(_FIRST_TITLE_XPATH(root)), None)
    page_title = _string(title_el) if title_el is not None else None
    base_el = root.find(".//base[@href]")
    base_href = (base_el.get("href") or "").strip() if base_el is not None else None
    return metas, page_title, base_href or None

