"""List (column) pages: the links on them and the next pages after them. Pure functions of a page's text.

Pagination is read every common way (see ``shared/corpus/CMS.md``): plain ``下一页``/``下页``/``>``
links, TRS ``createPageHTML(count, current, "index", "html")`` and ``countPage``/``currentPage``
variables producing ``index_N.html``, Hanweb ``jpage`` columns whose records come from
``dataproxy.jsp`` (XML with CDATA records), and ``?page=N`` style query pages.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

import lxml.html
from lxml import etree

_DATASTORE = re.compile(r"<datastore>(.*?)</datastore>", re.S)
_RECORD = re.compile(r"<record>\s*<!\[CDATA\[(.*?)\]\]>\s*</record>", re.S)
_TOTAL = re.compile(r"<totalrecord>\s*(\d+)\s*</totalrecord>")
_DATE = re.compile(r"(20\d{2})[-/.年](\d{1,2})[-/.月](\d{1,2})")
_NEXT_TEXT = re.compile(r"^(?:下一页|下页|后一页|下一頁|>|›|>>|»|next|Next|NEXT)$")
_SKIP_HREF = re.compile(r"^(?:javascript:|mailto:|tel:|#)", re.I)


@dataclass(frozen=True)
class Link:
    """A link on a list page: where it goes, its full title, and the date shown beside it."""

    url: str
    title: str
    date: str | None = None


@dataclass(frozen=True)
class PageRequest:
    """The next list page: a plain GET, or a Hanweb dataproxy POST."""

    url: str
    method: str = "GET"
    formdata: dict[str, str] = field(default_factory=dict)
    #: For dataproxy requests: how the next group is computed.
    hanweb: HanwebColumn | None = None


@dataclass(frozen=True)
class HanwebColumn:
    """A Hanweb ``jpage`` list: its proxy URL, its parameters and its group size."""

    proxy_url: str
    params: tuple[tuple[str, str], ...]
    per_page: int
    group_size: int
    total: int | None

    def group(self, start: int) -> PageRequest:
        """The dataproxy request for the records from ``start`` (1-based)."""
        end = start + self.per_page * self.group_size - 1
        query = urlencode({"startrecord": start, "endrecord": end, "perpage": self.per_page})
        return PageRequest(url=f"{self.proxy_url}?{query}", method="POST", formdata=dict(self.params), hanweb=self)


# --------------------------------------------------------------------------- links


class ListPage:
    """A list page parsed once (its HTML tree is shared by the links and the pagination readers)."""

    def __init__(self, html: str, url: str) -> None:
        self.html = html
        self.url = url

    @cached_property
    def root(self) -> etree._Element | None:
        return _root(self.html)

    def links(self, selector: str | None = None) -> list[Link]:
        """Every link (anchors, plus Hanweb records inlined in ``<script type="text/xml">``)."""
        links: list[Link] = []
        if self.root is not None:
            for area in (self.root.cssselect(selector) if selector else [self.root]):
                links.extend(_anchor_links(area, self.url))
        for block in _DATASTORE.findall(self.html):
            links.extend(datastore_links(block, self.url)[0])
        return _unique(links)

    def next_pages(self) -> list[PageRequest]:
        """The page(s) that come after this one, by whichever scheme the page uses."""
        found: list[PageRequest] = []
        trs = _trs_next(self.html, self.url)
        if trs:
            found.append(PageRequest(trs))
        hanweb = hanweb_column(self.html, self.url)
        if hanweb is not None:
            start = hanweb.per_page * hanweb.group_size + 1 if _DATASTORE.search(self.html) else 1
            if hanweb.total is None or start <= hanweb.total:
                found.append(hanweb.group(start))
        if self.root is not None:
            found.extend(PageRequest(u) for u in _link_next(self.root, self.url))
        unique: dict[str, PageRequest] = {}
        for request in found:
            if request.url != self.url:
                unique.setdefault(request.url, request)
        return list(unique.values())


def list_links(html: str, base_url: str, *, selector: str | None = None) -> list[Link]:
    """Every link of a list page (see :meth:`ListPage.links`)."""
    return ListPage(html, base_url).links(selector)


def datastore_links(xml: str, base_url: str) -> tuple[list[Link], int | None]:
    """Links in a Hanweb ``<datastore>`` (a dataproxy answer or an inline block) and its ``totalrecord``."""
    records = _RECORD.findall(xml)
    links: list[Link] = []
    # One parse for all records: each in its own <div>, so that dates are read within its record.
    fragment = _root("<div>" + "".join(f"<div>{record}</div>" for record in records) + "</div>") if records else None
    if fragment is not None:
        links.extend(_anchor_links(fragment, base_url))
    return _unique(links), _total_records(xml)


def _total_records(xml: str) -> int | None:
    total = _TOTAL.search(xml)
    return int(total.group(1)) if total else None


def _anchor_links(area: etree._Element, base_url: str) -> list[Link]:
    found = []
    for anchor in area.iter("a"):
        href = (anchor.get("href") or "").strip()
        if not href or _SKIP_HREF.match(href):
            continue
        text = " ".join(anchor.text_content().split())
        title = (anchor.get("title") or "").strip()
        if len(title) < len(text):
            title = text
        found.append(Link(urljoin(base_url, href), title, _date_near(anchor)))
    return found


def _date_near(anchor: etree._Element) -> str | None:
    parent = anchor.getparent()
    for node in (anchor, parent, parent.getparent() if parent is not None else None):
        if node is None:
            continue
        match = _DATE.search(node.text_content())
        if match:
            y, m, d = match.groups()
            return f"{y}-{int(m):02d}-{int(d):02d}"
    return None


def _unique(links: list[Link]) -> list[Link]:
    seen: dict[str, Link] = {}
    for link in links:
        known = seen.get(link.url)
        if known is None or len(link.title) > len(known.title):
            seen[link.url] = link
    return list(seen.values())


def _root(html: str) -> etree._Element | None:
    if not html.strip():
        return None
    try:
        return lxml.html.fromstring(html)
    except (etree.ParserError, ValueError):
        return None


# --------------------------------------------------------------------------- pagination

_CREATE_PAGE = re.compile(r"createPageHTML\(([^)]*)\)")
_COUNT_PAGE = re.compile(r"\bcountPage\s*=\s*(\d+)")
_CURRENT_PAGE = re.compile(r"\bcurrentPage\s*=\s*(\d+)")
_JPAGE = re.compile(r"\.jpage\(\s*\{(.*?)\}\s*\)|\bvar\s+param_\w+\s*=\s*\{(.*?)\}\s*;", re.S)
_PAGE_PARAMS = ("page", "pageNum", "pageNo", "pageIndex", "pageindex", "pageno", "p", "currentPage", "curPage")


def next_list_pages(html: str, url: str) -> list[PageRequest]:
    """The page(s) that come after this list page (see :meth:`ListPage.next_pages`)."""
    return ListPage(html, url).next_pages()


def next_dataproxy_group(xml: str, request: PageRequest) -> PageRequest | None:
    """After a dataproxy answer: the next group's request, or None at the end."""
    column = request.hanweb
    if column is None:
        return None
    query = dict(parse_qsl(urlsplit(request.url).query))
    end = int(query.get("endrecord", "0"))
    total = _total_records(xml) or column.total
    if total is None or end >= total or "<record>" not in xml:
        return None
    return column.group(end + 1)


