"""What the sample site publishes: notices (bundled samples and synthesised variants) and news.

Everything is derived from ``scale`` and ``seed``: the same arguments give the same URLs,
titles, dates and texts. Texts of synthesised notices are built on first use.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from importlib.resources import files

from .news import news_items
from .units import SAMPLE_UNITS, Unit, unit_pools, variant

__all__ = ["COLUMNS", "Attachment", "Column", "Entry", "SiteContent", "build", "sample_text"]


@dataclass(frozen=True)
class Column:
    """One list of the site: its CMS kind, first list page, column name and page size."""

    key: str
    kind: str
    list_path: str
    name: str
    per_page: int


COLUMNS: dict[str, Column] = {
    "trs": Column("trs", "trs", "/trs/xszg/index.html", "巡视整改", 8),
    "hanweb": Column("hanweb", "hanweb", "/col/col30067/index.html", "巡视巡察", 15),
    "plain": Column("plain", "plain", "/plain/list.html", "巡视巡察", 8),
    "plain_jsp": Column("plain_jsp", "plain", "/plain/notices.jsp", "通知公告", 8),
}

#: Hanweb ``groupSize``: pages per dataproxy group (the column page inlines the first group).
HANWEB_GROUP_SIZE = 3


@dataclass
class Attachment:
    """A bundled file served as a notice attachment."""

    path: str
    filename: str
    content_type: str
    sample_file: str
    #: Replacement bytes after :meth:`SampleSite.update_notice`; ``None``: the bundled file.
    data: bytes | None = None

    def read(self) -> bytes:
        if self.data is not None:
            return self.data
        return files("crawler").joinpath("samples", self.sample_file).read_bytes()


@dataclass(eq=False)
class Entry:
    """One article: a notice or a news item."""

    column: str
    path: str
    title: str
    published: datetime
    is_notice: bool
    source: str
    make_text: Callable[[], str]
    sample: str | None = None
    unit: str | None = None
    parts: int = 1
    attachment: Attachment | None = None
    #: Paragraphs of a page whose notice is in the attachment (``详见附件``).
    page_text: str = ""
    version: int = 0
    _text: str | None = field(default=None, repr=False)

    @property
    def text(self) -> str:
        if self._text is None:
            self._text = self.make_text()
        return self._text

    @text.setter
    def text(self, value: str) -> None:
        self._text = value

    def part_paths(self) -> list[str]:
        """Paths of the pages the article is split over (``t…html``, ``t…_1.html`` …)."""
        stem, dot, ext = self.path.rpartition(".")
        return [self.path] + [f"{stem}_{n}{dot}{ext}" for n in range(1, self.parts)]


@dataclass
class SiteContent:
    """All entries, per column newest first, and the path index."""

    columns: dict[str, list[Entry]]
    by_path: dict[str, tuple[Entry, int]]
    attachments: dict[str, Entry]

    def entries(self) -> list[Entry]:
        return [e for col in self.columns.values() for e in col]


def sample_text(stem: str) -> str:
    """The text of a bundled sample notice."""
    return files("crawler").joinpath("samples", f"{stem}.txt").read_text(encoding="utf-8")


#: Titles of samples whose text does not start with one.
_TITLES = {"zhengxiang_2024": "中共{city}{name}委关于巡视整改进展情况的通报"}
#: Sample → (publication date and time, source line).
_PUBLISHED = {
    "hecheng_2026": datetime(2026, 3, 2, 9, 15),
    "hetang_2025": datetime(2025, 8, 26, 16, 40),
    "hetang_2026": datetime(2026, 3, 11, 10, 5),
    "yicheng_2024": datetime(2024, 2, 25, 8, 30),
    "zhengxiang_2024": datetime(2024, 8, 27, 11, 0),
}
_CYCLE = ("hecheng_2026", "hetang_2025", "hetang_2026", "yicheng_2024", "zhengxiang_2024")
_EXTRA_COLUMNS = ("trs", "hanweb", "plain", "plain_jsp")


def _title_of(stem: str, text: str, unit: Unit) -> str:
    if stem in _TITLES:
        return _TITLES[stem].format(city=unit.city, name=unit.name)
    return text.strip().splitlines()[0].strip()


class _Ids:
    """Unique random numbers of a given width."""

    def __init__(self, rng: random.Random) -> None:
        self.rng, self.used = rng, set()

    def take(self, digits: int) -> int:
        while True:
            n = self.rng.randrange(10 ** (digits - 1), 10**digits)
            if n not in self.used:
                self.used.add(n)
                return n


def article_path(column: str, published: datetime, ids: _Ids) -> str:
    """The URL path an article of ``column`` gets, in that CMS's scheme."""
    d = published
    if column == "trs":
        return f"/trs/xszg/{d:%Y%m}/t{d:%Y%m%d}_{ids.take(7)}.html"
    if column == "hanweb":
        return f"/art/{d.year}/{d.month}/{d.day}/art_30067_{ids.take(7)}.html"
    folder = "xsxc" if column == "plain" else "tzgg"
    return f"/plain/{folder}/{ids.take(15)}.shtml"


