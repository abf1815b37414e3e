"""``SampleSite``: the bundled local site that imitates TRS, Hanweb and plain government portals."""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import Self
from urllib.parse import quote

from .content import COLUMNS, Entry, build
from .render import Renderer, docx_with_text
from .server import FAULT_KINDS, Fault, Resource, Server

__all__ = ["Notice", "SampleSite"]

_CST = timezone(timedelta(hours=8))
_ROBOTS = b"User-agent: *\nAllow: /\n"
_HTML_UTF8 = "text/html; charset=utf-8"
#: Content types per CMS kind: Hanweb servers send no charset (the page says gb2312, the bytes are GBK).
_HTML = {"trs": _HTML_UTF8, "hanweb": "text/html", "plain": _HTML_UTF8}
#: ``index_3.html`` → 3; ``list_2.html`` → 2.
_PAGE_SUFFIX = re.compile(r"_(\d+)\.html$")
_DATAPROXY = ("/module/web/jpage/dataproxy.jsp", "/module/jslib/jquery/jpage/dataproxy.jsp")


@dataclass(frozen=True)
class Notice:
    """A notice the site publishes (``SampleSite.notices`` maps its detail-page URL to this)."""

    url: str
    title: str
    column: str
    sample: str
    unit: str
    published: date
    #: Every page the notice is split over, first page first (one URL for most notices).
    part_urls: tuple[str, ...]
    #: The PDF/DOCX that carries the notice when the page only says 详见附件.
    attachment_url: str | None


