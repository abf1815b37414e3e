"""Page metadata: the title (headline), the published date and attachment URLs."""

from __future__ import annotations

import re
from datetime import date
from urllib.parse import parse_qsl, urljoin, urlsplit

from lxml import etree

from .html_text import _clean_inline, _string, _TokenSet

# --------------------------------------------------------------------------- titles

_HEADLINE_CLASSES = _TokenSet(
    "title article-title article_title arti_title arti-title art_title art-title detail-title detail_title news_title"
    " news-title newstitle content-title content_title con_title con-title contenttitle main-title main_title"
    " maintitle tit bt biaoti wzbt xxgk_title headline articletitle doc-title doc_title".split(),
    ignore_case=True,
)
_TITLE_SEP_RE = re.compile(r"\s*(?:_{1,2}|\||｜|丨|--|\s[-–—－]\s|——|::)\s*")
_TITLE_DASH_RE = re.compile(r"^(.*\S)\s*[-–—－]\s*(\S{2,25})$")
_SITEISH_RE = re.compile(
    r"(?:网|政府|门户|官网|网站|首页|委员会|纪委|监委|监察委|在线|频道|之窗|平台|中心|政务|信息公开)$|gov\.cn$", re.I
)

# --------------------------------------------------------------------------- dates

_DATE = r"((?:19|20)\d\d)\s*(?:-|/|\.|年)\s*(\d{1,2})\s*(?:-|/|\.|月)\s*(\d{1,2})"
_DATE_RE = re.compile(_DATE)
_CN_DATE = r"([〇零○О0一二三四五六七八九]{4})\s*年\s*([一二三四五六七八九十]{1,3})\s*月\s*([一二三四五六七八九十]{1,3})\s*日"
_LABELS = r"(?:发布日期|发布时间|发表时间|发稿时间|更新时间|时间|日期)\s*[:：]?\s*"
_LOW_LABELS = r"(?:成文日期|发文日期|印发日期)\s*[:：]?\s*"
_LABELED_DATE_RE = re.compile(_LABELS + "(?:" + _DATE + "|" + _CN_DATE + ")")
_LABELED_DATE_LOW_RE = re.compile(_LOW_LABELS + "(?:" + _DATE + "|" + _CN_DATE + ")")
_CN_DIGITS = {"〇": 0, "零": 0, "○": 0, "О": 0, "0": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5,
              "六": 6, "七": 7, "八": 8, "九": 9}
_URL_DATE_RES = (
    re.compile(r"/t((?:19|20)\d\d)(\d\d)(\d\d)_\d+"),
    re.compile(r"/art/((?:19|20)\d\d)/(\d{1,2})/(\d{1,2})/art_"),
    re.compile(r"/((?:19|20)\d\d)-(\d\d)-(\d\d)/"),
    re.compile(r"/((?:19|20)\d\d)(\d\d)(\d\d)/"),
)
_META_DATE_NAMES = (
    "pubdate", "publishdate", "publish_date", "publishtime", "publish-date", "releasedate",
    "firstpublishedtime", "article:published_time", "og:release_date", "dc.date.issued", "dc.date",
)

# --------------------------------------------------------------------------- attachments

_ATTACHMENT_EXTS = (".pdf", ".doc", ".docx", ".wps", ".ofd")
_ATTACHMENT_HINT_RE = re.compile(r"\.(?:[pP][dD][fF]|[dD][oO][cC][xX]?|[wW][pP][sS]|[oO][fF][dD])(?![a-zA-Z0-9])")
_FILE_PARAMS = frozenset(
    {"file", "filename", "fileurl", "file_url", "filepath", "path", "url", "src", "name",
     "downfile", "attachname", "attach", "fname", "realname"}
)
_VIEWER_PARAMS = frozenset({"file", "url", "src", "fileurl", "file_url"})
_VIEWER_HINTS = ("viewer", "pdfjs", "pdf.js", "pdfview", "preview")
_QUOTED_RE = re.compile(r"""(['"])(.*?)\1""", re.S)
_CONTROL_IN_URL_RE = re.compile(r"[\t\r\n]")
_PAGE_CHROME_ANCESTORS = ("nav", "footer", "header", "aside")


# =========================================================================== title


#: A headline candidate: (text, strong, sourceline); strong means h1 or a title-like class/id.
Headline = tuple[str, bool, int]


