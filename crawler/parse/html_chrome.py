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

from .html_text import _BLOCK_TAGS, _CELL_TAGS, _clean_line, _split_lines, _string, _TokenSet, _walk_all

#: Page chrome by tag (removed for the heuristic and inside a chosen body, when small).
_CHROME_TAGS = ("nav", "header", "footer", "aside", "form", "menu")
#: Class/id tokens of widgets that carry no article text (removed when short).
_CHROME_CLASSES = _TokenSet(
    "share share-box sharebox share_box bdsharebuttonbox bshare-custom fenxiang print dayin close guanbi fontsize"
    " font-size font_size zihao breadcrumb breadcrumbs crumb crumbs position location dqwz weizhi curpos"
    " current-position pagenav page-nav prevnext prev-next sxp sxpage xgwz xglj related related-links relatedlinks"
    " ewm qrcode erweima foot copyright article-tools".split(),
    prefixes="bdshare jiathis footer foot_ foot- share_ share-".split(),
    ignore_case=True,
)
_CHROME_MAX_CJK = 200
#: Up to this many chrome elements on a page, those in a container are found by climbing from each.
_FEW_CHROME = 16
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
#: A descent scores a child by subtraction when its parent has at most this many children.
_SUBTRACT_MAX_CHILDREN = 32

#: Per-thread state: the lxml parser (see :mod:`crawler.parse.html`) and the score cache.
_local = threading.local()


#: An element with its class and id attributes.
Classed = tuple[etree._Element, str | None, str | None]


def _classed(root: etree._Element) -> list[etree._Element]:
    """Descendants with a class or id attribute (document order), then <article> elements."""
    return [el for el, _, _ in _classed_attrs(root)]


def _classed_attrs(root: etree._Element) -> list[Classed]:
    """:func:`_classed` with the class and id of each element, read once for all that look at them."""
    out: list[Classed] = []
    for el in root.iter(etree.Element):
        keys = el.keys()  # one call, and an empty list for the many elements without attributes
        if keys and ("class" in keys or "id" in keys):
            out.append((el, el.get("class"), el.get("id")))
    for el in root.iter("article"):
        if el.get("class") is None and el.get("id") is None:
            out.append((el, None, None))
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


def _weight_of(text: str | None) -> int:
    """:func:`_weight` of a text node that may be None."""
    return len(text) - len(text.encode("ascii", "ignore")) if text and not text.isascii() else 0


def _link_text(el: etree._Element) -> str:
    """The text inside the links below ``el`` (a link inside a link counted once)."""
    if not len(el):
        return ""
    parts: list[str] = []
    nested: set[etree._Element] = set()  # links inside a link already read
    for a in el.iter("a"):  # iter() filters in C: the elements between the links cost nothing
        if a is el or a in nested:
            continue
        if len(a):
            parts.extend(a.itertext())
            nested.update(a.iterdescendants("a"))
        else:
            text = a.text
            if text:
                parts.append(text)
    return "".join(parts)


