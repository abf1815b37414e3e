"""Text from HTML: the article body and page metadata of a notice page.

Pure functions on an already decoded page (see :mod:`crawler.parse.encoding`); no
network, no Scrapy.  One lxml parse per page (plain ``lxml.etree`` HTML parser, no
BeautifulSoup, no ``lxml.html`` element classes: they cost a Python call per element).

How the body is found (first hit wins):

1. Hanweb markers: the span between ``<!--ZJEG_RSS.content.begin-->`` and
   ``<!--ZJEG_RSS.content.end-->``, else between ``<meta name="ContentStart">`` and
   ``<meta name="ContentEnd">``.
2. CMS containers: TRS ``div.TRS_Editor`` / ``.trs_editor_view`` / ``.TRS_UEDITOR``, then
   ``.pages_content``, ``#UCAP-CONTENT``; Hanweb ``#zoom``.  Trusted when they hold any
   text (a notice can be just ``详见附件``).
3. Heuristic: from ``<body>``, descend into the child holding >= 75 % of the non-link
   text (title elements next to it not counted), as long as that child is itself a
   container (has block children or ``<br>``), so a long paragraph never swallows its
   siblings.  When the descent stops at a big but not dominant child, blocks whose every
   line is chrome (footers, breadcrumbs …) are dropped and it descends again: next to a
   short notice they would outweigh it.
4. Generic containers (``.article-content``, ``.article_con``, ``.content``, ``.con``,
   ``.detail``, ``.main-txt``, ``#content``, ``<article>``) replace the heuristic's pick
   when they hold at least half as much text, and are narrowed the same way.

Chrome inside the chosen body is removed as elements (``<style>``/``<script>`` etc.
everywhere; ``nav``/``header``/``footer``/``aside``/small ``form``; share, print,
breadcrumb, footer widgets by class/id when short; menus and related-link lists in
heuristic picks) and as whole lines (breadcrumbs, share prompts, print/close links,
font-size switchers, previous/next links, related-link headings, footers, view
counters, "released on/source" lines).  Line rules are anchored or need a short line,
so a notice sentence that merely mentions e.g. 主办 is kept.

Text layout: block elements (p, div, br, li, tr, h1-h6, section, table …) end a line,
inline elements join, the cells of a table row are joined with a space (blocks inside a
small cell too), ``<pre>`` keeps its line breaks; U+3000/nbsp indentation is stripped,
whitespace runs become one space, and a source line break between two CJK characters
disappears (CSS segment-break rule) instead of becoming a space.

Speed: the walk and the line filter are written around C-level lxml calls, ``str``
methods and regexes that start with a literal (a regex that must be tried at every
position costs ~15 ns per character of CJK text).
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from itertools import islice, takewhile
from urllib.parse import parse_qsl, urljoin, urlsplit

from lxml import etree

__all__ = ["Article", "extract_article"]

log = logging.getLogger(__name__)


@dataclass
class Article:
    """What :func:`extract_article` finds on a page."""

    #: The article body: one paragraph per line, lines stripped, no empty lines.
    text: str = ""
    #: meta ArticleTitle, else the page's headline element, else <title> without the site name.
    title: str | None = None
    #: meta PubDate, else a 发布日期/发布时间/时间 label near the title, else the URL's date.
    published_on: date | None = None
    #: meta SiteName (or og:site_name).
    site_name: str | None = None
    #: URLs of attached PDF/DOC/DOCX/WPS/OFD files, absolute when a page URL was given.
    attachments: list[str] = field(default_factory=list)


# =========================================================================== constants

#: Removed up front: never article text.
_JUNK_TAGS = (
    "script", "style", "noscript", "template", "textarea", "select", "option", "button",
    "svg", "canvas", "object", "embed", "iframe", "frame", "frameset", "noframes", "audio",
    "video", "map", "link", "input", "head", "math",
)
#: Page chrome by tag (removed for the heuristic and inside a chosen body, when small).
_CHROME_TAGS = ("nav", "header", "footer", "aside", "form", "menu")
#: Elements that end a line.
_BLOCK_TAGS = frozenset(
    "p div br li ul ol dl dt dd tr table tbody thead tfoot caption h1 h2 h3 h4 h5 h6 section "
    "article header footer nav aside blockquote pre hr form fieldset legend address figure "
    "figcaption center main details summary title body html menu dir".split()
)
_CELL_TAGS = frozenset({"td", "th"})
_HEADING_TAGS = frozenset({"h1", "h2", "h3"})
#: A title element holds at most this much text.
_HEADLINE_MAX_CJK = 100
#: The heuristic descends into a child holding this share of its parent's text …
_DESCEND_SHARE = 0.75
#: … and retries without chrome blocks when it stopped at a child holding this much.
_RETRY_SHARE = 0.35
#: A table cell with at most this much text (and no nested table) is one cell of a row.
_SMALL_CELL_CHARS = 300
#: The heuristic only descends into these.
_DESCEND_TAGS = frozenset(
    "div section article main td table tbody tr center font span form body blockquote ul ol li".split()
)

_TRUSTED_CLASSES = ("TRS_Editor", "trs_editor_view", "TRS_UEDITOR", "pages_content")
_TRUSTED_IDS = ("UCAP-CONTENT", "zoom")
_GENERIC_CLASSES = ("article-content", "article_con", "content", "con", "detail", "main-txt")
_GENERIC_IDS = ("content",)
_CONTAINER_IDS = frozenset(_TRUSTED_IDS + _GENERIC_IDS)
_CONTAINER_CLASS_RE = re.compile(
    r"(?:^|\s)(?:TRS_Editor|trs_editor_view|TRS_UEDITOR|pages_content|article-content|article_con|content|con"
    r"|detail|main-txt)(?:\s|$)"
)

_HANWEB_BEGIN = "ZJEG_RSS.content.begin"
_HANWEB_END = "ZJEG_RSS.content.end"

_CLASS_ID_ATTRS_XPATH = etree.XPath(".//@class | .//@id")  # faster than .//*[@class or @id]
_STRING_XPATH = etree.XPath("string()", smart_strings=False)
_LINK_TEXT_XPATH = etree.XPath(".//a//text()", smart_strings=False)
_COMMENTS_XPATH = etree.XPath(".//comment()")
_CONTAINER_CHILD_TAGS = ("p", "div", "br", "li", "tr", "section", "h1", "h2", "h3", "h4", "table", "article", "blockquote")
#: Inline elements: merged into their parent's text before the walk (fewer events).
_INLINE_TAGS = (
    "span", "font", "a", "b", "strong", "i", "em", "u", "s", "strike", "small", "big", "sub", "sup",
    "label", "abbr", "acronym", "cite", "code", "q", "mark", "ins", "del", "tt", "kbd", "samp", "var",
    "bdo", "bdi", "nobr", "time", "data", "dfn", "o:p", "st1:chsdate", "img", "wbr",
)

#: Class/id tokens of widgets that carry no article text (removed when short).
_CHROME_CLASS_RE = re.compile(
    r"(?:^|\s)(?:share|share-box|sharebox|share_box|bdsharebuttonbox|bdshare\S*|bshare-custom|jiathis\S*"
    r"|fenxiang|print|dayin|close|guanbi|fontsize|font-size|font_size|zihao|breadcrumbs?|crumbs?"
    r"|position|location|dqwz|weizhi|curpos|current-position|pagenav|page-nav|prevnext|prev-next"
    r"|sxp|sxpage|xgwz|xglj|related|related-links|relatedlinks|ewm|qrcode|erweima|footer\S*|foot"
    r"|foot[_-]\S*|copyright|article-tools|share[_-]\S*)(?:\s|$)",
    re.I,
)
_CHROME_MAX_CJK = 200
_CHROME_KEYWORD_RE = re.compile(
    "位置|首页|上一|下一|上篇|下篇|相关|延伸阅读|推荐阅读|分享|扫一扫|打印|关闭|字体|字号|主办|承办|协办|主管|技术支持"
    "|维护|标识码|识别码|ICP|公网安备|版权|opyright|Rights|浏览|访问|阅读|点击|发布|来源|时间|日期|作者|编辑"
    "|网站地图|联系我们"
)
_RELATED_PREFIXES = (
    "相关链接", "相关文章", "相关阅读", "相关新闻", "相关稿件", "相关信息", "延伸阅读", "推荐阅读", "【相关", "[相关",
)
#: Text nodes that could be chrome: short, or not a sentence, and not blank.
_SHORT_TEXT_NODES_XPATH = etree.XPath(
    ".//text()[string-length(.) <= 300][string-length(.) <= 80 or not(contains(., '。'))][normalize-space(.)]"
)
#: Blocks that can be menus or link lists.
_LINK_LIST_TAGS = frozenset("div ul ol dl dd li p table tbody tr td section nav span center".split())
#: When the CMS body is empty, a heuristic pick needs this much text to be taken.
_MIN_FALLBACK_CJK = 200
#: A related-links block has at most this much non-link text.
_RELATED_MAX_CJK = 12

_HEADLINE_CLASS_RE = re.compile(
    r"(?:^|\s)(?:title|article-title|article_title|arti_title|arti-title|art_title|art-title"
    r"|detail-title|detail_title|news_title|news-title|newstitle|content-title|content_title"
    r"|con_title|con-title|contenttitle|main-title|main_title|maintitle|tit|bt|biaoti|wzbt"
    r"|xxgk_title|headline|articletitle|doc-title|doc_title)(?:\s|$)",
    re.I,
)

# --------------------------------------------------------------------------- text

_CJK = "\u2e80-\u2fff\u3001-\u303f\u3040-\u9fff\uf900-\ufaff\uff01-\uffee\u2014-\u201f\u2026\u00b7"
#: A source line break right after a CJK character and before another is not a space
#: (the CSS segment-break rule; a space written before the break stays, as in browsers).
#: The pattern starts with a literal, so the scan is fast.
_CJK_BREAK_RE = re.compile(rf"\n(?<=[{_CJK}]\n)\s*(?=[{_CJK}])")
_ZERO_WIDTH = ("\u200b", "\ufeff")
_INVISIBLE_RE = re.compile(r"[\x00-\x1f\x7f-\x9f\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]+")
_WS_RE = re.compile(r"[\s\u200b\u200c\u200d\u2060\ufeff]+")
_LINE_SEP = "\x00"  # never in lxml text (XML forbids NUL)
_PRE_BREAK = "\u2028"  # line breaks inside <pre>

_SHARE_PHRASE_RE = re.compile(
    r"(?:打开微信\s*[，,]?\s*点击底部的?\s*[“\"]?发现[”\"]?\s*[，,]?\s*)?"
    r"使用\s*[“\"]?扫一扫[”\"]?\s*即可将网页分享至朋友圈\s*[。.]?"
)
_SCAN_PHRASE_RE = re.compile(
    r"[【\[]?\s*(?:扫一扫\s*在手机(?:上)?(?:打开|查看|浏览|阅读)(?:当前|本)?页(?:面)?|用手机扫描二维码)\s*[】\]]?"
)
_FONT_SIZE_RE = re.compile(
    r"[【\[(（]?\s*(?:字体|字号|文字)\s*[:：]?\s*[【\[(（]?\s*大\s*[\]】)）]?\s*[【\[(（]?\s*中\s*[\]】)）]?"
    r"\s*[【\[(（]?\s*小\s*[\]】)）]?\s*[】\])）]?"
)
#: Lines made only of widget words and separators (≤ 60 characters).
_TOKEN_LINE_RE = re.compile(
    r"^(?:[\s【】\[\]()（）<>《》|｜丨·•/:：、,，.。;；\-—>＞»›]"
    r"|打印本页|打印此页|打印文章|打印正文|打印|关闭窗口|关闭本页|关闭页面|关闭|返回顶部|返回首页|返回列表|返回上一页|返回"
    r"|收藏本页|加入收藏|收藏|设为首页|分享到|分享至|分享|网站地图|站点地图|联系我们|关于我们|使用帮助|隐私声明|免责声明"
    r"|网站声明|法律声明|我要纠错|纠错|保存|下载|扫一扫|二维码|微信|微博|新浪微博|腾讯微博|QQ空间|QQ好友|QQ|人民微博"
    r"|人人网|豆瓣|朋友圈|顶部|TOP|top|默认|字体|字号)+$"
)
#: Line rules anchored at the start; the group name says how long a line may be.
_ANCHORED_RULES_RE = re.compile(
    r"(?P<crumb>(?:当前位置|您现在的位置|您当前的位置|您的位置|你的位置|你现在的位置|现在位置|所在位置|当前页面|当前栏目)"
    r"\s*(?:是)?\s*(?:[:：>＞]|(?:网站)?首页)|(?:网站)?首页\s*[>＞›»→/])"
    r"|(?P<prevnext>(?:上一篇|下一篇|上一条|下一条|上篇|下篇|上一页|下一页))"
    r"|(?P<related>[【\[]?\s*(?:相关链接|相关文章|相关阅读|相关新闻|相关信息|相关稿件|相关附件|延伸阅读|推荐阅读)\s*[】\]]?\s*[:：]?$)"
    r"|(?P<share>(?:分享到|分享至|分享)\s*[:：])"
    r"|(?P<footer>(?:主办单位|承办单位|协办单位|主管单位|主办|承办|协办|主管|技术支持|技术维护|运行维护|网站维护"
    r"|维护单位|建设单位|网站管理|管理单位)\s*[:：]"
    r"|(?:网站标识码|网站识别码|版权所有|Copyright|COPYRIGHT|copyright|©|\([cC]\)|ICP备案|备案号|备案序号))"
    r"|(?P<counter>(?:浏览|访问|阅读|点击)\s*[:：]?\s*\d+\s*次)"
    r"|(?P<meta>[【\[]?\s*(?:发布时间|发布日期|发表时间|更新时间|成文日期|发文日期|时间|日期|来源|信息来源|文章来源"
    r"|稿件来源|作者|编辑|责任编辑|编者|撰稿|供稿|审核|校对|发布机构|发布者|发布人|浏览|字号)\s*[:：])"
)
_ANCHORED_CAPS = {
    "crumb": 200, "prevnext": 200, "related": 20, "share": 80, "footer": 300, "counter": 60, "meta": 150,
}
#: Line rules that match anywhere in a short line.
_CONTAINS_RULES_RE = re.compile(
    r"(?P<footer>网站标识码|网站识别码|ICP备|ICP证|公网安备|版权所有|Copyright\s*©|COPYRIGHT\s*©|copyright\s*©"
    r"|All Rights Reserved|ALL RIGHTS RESERVED|All rights reserved)"
    r"|(?P<counter>(?:浏览次数|访问量|阅读次数|点击次数|点击数|浏览量|阅读量|访问次数|点击率)\s*[:：])",
)
_CONTAINS_CAPS = {"footer": 200, "counter": 120}
_CONTAINS_MAX = 200
_SPONSOR_LINE_RE = re.compile(r"^[^，。；,;！？!?]{2,60}主办[\s|｜丨,，、]*[^，。；,;！？!?]{2,80}承办$")

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

# --------------------------------------------------------------------------- titles

_TITLE_SEP_RE = re.compile(r"\s*(?:_{1,2}|\||｜|丨|--|\s[-–—－]\s|——|::)\s*")
_TITLE_DASH_RE = re.compile(r"^(.*\S)\s*[-–—－]\s*(\S{2,25})$")
_SITEISH_RE = re.compile(
    r"(?:网|政府|门户|官网|网站|首页|委员会|纪委|监委|监察委|在线|频道|之窗|平台|中心|政务|信息公开)$|gov\.cn$", re.I
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
_ONCLICK_XPATH = etree.XPath("//@onclick")
_PAGE_CHROME_ANCESTORS = ("nav", "footer", "header", "aside")

# --------------------------------------------------------------------------- depth fallback

_FLATTEN_BLOCK_RE = re.compile(
    r"</?(?:div|p|section|article|table|tbody|thead|tfoot|tr|ul|ol|li|dl|dt|dd|blockquote|center"
    r"|h[1-6]|main|aside|header|footer|nav|form|fieldset)\b[^>]*>",
    re.I,
)
_FLATTEN_INLINE_RE = re.compile(
    r"</?(?:span|font|b|strong|i|em|u|small|big|sub|sup|label|abbr|code|td|th|s|strike|ins|del)\b[^>]*>", re.I
)

_local = threading.local()


# =========================================================================== public


def extract_article(html: str, url: str | None = None) -> Article:
    """Extract the article body and metadata from a decoded HTML page.

    ``url`` is the page's address; attachment links are resolved against it (and a
    ``<base href>``).  Never raises on bad HTML: whatever was found is returned.
    Raises :class:`TypeError` only when ``html`` (or ``url``) is not a ``str``.
    """
    if not isinstance(html, str):
        raise TypeError(
            f"extract_article() needs str, got {type(html).__name__}; decode bytes with decode_page()"
        )
    if url is not None and not isinstance(url, str):
        raise TypeError(f"url must be str or None, got {type(url).__name__}")
    article = Article()
    _local.scores = {}
    try:
        _extract(html, url, article)
    except Exception:  # broken input must never stop a crawl; keep what was found
        log.debug("extract_article failed part-way on %s", url, exc_info=True)
    finally:
        _local.scores = {}
    return article


# =========================================================================== pipeline


def _extract(html: str, url: str | None, article: Article) -> None:
    root = _parse(html)
    if root is None:
        return
    metas, page_title, base_href = _read_head(root)
    article.site_name = _clean_inline(metas.get("sitename") or metas.get("og:site_name")) or None

    base = url
    if base_href:
        base = _resolve(url, base_href) if url else base_href
    article.attachments = _attachments(root, base, html)

    etree.strip_elements(root, *_JUNK_TAGS, with_tail=False)
    body = root.find("body")
    if body is None:
        body = root

    # What title and date need, read before chrome removal changes the tree.
    meta_title = _clean_inline(metas.get("articletitle"))
    meta_date = _meta_date(metas)
    classed = _classed(body)
    headlines = [] if meta_title else _headline_candidates(
        [el for el in body.iter("h1")] + [el for el in classed if _is_headline_el(el)]
    )
    page_text = "" if meta_date else _string(body)

    container, lines = _find_body(body, html, classed)
    article.text = "\n".join(lines)

    article.title = (
        meta_title
        or _headline(container, headlines, page_title)
        or _clean_page_title(page_title, article.site_name)
        or None
    )
    article.published_on = meta_date or _text_date(page_text, article.title) or _url_date(url)


def _parse(html: str) -> etree._Element | None:
    if not html or html.isspace():
        return None
    try:
        data = html.encode("utf-8")
    except UnicodeEncodeError:  # lone surrogates
        data = html.encode("utf-8", "replace")
    parser = _parser()
    root = _parse_bytes(data, parser)
    if _too_deep(parser):
        # Past libxml2's depth limit the rest of the document is dropped: flatten the
        # nesting (blocks become <br>, inline wrappers go) and parse again.
        flat = _FLATTEN_INLINE_RE.sub("", _FLATTEN_BLOCK_RE.sub("<br>", html))
        flat_root = _parse_bytes(flat.encode("utf-8", "replace"), parser)
        if flat_root is not None:
            root = flat_root
    return root


def _parser() -> etree.HTMLParser:
    parser = getattr(_local, "parser", None)
    if parser is None:  # lxml parsers must not be shared between threads
        parser = etree.HTMLParser(
            encoding="utf-8", huge_tree=True, remove_comments=False, remove_pis=True,
            no_network=True, default_doctype=False,
        )
        _local.parser = parser
    return parser


def _parse_bytes(data: bytes, parser: etree.HTMLParser) -> etree._Element | None:
    try:
        root = etree.fromstring(data, parser)
    except (etree.XMLSyntaxError, etree.ParserError, ValueError):
        return None
    if root is None or not isinstance(root.tag, str):
        return None
    return root


def _too_deep(parser: etree.HTMLParser) -> bool:
    # The depth limit is a fatal error: parsing stops, so it is the last error logged.
    last = parser.error_log.last_error
    return last is not None and (last.type_name == "ERR_RESOURCE_LIMIT" or "depth" in last.message.lower())


def _read_head(root: etree._Element) -> tuple[dict[str, str], str | None, str | None]:
    metas: dict[str, str] = {}
    for meta in root.iter("meta"):
        key = meta.get("name") or meta.get("property") or meta.get("itemprop")
        content = meta.get("content")
        if key and content is not None:
            metas.setdefault(key.strip().lower(), content)
    title_el = root.find(".//title")
    page_title = _string(title_el) if title_el is not None else None
    base_el = root.find(".//base[@href]")
    base_href = (base_el.get("href") or "").strip() if base_el is not None else None
    return metas, page_title, base_href or None


def _string(el: etree._Element) -> str:
    return _STRING_XPATH(el)


def _classed(root: etree._Element) -> list[etree._Element]:
    """Descendants with a class or id attribute (document order), then <article> elements."""
    out: list[etree._Element] = []
    last = None
    for attr in _CLASS_ID_ATTRS_XPATH(root):
        el = attr.getparent()
        if el is not last:
            out.append(el)
            last = el
    for el in root.iter("article"):
        if el.get("class") is None and el.get("id") is None:
            out.append(el)
    return out


# =========================================================================== body


def _find_body(body: etree._Element, html: str, classed: list[etree._Element]
               ) -> tuple[etree._Element | None, list[str]]:
    """The body container and its cleaned lines."""
    if "ZJEG_RSS" in html or "ontentStart" in html or "ONTENTSTART" in html or "ontentstart" in html:
        found = _marker_body(body)
        if found is not None:
            return found

    # Comments go (their tails stay), so the walk needs no comment events.
    etree.strip_tags(body, etree.Comment)

    trusted: dict[int, list[etree._Element]] = {}
    generic: list[tuple[int, etree._Element]] = []
    for el in classed:
        cls = el.get("class")
        if not ((cls and _CONTAINER_CLASS_RE.search(cls)) or el.get("id") in _CONTAINER_IDS or el.tag == "article"):
            continue
        rank = _trusted_rank(el)
        if rank is not None:
            trusted.setdefault(rank, []).append(el)
            continue
        rank = _generic_rank(el)
        if rank is not None:
            generic.append((rank, el))

    for rank in sorted(trusted):
        chosen = _outermost_with_text(trusted[rank])
        if chosen:
            for el in chosen:
                _remove_chrome(el)
            return chosen[0], _filter_lines(_lines([(el, None, None) for el in chosen]))

    pick = _heuristic(body)
    if generic:
        pick_score = _score(pick)
        best, best_key = None, None
        for rank, el in generic:
            s = _score(el)
            if s <= 0 or s < 0.5 * pick_score:
                continue
            key = (-rank, s)
            if best_key is None or key > best_key:
                best, best_key = el, key
        if best is not None:
            pick = _heuristic(best)
    _remove_chrome(pick)
    _remove_link_lists(pick)
    lines = _filter_lines(_lines([(pick, None, None)]))
    if trusted and sum(_weight(line) for line in lines) < _MIN_FALLBACK_CJK:
        # The CMS body exists and is empty (the notice is an attachment): what the
        # heuristic finds elsewhere on such a page is chrome.
        return next(iter(trusted.values()))[0], []
    return pick, lines


def _heuristic(start: etree._Element) -> etree._Element:
    """Descend from ``start``.  When the descent stops at a node whose largest child is
    big but not dominant, chrome text (footers, breadcrumbs, "released on" lines …) may
    be what outweighs a short notice: drop blocks whose every line is chrome, go again."""
    pick, share = _descend(start)
    if share >= _RETRY_SHARE:
        _remove_text_chrome(pick)
        _local.scores = {}
        pick, _ = _descend(pick)
    return pick


def _marker_body(body: etree._Element) -> tuple[etree._Element, list[str]] | None:
    comments = _COMMENTS_XPATH(body)
    begin_c = next((c for c in comments if _HANWEB_BEGIN in (c.text or "")), None)
    end_c = next((c for c in reversed(comments) if _HANWEB_END in (c.text or "")), None)
    metas = [m for m in body.iter("meta") if (m.get("name") or "").lower() in ("contentstart", "contentend")]
    begin_m = next((m for m in metas if m.get("name").lower() == "contentstart"), None)
    end_m = next((m for m in reversed(metas) if m.get("name").lower() == "contentend"), None)
    # Comment markers become placeholder elements, so that all comments can be stripped
    # (keeping their tails) and the walk needs no comment events.
    if begin_c is not None:
        begin_c = _placeholder(begin_c)
    if end_c is not None:
        end_c = _placeholder(end_c)
    etree.strip_tags(body, etree.Comment)
    for begin, end in ((begin_c, end_c), (begin_m, end_m)):
        if begin is None:
            continue
        ancestor = _common_ancestor(begin, end) if end is not None else begin.getparent()
        if ancestor is None:
            continue
        _remove_chrome(ancestor)
        if begin.getparent() is None or (end is not None and end.getparent() is None):
            continue  # a marker sat inside removed chrome
        lines = _filter_lines(_lines([(ancestor, begin, end)]))
        if lines:
            return ancestor, lines
    return None


def _placeholder(comment: etree._Element) -> etree._Element:
    marker = etree.Element("rectrack-marker")
    comment.addprevious(marker)
    _drop(comment)  # its tail moves onto the marker
    return marker


def _common_ancestor(a: etree._Element, b: etree._Element) -> etree._Element | None:
    ancestors = set(a.iterancestors())
    for x in b.iterancestors():
        if x in ancestors:
            return x
    return None


def _trusted_rank(el: etree._Element) -> int | None:
    cls = el.get("class")
    if cls:
        tokens = cls.split()
        for rank, name in enumerate(_TRUSTED_CLASSES):
            if name in tokens:
                return rank
    el_id = el.get("id")
    if el_id in _TRUSTED_IDS:
        return len(_TRUSTED_CLASSES) + _TRUSTED_IDS.index(el_id)
    return None


def _generic_rank(el: etree._Element) -> int | None:
    cls = el.get("class")
    if cls:
        tokens = cls.split()
        for rank, name in enumerate(_GENERIC_CLASSES):
            if name in tokens:
                return rank
    if el.get("id") in _GENERIC_IDS:
        return len(_GENERIC_CLASSES)
    if el.tag == "article":
        return len(_GENERIC_CLASSES) + 1
    return None


def _outermost_with_text(group: list[etree._Element]) -> list[etree._Element]:
    """Non-nested members of ``group`` that hold text, in document order."""
    members = set(group)
    outer = [el for el in group if not any(a in members for a in el.iterancestors())]
    if len(outer) == 1:
        return outer if _has_text(outer[0]) else []
    scored = [(el, _score(el)) for el in outer if _has_text(el)]
    if not scored:
        return []
    top = max(s for _, s in scored)
    return [el for el, s in scored if s >= 0.2 * top]


def _has_text(el: etree._Element) -> bool:
    for text in el.itertext():
        if not text.isspace():
            return True
    return False


def _weight(text: str) -> int:
    """The number of non-ASCII characters: roughly the CJK text."""
    return len(text) - len(text.encode("ascii", "ignore"))


def _score(el: etree._Element) -> int:
    """Non-link CJK weight of an element (cached per extraction: chrome removal only
    takes small pieces away, so a slightly stale score does not matter)."""
    cache = _local.__dict__.setdefault("scores", {})
    score = cache.get(el)
    if score is None:
        score = _weight(_string(el))
        if score > 0:
            links = _LINK_TEXT_XPATH(el)
            if links:
                score -= _weight("".join(links))
        cache[el] = score
    return score


def _descend(node: etree._Element) -> tuple[etree._Element, float]:
    """Go down while one child holds >= 75 % of the text (headlines not counted: the
    article's title sits next to its body, never in it).

    Returns the node and the share of its largest child where the descent stopped.
    """
    total = _score(node)
    for _ in range(4096):
        if total <= 0:
            return node, 0.0
        best, best_score, headlines = None, 0, 0
        for child in node:
            tag = child.tag
            if tag not in _DESCEND_TAGS:
                if tag in _HEADING_TAGS:
                    headlines += _score(child)
                continue
            s = _score(child)
            if s <= _HEADLINE_MAX_CJK and _is_headline_el(child):
                headlines += s
                continue
            if s > best_score:
                best, best_score = child, s
        rest = total - headlines
        if best is None or best_score < _DESCEND_SHARE * rest or not _has_block_child(best):
            return node, (best_score / rest if rest > 0 else 0.0)
        node, total = best, best_score
    return node, 0.0


def _has_block_child(el: etree._Element) -> bool:
    """Whether ``el`` holds more than one paragraph (block descendants or <br>)."""
    for child in el.iter(*_CONTAINER_CHILD_TAGS):
        if child is not el:
            return True
    return False


def _remove_chrome(container: etree._Element) -> None:
    """Remove chrome elements inside ``container``: by tag, and by class/id when short."""
    total = -1  # computed on first need

    def dominant(score: int) -> bool:
        nonlocal total
        if total < 0:
            total = _score(container)
        return bool(total) and score >= 0.5 * total

    for el in list(container.iter(*_CHROME_TAGS)):
        if el is container or el.getparent() is None:
            continue
        if dominant(_score(el)):
            continue  # a template that wraps the page in <form> or <header>
        _drop(el)
    for el in _classed(container):
        if el is container or el.getparent() is None:
            continue
        cls = el.get("class")
        el_id = el.get("id")
        if not ((cls and _CHROME_CLASS_RE.search(cls)) or (el_id and _CHROME_CLASS_RE.search(el_id))):
            continue
        s = _score(el)
        if s > _CHROME_MAX_CJK or (s > 0 and dominant(s)):
            continue
        _drop(el)


def _remove_text_chrome(root: etree._Element) -> None:
    """Drop blocks whose every line is chrome by the line rules, and related-link blocks.

    Only short text nodes that contain a chrome keyword are looked at (a Python loop:
    an XPath with one contains() per keyword costs far more).
    """
    seen: set[etree._Element] = set()
    for text in _SHORT_TEXT_NODES_XPATH(root):
        if not _CHROME_KEYWORD_RE.search(text):
            continue
        el = text.getparent()
        if el is not None and text.is_tail:
            el = el.getparent()
        if text.lstrip().startswith(_RELATED_PREFIXES):
            _drop_link_block(el, root)
            continue
        while el is not None and el is not root and el.tag not in _BLOCK_TAGS and el.tag not in _CELL_TAGS:
            el = el.getparent()
        if el is None or el is root or el in seen:
            continue
        seen.add(el)
        raw = _string(el)
        if len(raw) > 600 or (len(raw) > 80 and "。" in raw and "扫一扫" not in raw):
            continue
        parts: list[str] = []
        _walk_all(el, parts)
        lines = _split_lines("".join(parts))
        if lines and not any(_clean_line(line) for line in lines):
            _drop(el)


def _remove_link_lists(container: etree._Element) -> None:
    """Drop menus and link lists: blocks holding links and no other text than a 相关链接
    heading (top-down; a dropped block's descendants are not visited)."""
    if sum(1 for _ in islice(container.iter("a"), 2)) < 2:
        return
    stack = [child for child in container if child.tag in _LINK_LIST_TAGS]
    while stack:
        el = stack.pop()
        if _is_link_list(el):
            _drop(el)
        elif len(el):
            stack.extend(child for child in el if child.tag in _LINK_LIST_TAGS)


def _is_link_list(el: etree._Element) -> bool:
    links = 0
    for _ in el.iter("a"):
        links += 1
        if links >= 2:
            score = _score(el)
            # no text besides the links, or only a "相关链接" heading
            return score <= 0 or (score <= _RELATED_MAX_CJK and _string(el).lstrip().startswith(_RELATED_PREFIXES))
    return False


def _drop_link_block(el: etree._Element | None, container: etree._Element) -> None:
    """Drop the block holding a "相关链接" heading and its links: climb from the heading
    while the enclosing element adds no text besides links."""
    if el is None or el is container or _score(el) > _RELATED_MAX_CJK:
        return  # a sentence that merely starts with 相关文章… is content
    while True:
        parent = el.getparent()
        if parent is None or parent is container or _score(parent) > _RELATED_MAX_CJK:
            break
        el = parent
    if el.getparent() is not None:
        _drop(el)


def _drop(el: etree._Element) -> None:
    """Remove an element, keeping its tail text."""
    parent = el.getparent()
    if parent is None:
        return
    tail = el.tail
    if tail:
        prev = el.getprevious()
        if prev is not None:
            prev.tail = (prev.tail or "") + tail
        else:
            parent.text = (parent.text or "") + tail
    parent.remove(el)


# =========================================================================== text


#: A body region: (element, begin marker or None, end marker or None).
Region = tuple[etree._Element, "etree._Element | None", "etree._Element | None"]


def _lines(regions: list[Region]) -> list[str]:
    parts: list[str] = []
    for el, begin, end in regions:
        etree.strip_tags(el, *_INLINE_TAGS)
        _mark_preformatted(el)
        if begin is None:
            _walk_all(el, parts)
        elif end is not None and begin.getparent() is el and end.getparent() is el:
            # markers are siblings (the usual Hanweb layout): walk what lies between
            if begin.tail:
                parts.append(begin.tail)
            _walk_children(takewhile(lambda sibling: sibling is not end, begin.itersiblings()), parts)
        else:
            _walk_between(el, begin, end, parts)
        parts.append(_LINE_SEP)
    return _split_lines("".join(parts))


def _mark_preformatted(el: etree._Element) -> None:
    """Line breaks inside <pre> are line breaks: turn them into U+2028 (XML cannot hold
    the walk's NUL separator), which :func:`_split_lines` splits on."""
    for pre in el.iter("pre"):
        if pre.text:
            pre.text = pre.text.replace("\n", _PRE_BREAK)
        for node in pre.iterdescendants():
            if node.text:
                node.text = node.text.replace("\n", _PRE_BREAK)
            if node.tail:
                node.tail = node.tail.replace("\n", _PRE_BREAK)


def _split_lines(text: str) -> list[str]:
    """Normalise whitespace and split at the line separators.

    Written around str methods and regexes that start with a literal: a regex pass
    that has to try every position costs ~15 ns per character.
    """
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if _PRE_BREAK in text:
        text = text.replace(_PRE_BREAK, _LINE_SEP)
    if "\n" in text:
        text = _CJK_BREAK_RE.sub("", text)
    for ch in _ZERO_WIDTH:  # the common ones; rarer format characters stay
        if ch in text:
            text = text.replace(ch, "")
    text = " ".join(text.split())  # str.split() knows U+3000, nbsp and all Unicode spaces
    lines = [line for line in (piece.strip() for piece in text.split(_LINE_SEP)) if line]
    if not "".join(lines).isprintable():  # control and format characters (rare)
        lines = [line for line in (_INVISIBLE_RE.sub("", line).strip() for line in lines) if line]
    return lines


def _walk_all(root: etree._Element, parts: list[str]) -> None:
    """Append the text of ``root`` with line separators (``\\x00``) at block boundaries.

    Comments are stripped beforehand (their tails kept), so start/end events suffice.
    """
    if root.text:
        parts.append(root.text)
    _walk_children(root, parts)


def _walk_children(children: Iterable[etree._Element], parts: list[str]) -> None:
    """Childless children, the bulk of a notice body, take a fast path without iterwalk."""
    append = parts.append
    block, cell = _BLOCK_TAGS, _CELL_TAGS
    sep = _LINE_SEP
    for child in children:
        if len(child):
            _walk_subtree(child, parts)
            continue
        ctag = child.tag
        text = child.text
        if ctag in block:
            append(sep)
            if text:
                append(text)
            append(sep)
        elif ctag in cell:
            append(" ")
            if text:
                append(text)
            append(" ")
        elif text:
            append(text)
        tail = child.tail
        if tail and not (ctag in block and tail.isspace()):
            append(tail)


def _walk_subtree(root: etree._Element, parts: list[str]) -> None:
    """The general case of :func:`_walk_all`: ``root`` itself, its subtree and its tail.

    Inside a small table cell (no nested table, short text) blocks do not break the
    line, so a row of ``<td><p>…</p></td>`` cells stays one line, cells joined by spaces.
    """
    append = parts.append
    block, cell = _BLOCK_TAGS, _CELL_TAGS
    sep = _LINE_SEP
    flat: etree._Element | None = None  # the small cell being flattened
    for event, el in etree.iterwalk(root, events=("start", "end")):
        tag = el.tag
        if event == "start":
            if tag in cell:
                append(" ")
                if flat is None and len(el) and _is_small_cell(el):
                    flat = el
            elif tag in block:
                append(" " if flat is not None else sep)
            text = el.text
            if text:
                append(text)
        else:
            if tag in cell:
                append(" ")
                if el is flat:
                    flat = None
            elif tag in block:
                append(" " if flat is not None else sep)
            tail = el.tail
            if tail:
                append(tail)


def _is_small_cell(cell: etree._Element) -> bool:
    for _ in cell.iter("table"):
        return False
    return len(_string(cell)) <= _SMALL_CELL_CHARS


def _walk_between(root: etree._Element, begin: etree._Element, end: etree._Element | None,
                  parts: list[str]) -> None:
    """Like :func:`_walk_all`, keeping only what lies between two marker elements."""
    append = parts.append
    active = False
    block, cell = _BLOCK_TAGS, _CELL_TAGS
    for event, el in etree.iterwalk(root, events=("start", "end")):
        if el is root:
            continue
        tag = el.tag
        if event == "start":
            if el is begin:
                active = True
            elif el is end:
                active = False
            if not active:
                continue
            if tag in block:
                append(_LINE_SEP)
            elif tag in cell:
                append(" ")
            if el.text:
                append(el.text)
        elif active:
            if tag in block:
                append(_LINE_SEP)
            elif tag in cell:
                append(" ")
            if el.tail:
                append(el.tail)


def _filter_lines(lines: list[str]) -> list[str]:
    kept = []
    append = kept.append
    anchored, caps = _ANCHORED_RULES_RE.match, _ANCHORED_CAPS
    for line in lines:
        if "。" in line and "扫一扫" not in line:
            # A sentence of the notice, the common case, decided here: of the line rules
            # only the anchored ones apply to short lines with a full stop.
            n = len(line)
            if n > 80:
                append(line)
                continue
            m = anchored(line)
            if m is None or m.lastgroup == "meta" or n > caps[m.lastgroup]:
                append(line)
            continue
        line = _clean_line(line)
        if line:
            append(line)
    return kept


def _clean_line(line: str) -> str:
    """The line without chrome, or "" when the whole line is chrome."""
    n = len(line)
    if n > 80 and "。" in line and "扫一扫" not in line:
        return line  # a sentence of the notice: the common case, decided fast
    if "扫一扫" in line or "扫描二维码" in line:
        line = _SCAN_PHRASE_RE.sub("", _SHARE_PHRASE_RE.sub("", line)).strip()
    if n <= 200 and "大" in line and "小" in line and ("字体" in line or "字号" in line or "文字" in line):
        line = _WS_RE.sub(" ", _FONT_SIZE_RE.sub(" ", line)).strip()
    n = len(line)
    if not n:
        return ""
    if n > 300 or (n > 80 and "。" in line):
        return line
    if n <= 60 and _TOKEN_LINE_RE.match(line):
        return ""
    m = _ANCHORED_RULES_RE.match(line)
    if m and n <= _ANCHORED_CAPS[m.lastgroup] and (m.lastgroup != "meta" or "。" not in line):
        return ""
    if n <= _CONTAINS_MAX and "。" not in line:
        m = _CONTAINS_RULES_RE.search(line)
        if m and n <= _CONTAINS_CAPS[m.lastgroup]:
            return ""
    if "承办" in line and n <= 160 and _SPONSOR_LINE_RE.match(line):
        return ""
    return line


def _clean_inline(text: str | None) -> str:
    if not text:
        return ""
    return " ".join(_split_lines(text.replace(_LINE_SEP, "")))


# =========================================================================== title


#: A headline candidate: (text, strong, sourceline); strong means h1 or a title-like class/id.
Headline = tuple[str, bool, int]


def _is_headline_el(el: etree._Element) -> bool:
    cls = el.get("class")
    if cls and ("title" in cls or _HEADLINE_CLASS_RE.search(cls)):
        return True
    el_id = el.get("id")
    return bool(el_id and ("title" in el_id or _HEADLINE_CLASS_RE.search(el_id)))


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
            or bool(_HEADLINE_CLASS_RE.search(el.get("class") or ""))
            or bool(_HEADLINE_CLASS_RE.search(el.get("id") or ""))
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
            m = _DATE_RE.search(content)
            if m:
                value = _make_date(*m.groups())
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
        after = _DATE_RE.search(text, anchor, anchor + len(title or "") + 300)
        if after:
            value = _make_date(*after.groups())
            if value:
                return value
        before = list(_DATE_RE.finditer(text, max(0, anchor - 300), anchor))
        if before:
            value = _make_date(*before[-1].groups())
            if value:
                return value
    return None


def _url_date(url: str | None) -> date | None:
    if not url:
        return None
    for pattern in _URL_DATE_RES:
        m = pattern.search(url)
        if m:
            value = _make_date(*m.groups())
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
        for onclick in _ONCLICK_XPATH(root):
            if _ATTACHMENT_HINT_RE.search(onclick):
                el = onclick.getparent()
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