def _is_headline_el(el: etree._Element) -> bool:
    return _is_headline(el.get("class"), el.get("id"))


def _is_headline(cls: str | None, el_id: str | None) -> bool:
    """Whether an element with this class and id attribute can be a title element."""
    if cls and ("title" in cls or _HEADLINE_CLASSES.search(cls)):
        return True
    return bool(el_id and ("title" in el_id or _HEADLINE_CLASSES.search(el_id)))


def _headline_candidates(elements: list[etree._Element]) -> list[Headline]:
    out: list[Headline] = []
    seen: set[str] = set()
    for el in elements:
        if len(el) > 8:
            continue  # a block with many children is not a headline
        raw = _string(el)
        if len(raw) > 400:
            continue
        text = _clean_inline(raw)
        if not (4 <= len(text) <= 200) or text in seen:
            continue
        seen.add(text)
        strong = (
            el.tag == "h1"
            or _HEADLINE_CLASSES.search(el.get("class") or "")
            or _HEADLINE_CLASSES.search(el.get("id") or "")
        )
        out.append((text, strong, el.sourceline or 0))
    return out


def _headline(container: etree._Element | None, page_headlines: list[Headline],
              page_title: str | None) -> str | None:
    """An h1 in the body, else the page headline matching <title>, else the nearest
    strong headline above the body (by source line), else the first strong one."""
    candidates: list[Headline] = []
    ordered = page_headlines
    if container is not None:
        candidates += _headline_candidates(list(container.iter("h1")))
        line = container.sourceline
        if line:
            above = sorted((h for h in page_headlines if h[2] <= line), key=lambda h: -h[2])
            ordered = above + [h for h in page_headlines if h[2] > line]
    candidates += ordered
    if not candidates:
        return None
    raw_title = _clean_inline(page_title)
    if raw_title:
        related = [
            text for text, _, _ in candidates
            if (text in raw_title or (len(raw_title) >= 4 and raw_title in text)) and not _SITEISH_RE.search(text)
        ]
        if related:
            return max(related, key=len)
    for text, strong, _ in candidates:
        if strong and len(text) >= 6 and not _SITEISH_RE.search(text):
            return text
    return None


def _clean_page_title(page_title: str | None, site_name: str | None) -> str | None:
    title = _clean_inline(page_title)
    if not title:
        return None
    segments = [s for s in _TITLE_SEP_RE.split(title) if s]
    if len(segments) <= 1:
        m = _TITLE_DASH_RE.match(title)
        if m and (_SITEISH_RE.search(m.group(2)) or m.group(2) == site_name):
            return m.group(1).strip()
        return title
    kept = [s for s in segments if not (s == site_name or (len(s) <= 25 and _SITEISH_RE.search(s)))]
    return max(kept or segments, key=len)


# =========================================================================== dates


def _make_date(y: str, m: str, d: str) -> date | None:
    try:
        value = date(int(y), int(m), int(d))
    except ValueError:
        return None
    return value if 1990 <= value.year <= 2100 else None


def _match_date(m: re.Match[str] | None) -> date | None:
    """The date named by a (year, month, day) match, when there is a match and it is valid."""
    return _make_date(*m.groups()) if m else None


def _cn_number(text: str) -> int:
    """一 … 九, 十, 十一 … 三十一."""
    if "十" not in text:
        return _CN_DIGITS[text]
    tens, _, ones = text.partition("十")
    return (_CN_DIGITS[tens] if tens else 1) * 10 + (_CN_DIGITS[ones] if ones else 0)


def _labeled_date(m: re.Match[str]) -> date | None:
    g = m.groups()
    if g[0] is not None:
        return _make_date(g[0], g[1], g[2])
    try:
        year = "".join(str(_CN_DIGITS[ch]) for ch in g[3])
        return _make_date(year, str(_cn_number(g[4])), str(_cn_number(g[5])))
    except (KeyError, ValueError):
        return None


def _meta_date(metas: dict[str, str]) -> date | None:
    for name in _META_DATE_NAMES:
        content = metas.get(name)
        if content:
            value = _match_date(_DATE_RE.search(content))
            if value:
                return value
    return None