class SampleSite:
    """A local HTTP server imitating government sites, for crawler tests, benchmarks and ``rectrack demo``.

    ``scale`` adds that many synthesised notices; ``seed`` fixes every id, date and text.
    Use as a context manager (``start()`` on enter, ``stop()`` on exit); ``port=0`` picks a
    free port on ``host``.

    Columns (``list_urls`` keys): ``trs`` (UTF-8, pager only in a ``createPageHTML`` script),
    ``hanweb`` (GBK, ``jpage`` + ``dataproxy.jsp``), ``plain`` (``list.html`` → ``list_N.html``
    via ``下一页``/``尾页`` links) and ``plain_jsp`` (``notices.jsp?page=N``, same links).

    ``notice_urls`` holds detail-page URLs; two of those pages only say 详见附件 and link the
    notice as a PDF or DOCX (``attachment_urls``, ``Notice.attachment_url``). The TRS copy of
    ``hecheng_2026`` is split over two pages: ``multipage_notice_url`` and its ``_1`` page.
    The Hanweb copy of ``hetang_2025`` signs with ``二〇二五年八月二十五日`` (``gbk_notice_url``).
    """

    def __init__(self, scale: int = 0, seed: int = 0, port: int = 0, host: str = "127.0.0.1") -> None:
        self.scale, self.seed, self.host, self._port = scale, seed, host, port
        self.content = build(scale, seed)
        self._lock = threading.RLock()
        self._requests: list[tuple[str, str, int]] = []
        self._faults: dict[str, Fault] = {}
        self._moved: set[str] = set()  # paths linked on the unresolvable host (dns faults)
        self._cache: dict[str, Resource] = {}
        self._modified: dict[str, float] = {}  # entry path → Last-Modified after an update
        self._stopping = threading.Event()
        self._server: Server | None = None
        self._thread: threading.Thread | None = None
        self._renderer: Renderer | None = None

    # ------------------------------------------------------------------ lifecycle

    def start(self) -> Self:
        """Bind and serve in a background thread."""
        if self._server is not None:
            return self
        self._stopping.clear()
        self._cache.clear()  # pages carry the base URL, which changes with the port
        self._server = Server((self.host, self._port), self)
        self._renderer = Renderer(self.content, self.base_url, self._moved_url)
        self._thread = threading.Thread(target=self._server.serve_forever, name="samplesite", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving, end open connections and release the port."""
        server, self._server = self._server, None
        if server is None:
            return
        self._stopping.set()
        server.shutdown()
        server.close_all()
        server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # ------------------------------------------------------------------ what is served

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("the sample site is not running: call start() or use it as a context manager")
        return self._server.server_address[1]

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def list_urls(self) -> dict[str, str]:
        """First list page of each column: ``trs``, ``hanweb``, ``plain`` and ``plain_jsp``."""
        return {key: self.base_url + col.list_path for key, col in COLUMNS.items()}

    @property
    def notices(self) -> dict[str, Notice]:
        """Every notice by detail-page URL."""
        base = self.base_url
        return {
            base + e.path: Notice(
                base + e.path, e.title, e.column, e.sample or "", e.unit or "", e.published.date(),
                tuple(base + p for p in e.part_paths()), base + e.attachment.path if e.attachment else None,
            )
            for e in self.content.entries() if e.is_notice
        }

    @property
    def notice_urls(self) -> set[str]:
        """Detail-page URLs of every notice (first page of a split notice; the page linking an attachment)."""
        return {self.base_url + e.path for e in self.content.entries() if e.is_notice}

    @property
    def news_urls(self) -> set[str]:
        """URLs of ordinary news items, decoys included: a crawler must not store these."""
        return {self.base_url + e.path for e in self.content.entries() if not e.is_notice}

    @property
    def attachment_urls(self) -> set[str]:
        """URLs of the PDF and DOCX attachments that carry notices."""
        return {self.base_url + path for path in self.content.attachments}

    @property
    def multipage_notice_url(self) -> str:
        """The notice split over two pages (``t…html`` links ``t…_1.html`` as 下一页)."""
        return self.base_url + next(e.path for e in self.content.columns["trs"] if e.parts > 1)

    @property
    def gbk_notice_url(self) -> str:
        """The Hanweb notice whose date ``二〇二五年八月二十五日`` needs GBK (not GB2312) to decode."""
        return self.base_url + next(
            e.path for e in self.content.columns["hanweb"] if e.sample == "hetang_2025" and "〇" in e.text
        )

    # ------------------------------------------------------------------ requests and faults

    @property
    def requests(self) -> list[tuple[str, str, int]]:
        """``(method, path_with_query, status)`` of every request served so far (a copy); status 0 = reset."""
        with self._lock:
            return list(self._requests)

    def clear_requests(self) -> None:
        with self._lock:
            self._requests.clear()

    def _log(self, method: str, path: str, status: int) -> None:
        with self._lock:
            self._requests.append((method, path, status))

    def set_fault(self, path: str, kind: str, *, times: int | None = None, delay: float = 0.0) -> None:
        """Make requests for ``path`` fail (``path`` or ``path?query``, or a full URL of this site).

        Kinds: ``500``/``502``/``503``/``404``: an error page with that status; ``timeout`` and
        ``slow`` wait ``delay`` seconds (``timeout`` without a delay: 30 s) and then answer
        normally; ``stall`` sends the headers and half the body, then nothing for ``delay`` seconds
        (default 30 s) and closes; ``reset`` closes the connection with a TCP reset;
        ``challenge_521`` (or ``challenge``) answers 521 with a JavaScript cookie challenge (加速乐),
        ``challenge_412`` 412 with a 瑞数-style one; ``truncate`` declares a Content-Length larger
        than the body and closes, ``short_length`` one half the body's (the client gets a cut page)
        and closes; ``redirect_loop`` answers 302 to the same URL with ``loop=1`` added, that to
        ``loop=2`` … without end. A fault on a path also matches the path with any query; one on
        ``path?query`` only that query. ``times=N``: only the next N matching requests fail.

        ``dns`` does not touch the request: the site's pages link to ``path`` on
        :attr:`unresolvable_host` instead of their own (a notice or attachment link, or a plain
        list's page link), so a crawler following the link fails its DNS lookup. ``times`` does not
        apply to it.
        """
        if kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault {kind!r}; expected one of {FAULT_KINDS}")
        if times is not None and times < 1:
            raise ValueError("times must be >= 1 (or None for every request)")
        if kind == "dns":
            self._move(self._local(path), times)
            return
        with self._lock:
            self._faults[self._local(path)] = Fault(kind, times, delay)

    def clear_faults(self) -> None:
        with self._lock:
            self._faults.clear()
            if self._moved:
                self._moved.clear()
                self._cache.clear()  # pages linked the moved paths elsewhere

    @property
    def unresolvable_host(self) -> str:
        """The host name ``dns`` faults link to: under ``.invalid`` (RFC 6761), unique to this site's port."""
        return f"gone-{self.port}.invalid"

    def _move(self, path: str, times: int | None) -> None:
        if times is not None:
            raise ValueError("times does not apply to a dns fault (it changes links, not responses)")
        if not self._linkable(path):
            raise ValueError(f"{path}: no page links it by a plain href (a dns fault moves links to it)")
        with self._lock:
            self._moved.add(path)
            self._cache.clear()

    def _linkable(self, path: str) -> bool:
        """Whether pages of this site link ``path`` by an href the renderer writes (articles, their parts and
        attachments, plain list pages)."""
        if path in self.content.by_path or path in self.content.attachments:
            return True
        return bool(re.fullmatch(r"/plain/list_\d+\.html|/plain/notices\.jsp\?page=\d+", path))

    def _moved_url(self, path: str) -> str | None:
        """Where pages link ``path`` when a ``dns`` fault moved it, else ``None``."""
        with self._lock:
            return f"http://{self.unresolvable_host}{path}" if path in self._moved else None

    def _take_fault(self, path: str, path_with_query: str) -> Fault | None:
        with self._lock:
            key = path_with_query if path_with_query in self._faults else path
            fault = self._faults.get(key)
            if fault is None:
                return None
            if fault.remaining is not None:
                fault.remaining -= 1
                if fault.remaining <= 0:
                    del self._faults[key]
            return Fault(fault.kind, None, fault.delay)

    def local_path(self, url: str) -> str:
        """``/path?query`` of a URL of this site (a path is returned as is)."""
        return self._local(url)

    def _local(self, url: str) -> str:
        if url.startswith(("http://", "https://")):
            if self._server is None or not url.startswith(self.base_url):
                raise ValueError(f"{url} is not a URL of this running site")
            url = url[len(self.base_url):]
        return url if url.startswith("/") else "/" + url

    # ------------------------------------------------------------------ updates

    def update_notice(self, url: str, text: str | None = None) -> None:
        """Change a notice: replace its text, or (``text=None``) append a progress line.

        Its page(s) — and for the DOCX notice the attachment — get new bytes, ETag and
        Last-Modified. The PDF notice cannot be rewritten (``ValueError``).
        """
        path = self._local(url)
        with self._lock:
            found = self.content.by_path.get(path)
            entry = found[0] if found else self.content.attachments.get(path)
            if entry is None or not entry.is_notice:
                raise KeyError(f"{url} is not a notice of this site")
            entry.version += 1
            new_text = text if text is not None else self._appended(entry)
            if entry.attachment is not None:
                if not entry.attachment.path.endswith(".docx"):
                    raise ValueError(f"{url}: the PDF attachment cannot be rewritten; update another notice")
                entry.attachment.data = docx_with_text(entry.attachment.read(), new_text)
                entry.page_text += f"\n（附件已于{self._now():%Y年%m月%d日}更新）"
                self._cache.pop(entry.attachment.path, None)
            entry.text = new_text
            stamp = max(time.time(), self._last_modified(entry) + 1)
            self._modified[entry.path] = float(int(stamp))
            for part in entry.part_paths():
                self._cache.pop(part, None)

    def _appended(self, entry: Entry) -> str:
        line = f"截至{self._now():%Y年%m月%d日}，上述问题中又有{entry.version + 2}项完成整改并销号（第{entry.version}次更新）。"
        return entry.text.rstrip("\n") + "\n" + line + "\n"

    @staticmethod
    def _now() -> datetime:
        return datetime.now(_CST)

    def text_of(self, url: str) -> str:
        """The notice text currently published at ``url`` (a notice detail page)."""
        found = self.content.by_path.get(self._local(url))
        if found is None or not found[0].is_notice:
            raise KeyError(url)
        return found[0].text

    # ------------------------------------------------------------------ responses

    def _last_modified(self, entry: Entry) -> float:
        if entry.path in self._modified:
            return self._modified[entry.path]
        return entry.published.replace(tzinfo=_CST).timestamp()

    def _column_modified(self, key: str) -> float:
        entries = self.content.columns[key]
        return max((e.published.replace(tzinfo=_CST).timestamp() for e in entries), default=0.0)

    def _respond(self, method: str, path: str, params: Mapping[str, str]) -> tuple[int, Resource]:
        """Status and resource for a request (faults and 304s are the handler's business)."""
        renderer = self._renderer
        assert renderer is not None
        if method == "POST" and path not in _DATAPROXY:
            return 405, Resource(b"<html><body>405 Method Not Allowed</body></html>", "text/html", 0, {"Allow": "GET, HEAD"})
        if path in _DATAPROXY:
            body = renderer.dataproxy(params)
            return 200, Resource(body, "text/xml;charset=UTF-8", self._column_modified("hanweb"))
        key = path
        if path == "/plain/notices.jsp":
            page = params.get("page", "1")
            key = f"{path}?page={page}"
        with self._lock:
            cached = self._cache.get(key)
            if cached is None:
                cached = self._build(path, params)
                if cached is not None:
                    self._cache[key] = cached
        if cached is None:
            return 404, Resource(b"<html><body><h1>404 Not Found</h1></body></html>", "text/html", 0)
        return 200, cached

    def _build(self, path: str, params: Mapping[str, str]) -> Resource | None:
        renderer = self._renderer
        assert renderer is not None
        if path == "/robots.txt":
            return Resource(_ROBOTS, "text/plain", datetime(2026, 1, 1, tzinfo=_CST).timestamp())
        if path == "/":
            links = "".join(f'<li><a href="{col.list_path}">{col.name}</a></li>' for col in COLUMNS.values())
            home = f'<html><head><meta charset="utf-8"><title>示例站点</title></head><body><ul>{links}</ul></body></html>'
            return Resource(home.encode(), _HTML_UTF8, datetime(2026, 1, 1, tzinfo=_CST).timestamp())
        list_page = self._list_page(path, params)
        if list_page is not None:
            key, page = list_page
            body = renderer.list_page(key, page)
            if body is None:
                return None
            return Resource(body, _HTML[COLUMNS[key].kind], self._column_modified(key))
        if path in self.content.attachments:
            entry = self.content.attachments[path]
            att = entry.attachment
            assert att is not None
            disposition = f"attachment; filename=\"{path.rsplit('/', 1)[-1]}\"; filename*=UTF-8''{quote(att.filename)}"
            return Resource(att.read(), att.content_type, self._last_modified(entry), {"Content-Disposition": disposition})
        found = self.content.by_path.get(path)
        if found is None:
            return None
        entry, part = found
        kind = COLUMNS[entry.column].kind
        return Resource(renderer.article(entry, part), _HTML[kind], self._last_modified(entry))

    def _list_page(self, path: str, params: Mapping[str, str]) -> tuple[str, int] | None:
        """(column, 0-based page) for a list URL path, else ``None``."""
        if path in ("/trs/xszg/", "/trs/xszg/index.html"):
            return "trs", 0
        if path in ("/col/col30067/", "/col/col30067/index.html"):
            return "hanweb", 0
        if path == "/plain/list.html":
            return "plain", 0
        if path == "/plain/notices.jsp":
            try:
                return "plain_jsp", int(params.get("page", "1")) - 1
            except ValueError:
                return None
        match = _PAGE_SUFFIX.search(path)
        if match and int(match.group(1)) > 0:
            n = int(match.group(1))
            if path == f"/trs/xszg/index_{n}.html":
                return "trs", n
            if path == f"/plain/list_{n}.html":
                return "plain", n
        return None
