"""What the notice spider yields: a downloaded page with its outcome. Item pipelines store them.

Light to import (the parse schema, not the parsers): the database writer unpickles these.
"""

from __future__ import annotations

import pickle
from dataclasses import dataclass, field

from crawler.parse.schema import Report


@dataclass(frozen=True)
class SealedReport:
    """A report as the parse worker pickled it, opened only by the database writer.

    The crawl process merely passes a crawled notice on; kept sealed it is not unpickled and pickled
    again there (a third of a millisecond per notice of the reactor's time)."""

    blob: bytes

    @classmethod
    def seal(cls, report: Report) -> SealedReport:
        return cls(pickle.dumps(report, protocol=pickle.HIGHEST_PROTOCOL))

    def open(self) -> Report:
        return pickle.loads(self.blob)  # noqa: S301 - pickled by our own parse worker


@dataclass
class PageItem:
    """One fetch: a list page, a detail page or an attachment, successful or not.

    ``report`` is set when the page (or the pages joined with it) held a notice (sealed, as the crawl's
    parse worker sent it: see :class:`SealedReport`); ``error`` says why a fetch failed or
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