def _text_date(text: str, title: str | None) -> date | None:
    """A labelled date after the title (else the first), else a bare date next to it."""
    if not text:
        return None
    anchor = -1
    if title:
        anchor = text.find(title)
        if anchor < 0 and len(title) > 12:
            anchor = text.find(title[:12])
    for pattern in (_LABELED_DATE_RE, _LABELED_DATE_LOW_RE):
        first = None
        for m in pattern.finditer(text):
            value = _labeled_date(m)
            if value is None:
                continue
            if anchor < 0 or m.start() >= anchor:
                return value
            if first is None:
                first = value
        if first is not None:
            return first
    if anchor >= 0:
        value = _match_date(_DATE_RE.search(text, anchor, anchor + len(title or "") + 300))
        if value:
            return value
        before = list(_DATE_RE.finditer(text, max(0, anchor - 300), anchor))
        value = _match_date(before[-1] if before else None)
        if value:
            return value
    return None


def _url_date(url: str | None) -> date | None:
    if not url:
        return None
    for pattern in _URL_DATE_RES:
        value = _match_date(pattern.search(url))
        if value:
            return value
    return None


# =========================================================================== attachments


def _attachments(root: etree._Element, base: str | None, html: str) -> list[str]:
    if not _ATTACHMENT_HINT_RE.search(html):  # one fast scan (the pattern starts with a literal)
        return []
    found: list[str] = []
    seen: set[str] = set()

    def add(raw: str | None, el: etree._Element, text: str | None = None) -> None:
        if not raw:
            return
        if not _ATTACHMENT_HINT_RE.search(raw) and not (text and _ATTACHMENT_HINT_RE.search(text)):
            return
        if _in_page_chrome(el):
            return
        resolved = _attachment_url(raw, base, text)
        if resolved and resolved not in seen:
            seen.add(resolved)
            found.append(resolved)

    for el in root.iter("a", "area", "iframe", "frame", "embed", "object"):
        tag = el.tag
        if tag == "a":
            # the link text counts when it names a file ("整改方案.pdf"); direct text only
            add(el.get("href"), el, el.text if len(el) == 0 else None)
            add(el.get("data-href"), el)
            add(el.get("data-url"), el)
        elif tag == "area":
            add(el.get("href"), el)
        elif tag == "object":
            add(el.get("data"), el)
        else:
            add(el.get("src"), el)
    if "onclick" in html or "ONCLICK" in html or "onClick" in html:
        for el in root.iter(etree.Element):  # not an XPath: libxml2 can take quadratic time sorting its result
            onclick = el.get("onclick")
            if onclick and _ATTACHMENT_HINT_RE.search(onclick):
                for _, quoted in _QUOTED_RE.findall(onclick):
                    add(quoted, el)
    return found


def _in_page_chrome(el: etree._Element) -> bool:
    for _ in el.iterancestors(*_PAGE_CHROME_ANCESTORS):
        return True
    return False


def _is_attachment_path(value: str) -> bool:
    path = value.split("#", 1)[0].split("?", 1)[0].strip().lower()
    return path.endswith(_ATTACHMENT_EXTS)


def _attachment_url(raw: str, base: str | None, text: str | None = None) -> str | None:
    raw = _CONTROL_IN_URL_RE.sub("", raw).strip()
    if not raw or raw.startswith("#"):
        return None
    if raw[:11].lower().startswith(("javascript:", "mailto:", "tel:", "data:", "about:", "vbscript:")):
        return None
    try:
        parts = urlsplit(raw)
    except ValueError:
        return None
    if _is_attachment_path(parts.path):
        return _resolve(base, raw)
    if parts.query:
        viewer = any(hint in parts.path.lower() for hint in _VIEWER_HINTS)
        for key, value in parse_qsl(parts.query):
            key = key.lower()
            if key not in _FILE_PARAMS or not _is_attachment_path(value):
                continue
            if viewer and key in _VIEWER_PARAMS:
                # pdf.js resolves its file parameter against the viewer's own address
                return _resolve(_resolve(base, raw), value.strip())
            return _resolve(base, raw)  # a download handler: the whole URL fetches the file
    if text and _is_attachment_path(text.strip()) and parts.scheme in ("", "http", "https"):
        return _resolve(base, raw)
    return None


def _resolve(base: str | None, ref: str) -> str:
    if not base:
        return ref
    try:
        return urljoin(base, ref)
    except ValueError:
        return ref
