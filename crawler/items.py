"""What the notice spider yields: a downloaded page with its outcome. Item pipelines store them."""

from __future__ import annotations

from dataclasses import dataclass, field

from crawler.extract import SealedReport
from crawler.parse.schema import Report


@dataclass
class PageItem:
    """One fetch: a list page, a detail page or an attachment, successful or not.

    ``report`` is set when the page (or the pages joined with it) held a notice (sealed, as the crawl's
    parse worker sent it: see :class:`crawler.extract.SealedReport`); ``error`` says why a fetch failed or
    why a fetched page was not a notice.
    """

    url: str
    kind: str                      # "list", "detail", "attachment"
    http_status: int | None = None
    etag: str | None = None
    last_modified: str | None = None
    content_type: str | None = None
    body: bytes | None = field(default=None, repr=False)
    error: str | None = None
    #: A failure that should count against the crawl (a download failed), not a page that is merely no notice.
    failed: bool = False
    report: Report | SealedReport | None = field(default=None, repr=False)

    def open_report(self) -> Report | None:
        """The report, unsealed."""
        return self.report.open() if isinstance(self.report, SealedReport) else self.report
    #: The pages of a multi-page notice after the first one (their bytes are stored too).
    extra_pages: list[tuple[str, bytes]] = field(default_factory=list, repr=False)
