"""From site content to response bodies: article pages, list pages, dataproxy XML, attachments."""

from __future__ import annotations

import posixpath
import re
import zipfile
from collections.abc import Callable, Mapping
from io import BytesIO
from xml.sax.saxutils import escape as xml_escape

from .content import COLUMNS, HANWEB_GROUP_SIZE, Entry, SiteContent
from .lists import HANWEB, hanweb_column, hanweb_datastore, plain_list, trs_list
from .pages import Article, Link, paragraphs_of, render_article

__all__ = ["Renderer", "docx_with_text"]


def _rel(target: str, current: str) -> str:
    """``target`` relative to the folder of ``current`` (``./t….html``, ``../202602/t….html``)."""
    rel = posixpath.relpath(target, posixpath.dirname(current))
    return rel if rel.startswith("..") else "./" + rel


def _chunks(items: tuple[str, ...], n: int) -> list[tuple[str, ...]]:
    size = -(-len(items) // n)
    return [items[i * size:(i + 1) * size] for i in range(n)]


class Renderer:
    """Renders the pages of one :class:`SiteContent` served at ``base_url``.

    ``moved(path)``: the absolute URL pages link ``path`` at instead of their usual href (``None``: as usual).
    """

    def __init__(self, content: SiteContent, base_url: str,
                 moved: Callable[[str], str | None] | None = None) -> None:
        self.content = content
        self.base_url = base_url
        self._moved = moved or (lambda path: None)
        plain_news = [e for key in ("plain", "plain_jsp") for e in content.columns[key] if not e.is_notice]
        plain_news.sort(key=lambda e: e.published, reverse=True)
        self._hot = tuple(Link(e.path, e.title, f"{e.published:%Y-%m-%d}") for e in plain_news[:8])
        self._index = {e.path: (key, i) for key, col in content.columns.items() for i, e in enumerate(col)}

    # ------------------------------------------------------------------ articles

    def _neighbours(self, entry: Entry) -> tuple[Entry | None, Entry | None]:
        """The newer and the older article of the same column (上一篇 / 下一篇)."""
        key, i = self._index[entry.path]
        col = self.content.columns[key]
        return (col[i - 1] if i > 0 else None), (col[i + 1] if i + 1 < len(col) else None)

    def article(self, entry: Entry, part: int) -> bytes:
        """Page ``part`` (0-based) of ``entry``."""
        column = COLUMNS[entry.column]
        text = entry.page_text if entry.attachment else entry.text
        paragraphs = _chunks(paragraphs_of(text), entry.parts)[part]
        here = entry.part_paths()[part]
        newer, older = self._neighbours(entry)

        def href_of(path: str) -> str:
            return self._moved(path) or (_rel(path, here) if column.kind == "trs" else path)

        def link(other: Entry | None) -> Link | None:
            if other is None:
                return None
            return Link(href_of(other.path), other.title)

        pages: list[Link] = []
        paths = entry.part_paths()
        if entry.parts > 1:
            href = [href_of(p) for p in paths]
            if part > 0:
                pages.append(Link(href[part - 1], "上一页"))
            pages += [Link(href[n], str(n + 1)) for n in range(entry.parts) if n != part]
            if part + 1 < entry.parts:
                pages.append(Link(href[part + 1], "下一页"))
        attachments = ()
        if entry.attachment:
            path = entry.attachment.path
            attachments = (Link(self._moved(path) or path, entry.attachment.filename),)
        article = Article(
            title=entry.title, paragraphs=paragraphs, published=entry.published, source=entry.source,
            column=column.name, column_href=column.list_path, url=self.base_url + here, attachments=attachments,
            prev=link(newer), next=link(older), page_links=tuple(pages),
            related=tuple(x for x in (link(newer), link(older)) if x) if column.kind == "hanweb" else self._hot,
            charset="utf-8" if column.kind == "plain" else None, hits=300 + len(entry.title) * 17,
        )
        return render_article(column.kind, article)

    # ------------------------------------------------------------------ lists

    def page_count(self, key: str) -> int:
        """How many list pages column ``key`` has."""
        return max(1, -(-len(self.content.columns[key]) // COLUMNS[key].per_page))

    def list_page(self, key: str, page: int) -> bytes | None:
        """List page ``page`` (0-based) of column ``key``; ``None`` past the last page."""
        column = COLUMNS[key]
        count = self.page_count(key)
        if not 0 <= page < count:
            return None
        entries = self.content.columns[key]
        if key == "hanweb":
            first = entries[: column.per_page * HANWEB_GROUP_SIZE]
            return hanweb_column(column.name, [self._item(e, key) for e in first], len(entries), column.per_page,
                                 HANWEB_GROUP_SIZE)
        items = [self._item(e, key) for e in entries[page * column.per_page:(page + 1) * column.per_page]]
        if key == "trs":
            return trs_list(column.name, items, page, count)

        def name(n: int) -> str:
            if key == "plain":
                return "list.html" if n == 0 else f"list_{n}.html"
            return "notices.jsp" if n == 0 else f"notices.jsp?page={n + 1}"

        return plain_list(column.name, items, page, count, len(entries),
                          lambda n: self._moved("/plain/" + name(n)) or name(n))

    def _item(self, entry: Entry, key: str) -> Link:
        href = "./" + entry.path.removeprefix("/trs/xszg/") if key == "trs" else entry.path
        return Link(self._moved(entry.path) or href, entry.title, f"{entry.published:%Y-%m-%d}")

    def dataproxy(self, params: Mapping[str, str]) -> bytes:
        """Hanweb ``dataproxy.jsp``: records by ``startrecord``/``endrecord`` or by ``page`` (+ ``perpage``).

        Without the column's ``columnid`` and ``unitid`` the datastore is empty, as on real sites.
        """
        entries = self.content.columns["hanweb"]
        per_page = _int(params.get("perpage"), COLUMNS["hanweb"].per_page) or COLUMNS["hanweb"].per_page
        known = params.get("columnid") == HANWEB["columnid"] and params.get("unitid") == HANWEB["unitid"]
        if not known:
            return hanweb_datastore([], first=1, total=0, per_page=per_page, group=0, xml_decl=True).encode()
        if "page" in params and "startrecord" not in params:
            page = max(1, _int(params.get("page"), 1))
            start, end = (page - 1) * per_page + 1, page * per_page
        else:
            start = max(1, _int(params.get("startrecord"), 1))
            end = max(start, _int(params.get("endrecord"), start + per_page * HANWEB_GROUP_SIZE - 1))
        items = [self._item(e, "hanweb") for e in entries[start - 1:end]]
        xml = hanweb_datastore(items, first=start, total=len(entries), per_page=per_page, group=end - start + 1,
                               xml_decl=True)
        return xml.encode("utf-8")


def _int(value: str | None, default: int) -> int:
    try:
        return int(value) if value is not None else default
    except ValueError:
        return default


_BODY = re.compile(r"(<w:body>)(.*?)(<w:sectPr\b)", re.DOTALL)


def docx_with_text(data: bytes, text: str) -> bytes:
    """``data`` (a DOCX) with its body paragraphs replaced by the lines of ``text``."""
    paras = "".join(
        f"<w:p><w:r><w:t xml:space=\"preserve\">{xml_escape(p)}</w:t></w:r></w:p>" for p in paragraphs_of(text)
    )
    out = BytesIO()
    with zipfile.ZipFile(BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            blob = src.read(info)
            if info.filename == "word/document.xml":
                doc = blob.decode("utf-8")
                doc, n = _BODY.subn(lambda m: m.group(1) + paras + m.group(3), doc, count=1)
                if not n:
                    raise ValueError("word/document.xml has no <w:body> … <w:sectPr>")
                blob = doc.encode("utf-8")
            dst.writestr(info, blob)
    return out.getvalue()
