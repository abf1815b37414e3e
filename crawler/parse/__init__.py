"""Notice parsing: pure functions from bytes or text to a :class:`Report`.

No network, no Scrapy, no database here: the crawler and the CLI move bytes around and
call :func:`parse_document`; tests call it on saved pages.

The names below are imported from their modules on first use (PEP 562): the schema alone
(``crawler.parse.schema``, wanted by the database writer and the CLI's start-up) then does not
load lxml, the attachment readers and the numeral tables with it.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .attachments import AttachmentError
    from .document import NoNoticeError, looks_like_html, parse_document, parse_html
    from .encoding import DecodeError, decode_page, decode_text_file
    from .html import Article, extract_article
    from .notice import parse_text
    from .schema import STATUS_LABELS, Inspection, Issue, Report, Unit

#: Each public name and the module that defines it.
_HOMES = {
    "AttachmentError": "attachments",
    **dict.fromkeys(("NoNoticeError", "looks_like_html", "parse_document", "parse_html"), "document"),
    **dict.fromkeys(("DecodeError", "decode_page", "decode_text_file"), "encoding"),
    **dict.fromkeys(("Article", "extract_article"), "html"),
    "parse_text": "notice",
    **dict.fromkeys(("STATUS_LABELS", "Inspection", "Issue", "Report", "Unit"), "schema"),
}

__all__ = [
    "STATUS_LABELS", "Article", "AttachmentError", "DecodeError", "Inspection", "Issue", "NoNoticeError", "Report",
    "Unit", "decode_page", "decode_text_file", "extract_article", "looks_like_html", "parse_document", "parse_html",
    "parse_text",
]


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(f".{home}", __name__), name)
    globals()[name] = value  # looked up once
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_HOMES))
