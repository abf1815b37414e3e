"""Reading a notice from a whole document: an HTML page, a plain-text file or an attachment."""

from __future__ import annotations

import re

from .attachments import KIND_NAMES, AttachmentError, detect_kind, extract_text, hinted_kind
from .encoding import DecodeError, decode_page, decode_text_file
from .html import extract_article
from .notice import parse_text
from .schema import Report

HTML_SUFFIXES = (".html", ".htm", ".shtml", ".xhtml", ".jhtml", ".jsp", ".asp", ".aspx", ".php")


def looks_like_html(data: bytes) -> bool:
    """Sniff the first kilobyte for markup."""
    head = data[:1024].lstrip().lower()
    return head.startswith((b"<!doctype", b"<html", b"<?xml", b"<head", b"<meta", b"<body", b"<div", b"<p")) or \
        b"<html" in head or b"<body" in head


class NoNoticeError(ValueError):
    """The document holds no notice at all: no text, or nothing about an inspection (巡视/巡察)."""


#: A rectification notice, or news about one, names the inspection.
_NOTICE_HINT = re.compile(r"巡视|巡察")


def parse_html(html: str, *, source_url: str | None = None) -> Report:
    """Parse an already decoded HTML page."""
    article = extract_article(html, source_url)
    return parse_text(article.text, source_url=source_url, page_title=article.title,
                      page_date=article.published_on)


def parse_document(data: bytes, *, name: str | None = None, content_type: str | None = None,
                   source_url: str | None = None) -> Report:
    """Parse a notice from raw bytes: an HTML page, a plain-text file or a PDF/DOCX/DOC attachment.

    The kind is sniffed from the bytes first (``%PDF-``, a ZIP with ``word/document.xml``,
    OLE2), the name and content type second. Raises :class:`DecodeError` when the bytes are
    empty, binary or undecodable (:class:`AttachmentError`, a subclass, when an attachment
    cannot be read: corrupt, encrypted, scanned, too large, DOC without a converter), and
    :class:`NoNoticeError` when they hold no text about an inspection at all. A page about
    rectification that is not a progress notice (meeting news) parses to a Report with zero
    issues and a warning.
    """
    kind = detect_kind(data, name=name, content_type=content_type)
    is_html = kind is None and ((content_type is not None and "html" in content_type.lower()) or
                                (name is not None and name.lower().endswith(HTML_SUFFIXES)) or looks_like_html(data))
    where = "page"
    if kind is not None:
        text, title, page_date, where = extract_text(data, kind), None, None, KIND_NAMES[kind]
    elif is_html:
        article = extract_article(decode_page(data, content_type), source_url)
        text, title, page_date = article.text, article.title, article.published_on
    else:
        text, title, page_date = _decode_plain(data, name, content_type), None, None
    report = parse_text(text, source_url=source_url, page_title=title, page_date=page_date)
    if not report.issues and not _NOTICE_HINT.search(text):
        what = "no article text" if not text.strip() else "no mention of an inspection (巡视/巡察)"
        raise NoNoticeError(f"no rectification notice found: the {where} has {what}")
    return report


def _decode_plain(data: bytes, name: str | None, content_type: str | None) -> str:
    """A text file; bytes announced as PDF/DOCX/DOC that are neither text nor that format fail as such."""
    try:
        return decode_text_file(data)
    except DecodeError as exc:
        hint = hinted_kind(name, content_type)
        if hint is None or not data.strip():
            raise
        raise AttachmentError(f"not a valid {KIND_NAMES[hint]} file (starts with {data[:8]!r}); "
                              f"{exc}") from None
