"""Removing page chrome elements (widgets, menus, link lists, chrome-only blocks) from a tree.

Chrome inside the chosen body is removed as elements: ``nav``/``header``/``footer``/
``aside``/small ``form``; share, print, breadcrumb, footer widgets by class/id when short;
menus and related-link lists in heuristic picks; blocks whose every line is chrome by
the line rules of :mod:`crawler.parse.html_text`.  Also the non-link text weight of an
element (:func:`_score`) that these decisions and the body heuristic rest on.

Node sets are gathered by walking the tree in Python, not by XPath: libxml2 sorts the result
of a union, a ``//`` step below another step or a predicate into document order, and
comparing sibling text nodes costs time proportional to the number of siblings, so on a
page of tens of thousands of sibling elements such an XPath took minutes.
"""

from __future__ import annotations

import re
import threading
from itertools import islice

from lxml import etree

from .html_text import _BLOCK_TAGS, _CELL_TAGS, _clean_line, _split_lines, _string, _walk_all

#: Page chrome by tag (removed for the heuristic and inside a chosen body, when small).
_CHROME_TAGS = ("nav", "header", "footer", "aside", "form", "menu")
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
#: Text nodes that could be chrome are at most this long (and at most 80 characters when they hold a 。).
_SHORT_TEXT_MAX = 300
#: Blocks that can be menus or link lists.
_LINK_LIST_TAGS = frozenset("div ul ol dl dd li p table tbody tr td section nav span center".split())
#: A related-links block has at most this much non-link text.
_RELATED_MAX_CJK = 12

#: Per-thread state: the lxml parser (see :mod:`crawler.parse.html`) and the score cache.
_local = threading.local()


def _classed(root: etree._Element) -> list[etree._Element]:
    """Descendants with a class or id attribute (document order), then <article> elements."""
    out: list[etree._Element] = []
    for el in root.iter(etree.Element):
        attrib = el.attrib
        if "class" in attrib or "id" in attrib:
            out.append(el)
    for el in root.iter("article"):
        if el.get("class") is None and el.get("id") is None:
            out.append(el)
    return out



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
            links = _link_text(el)
            if links:
                score -= _weight(links)
        cache[el] = score
    return score



def _link_text(el: etree._Element) -> str:
    """The text inside the links below ``el`` (a link inside a link counted once)."""
    parts: list[str] = []
    depth = 0
    for event, a in etree.iterwalk(el, events=("start", "end"), tag="a"):
        if a is el:
            continue
        if event == "start":
            if not depth:
                parts.extend(a.itertext())
            depth += 1
        else:
            depth -= 1
    return "".join(parts)


def _short_texts(root: etree._Element) -> list[tuple[str, etree._Element]]:
    """Text nodes below ``root`` that could be chrome (short, or not a sentence, and not blank) in
    document order, each with the element holding it (the parent of a tail is the tail's holder)."""
    out: list[tuple[str, etree._Element]] = []

    def keep(text: str | None) -> bool:
        return bool(text) and len(text) <= _SHORT_TEXT_MAX and (len(text) <= 80 or "。" not in text) and \
            bool(text.strip(" \t\r\n"))

    for event, node in etree.iterwalk(root, events=("start", "end", "comment", "pi")):
        if event == "start":
            text = node.text
            if keep(text):
                out.append((text, node))
        elif node is not root:  # an element's end, or a comment or processing instruction: its tail
            tail = node.tail
            if keep(tail):
                parent = node.getparent()
                if parent is not None:
                    out.append((tail, parent))
    return out


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
    el: etree._Element | None
    for text, el in _short_texts(root):
        if not _CHROME_KEYWORD_RE.search(text):
            continue
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

