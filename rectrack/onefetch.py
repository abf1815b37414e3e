"""The manual one-off fetch: one notice URL, its further pages or its attachment, parsed.

Same decisions as the spider (``crawler.extract``), without Scrapy: a person asked for this one page.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from crawler.extract import continuation_page_text, examine_page, join_pages
from crawler.parse.schema import Report

from .errors import UserError
from .fetch import Download, fetch


@dataclass
class OneFetch:
    """The parsed notice and every download it took; ``notice_download`` indexes the one it was parsed from."""

    report: Report
    downloads: list[tuple[str, Download]]
    notice_download: int


def fetch_notice(url: str, *, allow_private: bool = False, **limits: Any) -> OneFetch:
    """Download ``url`` and whatever else the notice needs; :class:`UserError` when it holds no notice.

    ``limits`` go to every :func:`rectrack.fetch.fetch` (``max_bytes``, ``timeout``, ``is_public``).
    """
    page = fetch(url, allow_private=allow_private, **limits)
    downloads: list[tuple[str, Download]] = [("detail", page)]
    outcome = examine_page(page.body, page.url, page.content_type)
    if outcome.continuation:
        texts = [outcome.text]
        for extra_url in outcome.continuation:
            extra = fetch(extra_url, allow_private=allow_private, **limits)
            downloads.append(("detail", extra))
            texts.append(continuation_page_text(extra.body, extra.url, extra.content_type))
        outcome = join_pages(texts, page.url, outcome.title, outcome.published_on)
    elif outcome.attachments:
        reasons = []
        for attachment_url in outcome.attachments:
            try:
                attachment = fetch(attachment_url, allow_private=allow_private, **limits)
            except UserError as exc:
                reasons.append(str(exc))
                continue
            downloads.append(("attachment", attachment))
            found = examine_page(attachment.body, attachment.url, attachment.content_type)
            if found.report is not None:
                found.report.source_url = page.url
                found.report.title = found.report.title or outcome.title
                found.report.published_on = found.report.published_on or outcome.published_on
                return OneFetch(found.report, downloads, len(downloads) - 1)
            reasons.append(f"{attachment_url}: {found.reason}")
        raise UserError(f"{url}: the notice is in an attachment that could not be read ({'; '.join(reasons)})")
    if outcome.report is None:
        raise UserError(f"{url}: {outcome.reason}; is this the notice's own page?")
    return OneFetch(outcome.report, downloads, 0)