def _fixed(text: str) -> Callable[[], str]:
    return lambda: text


def _samples(ids: _Ids) -> list[Entry]:
    """The bundled notices: five HTML pages, one split over two pages, and two attachment pages."""
    out: list[Entry] = []

    def add(column: str, stem: str, text: str, *, parts: int = 1, shift: timedelta = timedelta(0),
            page_text: str = "") -> Entry:
        unit = SAMPLE_UNITS[stem]
        when = _PUBLISHED[stem] + shift
        entry = Entry(
            column=column, path=article_path(column, when, ids), title=_title_of(stem, text, unit), published=when,
            is_notice=True, source=f"中共{unit.city}{unit.name}委", make_text=_fixed(text), sample=stem,
            unit=unit.name, parts=parts, page_text=page_text,
        )
        out.append(entry)
        return entry

    add("trs", "hecheng_2026", sample_text("hecheng_2026"), parts=2)
    add("trs", "zhengxiang_2024", sample_text("zhengxiang_2024"))
    # the Hanweb copy signs with a GBK-only 〇 date: GB2312 decoding loses it
    add("hanweb", "hetang_2025", sample_text("hetang_2025").replace("2025年8月25日", "二〇二五年八月二十五日"))
    add("hanweb", "yicheng_2024", sample_text("yicheng_2024"), shift=timedelta(days=1))
    add("plain_jsp", "hetang_2026", sample_text("hetang_2026"))
    pdf = add("plain", "yicheng_2024", sample_text("yicheng_2024"), page_text="详见附件")
    pdf.attachment = Attachment(
        f"/plain/uploads/{pdf.published:%Y%m}/{pdf.published:%Y%m%d%H%M%S}{ids.take(3)}.pdf",
        f"{pdf.title}.pdf", "application/pdf", "yicheng_2024.pdf",
    )
    docx = add(
        "plain", "zhengxiang_2024", sample_text("zhengxiang_2024"), shift=timedelta(days=-1, hours=5),
        page_text="现将《中共衡阳市蒸湘区委关于巡视整改进展情况的通报》予以公布，具体内容详见附件。",
    )
    docx.attachment = Attachment(
        f"/plain/uploads/{docx.published:%Y%m}/{docx.published:%Y%m%d%H%M%S}{ids.take(3)}.docx",
        f"{docx.title}.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "zhengxiang_2024.docx",
    )
    return out


def _extras(scale: int, rng: random.Random, ids: _Ids, seed: int) -> list[Entry]:
    """``scale`` synthesised notices: the samples in turn, each re-issued by another unit."""
    pools = unit_pools(seed)
    taken = {"区": 0, "市": 0}
    out: list[Entry] = []
    previous: Unit | None = None
    for i in range(scale):
        stem = _CYCLE[i % len(_CYCLE)]
        old = SAMPLE_UNITS[stem]
        if stem == "hetang_2026" and previous is not None:
            new = previous  # the later notice of the unit that issued the preceding hetang_2025 variant
        else:
            pool = pools[old.suffix]
            new = pool[taken[old.suffix] % len(pool)]
            taken[old.suffix] += 1
        previous = new
        column = _EXTRA_COLUMNS[i % len(_EXTRA_COLUMNS)]
        when = _PUBLISHED[stem] + timedelta(days=rng.randint(-40, 40), minutes=rng.randint(-300, 300))
        title = variant(_title_of(stem, sample_text(stem), old), old, new)

        def make(stem: str = stem, old: Unit = old, new: Unit = new) -> str:
            return variant(sample_text(stem), old, new)

        out.append(Entry(
            column=column, path=article_path(column, when, ids), title=title, published=when, is_notice=True,
            source=f"中共{new.city}{new.name}委", make_text=make, sample=stem, unit=new.name,
        ))
    return out


def build(scale: int = 0, seed: int = 0) -> SiteContent:
    """The site's content for ``scale`` extra notices, deterministic in ``seed``."""
    if scale < 0:
        raise ValueError("scale must be >= 0")
    rng = random.Random(seed)
    ids = _Ids(random.Random(f"ids-{seed}"))
    entries = _samples(ids) + _extras(scale, rng, ids, seed)
    for item in news_items(rng, extra=scale // 10):
        entries.append(Entry(
            column=item.column, path=article_path(item.column, item.published, ids), title=item.title,
            published=item.published, is_notice=False, source=item.source, make_text=_fixed(item.text),
        ))
    columns: dict[str, list[Entry]] = {key: [] for key in COLUMNS}
    for entry in entries:
        columns[entry.column].append(entry)
    for col in columns.values():
        col.sort(key=lambda e: (e.published, e.path), reverse=True)
    by_path = {path: (e, n) for e in entries for n, path in enumerate(e.part_paths())}
    attachments = {e.attachment.path: e for e in entries if e.attachment}
    return SiteContent(columns, by_path, attachments)
