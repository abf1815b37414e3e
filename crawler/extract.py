"""What a downloaded detail page is: a notice, part of a multi-page notice, a pointer to an attachment, or not a notice.

Pure functions of the bytes (web-poet style): the spider only moves pages around and calls these.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from urllib.parse import urljoin, urlsplit

from crawler.items import SealedReport
from crawler.parse import (
    DecodeError,
    NoNoticeError,
    decode_page,
    extract_article,
    looks_like_html,
    parse_document,
)
from crawler.parse.notice import parse_text
from crawler.parse.schema import Report

#: Attachments worth downloading when the page itself holds no notice (详见附件).
ATTACHMENT_SUFFIXES = (".pdf", ".docx", ".doc", ".wps")
MAX_ATTACHMENTS = 3
MAX_EXTRA_PAGES = 20
#: An href ending in ``_N.ext``: a candidate later page of a multi-page article.
_NUMBERED_HREF = re.compile(r"""href\s*=\s*["']?([^"'\s>]*_(\d+)\.\w+)""")
_HTML_END = re.compile(rb"</(?:body|html)", re.I)
#: A page this short, or one that says 附件, may be a mere pointer to the notice in an attachment.
SHORT_PAGE = 500


@dataclass(frozen=True)
class AttachedTo:
    """The page an attachment was linked from: its notice is stored under the page's URL, title and date."""

    url: str
    title: str | None = None
    published_on: date | None = None


@dataclass
class PageOutcome:
    """The verdict on one page."""

    report: Report | SealedReport | None = None
    #: The article text, kept when more pages of the same article follow.
    text: str = ""
    title: str | None = None
    published_on: date | None = None
    #: Further pages of this article (``t…_1.html``), in order.
    continuation: list[str] = field(default_factory=list)
    #: Attachments to fetch because the page holds no notice itself.
    attachments: list[str] = field(default_factory=list)
    #: Why there is no report.
    reason: str | None = None


def examine_page(body: bytes, url: str, content_type: str | None) -> PageOutcome:
    """Parse a detail page or attachment; say what to fetch next when it is not a whole notice."""
    if not _is_html(body, url, content_type):
        return _outcome_of_document(body, url, content_type)
    try:
        html = decode_page(body, content_type)
    except DecodeError as exc:
        return PageOutcome(reason=f"undecodable page: {exc}")
    article = extract_article(html, url)
    continuation = continuation_pages(html, url)
    if continuation:
        return PageOutcome(text=article.text, title=article.title, published_on=article.published_on,
                           continuation=continuation)
    report = parse_text(article.text, source_url=url, page_title=article.title, page_date=article.published_on)
    if report.issues:
        return PageOutcome(report=report, title=article.title, published_on=article.published_on)
    attachments = [a for a in article.attachments if urlsplit(a).path.lower().endswith(ATTACHMENT_SUFFIXES)]
    if attachments and ("附件" in article.text or len(article.text) < SHORT_PAGE):
        return PageOutcome(title=article.title, published_on=article.published_on,
                           attachments=attachments[:MAX_ATTACHMENTS], reason="notice is in an attachment")
    what = "no article text" if not article.text.strip() else "no rectification issues"
    return PageOutcome(title=article.title, reason=f"not a notice ({what})")


def examine_for_crawl(body: bytes, url: str, content_type: str | None,
                      attached_to: AttachedTo | None = None) -> PageOutcome:
    """:func:`examine_page` as a crawl's parse worker runs it: an attachment's notice takes its page's URL
    (and title and date where the document lacks them), and the report leaves sealed."""
    outcome = examine_page(body, url, content_type)
    report = outcome.report
    if isinstance(report, Report) and attached_to is not None:
        report.source_url = attached_to.url
        report.title = report.title or attached_to.title
        report.published_on = report.published_on or attached_to.published_on
    return _sealed(outcome)


def join_pages_for_crawl(texts: list[str], url: str, title: str | None, published_on: date | None) -> PageOutcome:
    """:func:`join_pages` as a crawl's parse worker runs it: the report leaves sealed."""
    return _sealed(join_pages(texts, url, title, published_on))


def _sealed(outcome: PageOutcome) -> PageOutcome:
    if isinstance(outcome.report, Report):
        outcome.report = SealedReport.seal(outcome.report)
    return outcome


def cut_short(body: bytes) -> str | None:
    """Why a complete-looking response is cut short, or None: a Content-Length smaller than the content
    makes a client stop early without an error, and the page would be stored as half a notice."""
    head = body[:4096].lower()
    if body.startswith(b"%PDF"):
        return None if b"%%eof" in body[-2048:].lower() else "the PDF ends before its %%EOF"
    if body.startswith(b"PK\x03\x04"):  # DOCX and other zip files end with the end-of-central-directory record
        return None if b"PK\x05\x06" in body[-(65535 + 22):] else "the zip file (DOCX) ends before its directory"
    if b"<datastore>" in head:  # a Hanweb dataproxy answer
        return None if b"</datastore>" in body[-4096:] else "the list ends before </datastore>"
    # anywhere, not only at the end: some pages carry kilobytes of script after </html>
    if b"<html" in head and not _HTML_END.search(body):
        return "the page ends before </body></html>"
    return None


def continuation_page_text(body: bytes, url: str, content_type: str | None) -> str:
    """The article text of a later page of a multi-page notice."""
    try:
        return extract_article(decode_page(body, content_type), url).text
    except DecodeError:
        return ""


def join_pages(texts: list[str], url: str, title: str | None, published_on: date | None) -> PageOutcome:
    """Parse a notice split over several pages as one text."""
    report = parse_text("\n".join(t for t in texts if t), source_url=url, page_title=title, page_date=published_on)
    if report.issues:
        return PageOutcome(report=report, title=title, published_on=published_on)
    return PageOutcome(title=title, reason="not a notice (no rectification issues on any of its pages)")


def continuation_pages(html: str, url: str) -> list[str]:
    """``t…_1.html``, ``t…_2.html`` … linked from the first page of a TRS article split over pages."""
    path = urlsplit(url).path
    name = path.rsplit("/", 1)[-1]
    if "." not in name:
        return []
    stem, ext = name.rsplit(".", 1)
    pages = {}
    if f"{stem}_" in html:
        for href, n in _NUMBERED_HREF.findall(html):
            if href.endswith(f"{stem}_{n}.{ext}") and href[:-len(f"{stem}_{n}.{ext}")][-1:] in ("", "/"):
                pages[int(n)] = urljoin(url, href)
    return [pages[n] for n in sorted(pages)][:MAX_EXTRA_PAGES]


def _is_html(body: bytes, url: str, content_type: str | None) -> bool:
    if body[:4] == b"%PDF" or body[:2] == b"PK" or body[:4] == b"\xd0\xcf\x11\xe0":
        return False
    if content_type and "html" in content_type.lower():
        return True
    return looks_like_html(body)


def _outcome_of_document(body: bytes, url: str, content_type: str | None) -> PageOutcome:
    try:
        report = parse_document(body, name=urlsplit(url).path, content_type=content_type, source_url=url)
    except (DecodeError, NoNoticeError, ValueError) as exc:
        return PageOutcome(reason=f"not a notice ({exc})")
    if not report.issues:
        return PageOutcome(reason="not a notice (no rectification issues)")
    return PageOutcome(report=report)