def _trs_next(html: str, url: str) -> str | None:
    for match in _CREATE_PAGE.finditer(html):  # the first call with numbers (not the function's definition)
        args = [a.strip().strip("'\"") for a in match.group(1).split(",")]
        numbers = [int(a) for a in args if a.isdigit()]
        names = [a for a in args if a and not a.isdigit()]
        if len(numbers) >= 2:
            count, current = numbers[-2], numbers[-1]
            prefix, ext = (names[-2], names[-1]) if len(names) >= 2 else ("index", _ext(url))
            return _trs_page(url, prefix, ext, current + 1) if current + 1 < count else None
    count, current = _COUNT_PAGE.search(html), _CURRENT_PAGE.search(html)
    if count and current and int(current.group(1)) + 1 < int(count.group(1)):
        return _trs_page(url, "index", _ext(url), int(current.group(1)) + 1)
    return None


def _trs_page(url: str, prefix: str, ext: str, number: int) -> str:
    return urljoin(url, f"{prefix}_{number}.{ext}" if number else f"{prefix}.{ext}")


def _ext(url: str) -> str:
    path = urlsplit(url).path
    last = path.rsplit("/", 1)[-1]
    return last.rsplit(".", 1)[1] if "." in last else "html"


def hanweb_column(html: str, url: str) -> HanwebColumn | None:
    """The Hanweb ``jpage`` list declared on a column page, if any."""
    match = _JPAGE.search(html)
    if not match:
        return None
    body = match.group(1) or match.group(2) or ""
    ajax = re.search(r"ajaxParam\s*:\s*\{(.*?)\}", body, re.S)
    params = tuple(_js_pairs(ajax.group(1))) if ajax else ()
    options = dict(_js_pairs(re.sub(r"ajaxParam\s*:\s*\{.*?\}", "", body, flags=re.S)))
    proxy = options.get("proxyUrl") or "/module/web/jpage/dataproxy.jsp"

    def number(key: str, default: int | None) -> int | None:
        value = options.get(key, "")
        return int(value) if value.isdigit() else default

    return HanwebColumn(proxy_url=urljoin(url, proxy), params=params, per_page=number("perPage", 15) or 15,
                        group_size=number("groupSize", 3) or 3, total=number("totalRecord", None))


def _js_pairs(text: str) -> list[tuple[str, str]]:
    pairs = re.findall(r"(\w+)\s*:\s*(?:'([^']*)'|\"([^\"]*)\"|([^,}\s]+))", text)
    return [(key, single or double or bare) for key, single, double, bare in pairs]


def _link_next(root: etree._Element, url: str) -> list[str]:
    """``下一页``-style anchors, and anchors to the same URL with its page number plus one."""
    found = []
    following = _query_page_plus_one(url)
    page_key = f"{following[1]}=" if following is not None else None
    for anchor in root.iter("a"):
        href = (anchor.get("href") or "").strip()
        if not href or _SKIP_HREF.match(href):
            continue
        label = "".join(anchor.text_content().split()) or (anchor.get("title") or "").strip()
        if _NEXT_TEXT.match(label):
            found.append(urljoin(url, href))
        elif page_key is not None and page_key in href and _same_query_page(urljoin(url, href), following):
            found.append(urljoin(url, href))
    return found


def _query_page_plus_one(url: str) -> tuple[str, str, int] | None:
    parts = urlsplit(url)
    query = parse_qsl(parts.query)
    for key, value in query:
        if key in _PAGE_PARAMS and value.isdigit():
            return urlunsplit(parts._replace(query="")), key, int(value) + 1
    return urlunsplit(parts._replace(query="")), "page", 2


def _same_query_page(target: str, want: tuple[str, str, int]) -> bool:
    parts = urlsplit(target)
    base, key, number = want
    return urlunsplit(parts._replace(query="")) == base and dict(parse_qsl(parts.query)).get(key) == str(number)