class _DescentScores:
    """:func:`_score` for a descent from ``start``, for ``start`` and the children of the
    elements scored so far, while the tree does not change.

    Scoring each child afresh reads the page again at every level of the descent.  Here one
    child per parent, the one spanning the most source lines (usually the one holding most of
    the text), is scored by subtraction: its parent's text and link weights less those of its
    siblings and of the text between them.  Which child that is only decides the cost, never
    the value.  The score cache answers first and keeps what was asked, so the values are
    those :func:`_score` gives.  ``start_text`` is the string value of ``start`` when known.
    """

    def __init__(self, start: etree._Element, start_text: str | None = None) -> None:
        self._cache = _local.__dict__.setdefault("scores", {})
        self._start = start
        self._start_text = start_text
        #: (text weight, link weight) of elements as the tree is now.
        self._fresh: dict[etree._Element, tuple[int, int]] = {}
        #: Each parent's child that is scored by subtraction, None for none.
        self._widest: dict[etree._Element, etree._Element | None] = {}
        #: See :meth:`_end_line`.
        self._ends: dict[etree._Element, int] = {}

    def __call__(self, el: etree._Element) -> int:
        score = self._cache.get(el)
        if score is None:
            weight, links = self._weights(el)
            score = self._cache[el] = weight - links
        return score

    def _weights(self, el: etree._Element) -> tuple[int, int]:
        found = self._fresh.get(el)
        if found is None:
            parent = el.getparent()
            if parent is not None and parent in self._fresh and self._widest_child(parent) is el:
                found = self._subtract(parent, el)
            else:
                text = self._start_text if el is self._start and self._start_text is not None else _string(el)
                weight = _weight(text)
                found = (weight, _weight(_link_text(el)) if weight else 0)
            self._fresh[el] = found
        return found

    def _widest_child(self, parent: etree._Element) -> etree._Element | None:
        if parent in self._widest:
            return self._widest[parent]
        widest, widest_lines = None, -1
        if len(parent) <= _SUBTRACT_MAX_CHILDREN:  # else scoring the siblings costs more than it saves
            for child in parent:
                tag = child.tag
                if tag.__class__ is not str or tag == "a":
                    continue  # not an element, or a link: its inner link weight is not its parent's
                lines = self._end_line(child) - (child.sourceline or 0)
                if lines > widest_lines:
                    widest, widest_lines = child, lines
        self._widest[parent] = widest
        return widest

    def _end_line(self, el: etree._Element) -> int:
        """Roughly the source line where ``el`` ends: where the next sibling of it (or of its
        closest ancestor that has one) starts.  Kept for every element passed on the way up,
        so that a descent looks at each element once."""
        ends = self._ends
        passed = []
        while el not in ends:
            following = el.getnext()
            parent = el.getparent()
            if following is not None:
                ends[el] = following.sourceline or 0
            elif el is self._start or parent is None:
                last = el
                while len(last):
                    last = last[-1]
                ends[el] = last.sourceline or 0
            else:
                passed.append(el)
                el = parent
        end = ends[el]
        for below in passed:
            ends[below] = end
        return end

    def _subtract(self, parent: etree._Element, child: etree._Element) -> tuple[int, int]:
        weight, links = self._fresh[parent]
        weight -= _weight_of(parent.text)
        for sibling in parent:
            weight -= _weight_of(sibling.tail)
            tag = sibling.tag
            if sibling is child or tag.__class__ is not str:  # a comment's text is no text
                continue
            sibling_weight, sibling_links = self._weights(sibling)
            weight -= sibling_weight
            links -= sibling_weight if tag == "a" else sibling_links
        return weight, links


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


def _chrome_classed(classed: list[Classed]) -> list[etree._Element]:
    """The elements of ``classed`` (see :func:`_classed_attrs`) whose class or id names a chrome widget."""
    search = _CHROME_CLASSES.search
    return [el for el, cls, el_id in classed if (cls and search(cls)) or (el_id and search(el_id))]


def _remove_chrome(container: etree._Element, chrome_classed: list[etree._Element]) -> None:
    """Remove chrome elements inside ``container``: by tag, and by class/id when short.

    ``chrome_classed`` is :func:`_chrome_classed` of the page, taken before anything was
    removed: the class/id test is done once per page, not per container.  Those inside
    ``container`` once the tags are gone are taken, as :func:`_classed` of ``container``
    would list them then.
    """
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
    if len(chrome_classed) <= _FEW_CHROME:
        inside = [el for el in chrome_classed if _is_inside(el, container)]
    else:  # many: one walk through the container costs less than a climb from each
        chrome = set(chrome_classed)
        inside = [el for el in container.iter(etree.Element) if el in chrome and el is not container]
    for el in inside:
        if el.getparent() is None:
            continue
        s = _score(el)
        if s > _CHROME_MAX_CJK or (s > 0 and dominant(s)):
            continue
        _drop(el)


def _is_inside(el: etree._Element, container: etree._Element) -> bool:
    """Whether ``el`` is below ``container`` (so not removed, nor inside a removed element)."""
    for ancestor in el.iterancestors():
        if ancestor is container:
            return True
    return False


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


#: Characters an lxml text or tail may not be set to.
_XML_UNSAFE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _drop(el: etree._Element) -> None:
    """Remove an element, keeping its tail text."""
    parent = el.getparent()
    if parent is None:
        return
    tail = el.tail
    if tail:
        # lxml refuses to set text holding control characters the parser let through (\x0b …); the text
        # normaliser drops them anyway
        tail = _XML_UNSAFE.sub("", tail)
        prev = el.getprevious()
        if prev is not None:
            prev.tail = _XML_UNSAFE.sub("", prev.tail or "") + tail
        else:
            parent.text = _XML_UNSAFE.sub("", parent.text or "") + tail
    parent.remove(el)
