"""Walking an lxml tree into lines of text, and dropping chrome lines.

Text layout: block elements (p, div, br, li, tr, h1-h6, section, table …) end a line,
inline elements join, the cells of a table row are joined with a space (blocks inside a
small cell too), ``<pre>`` keeps its line breaks; U+3000/nbsp indentation is stripped,
whitespace runs become one space, and a source line break between two CJK characters
disappears (CSS segment-break rule) instead of becoming a space.

Chrome lines (breadcrumbs, share prompts, print/close links, font-size switchers,
previous/next links, related-link headings, footers, view counters, "released
on/source" lines) are dropped.  Line rules are anchored or need a short line, so a
notice sentence that merely mentions e.g. 主办 is kept.

Speed: the walk and the line filter are written around C-level lxml calls, ``str``
methods and regexes that start with a literal (a regex that must be tried at every
position costs ~15 ns per character of CJK text).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from lxml import etree

#: Elements that end a line.
_BLOCK_TAGS = frozenset(
    "p div br li ul ol dl dt dd tr table tbody thead tfoot caption h1 h2 h3 h4 h5 h6 section "
    "article header footer nav aside blockquote pre hr form fieldset legend address figure "
    "figcaption center main details summary title body html menu dir".split()
)
_CELL_TAGS = frozenset({"td", "th"})
#: A table cell with at most this much text (and no nested table) is one cell of a row.
_SMALL_CELL_CHARS = 300
_STRING_XPATH = etree.XPath("string()", smart_strings=False)
#: Inline elements: merged into their parent's text before the walk (fewer events).
_INLINE_TAGS = (
    "span", "font", "a", "b", "strong", "i", "em", "u", "s", "strike", "small", "big", "sub", "sup",
    "label", "abbr", "acronym", "cite", "code", "q", "mark", "ins", "del", "tt", "kbd", "samp", "var",
    "bdo", "bdi", "nobr", "time", "data", "dfn", "o:p", "st1:chsdate", "img", "wbr",
)

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
#: The characters a match of :data:`_TOKEN_LINE_RE` can start with, whitespace aside (keep the two in step).
_TOKEN_LINE_FIRST = frozenset(
    "(),-./:;<>QT[]t|·»—•›、。《》【】下丨二人使保免关分加字微我打扫收新朋法站纠网联腾设豆返隐顶默（），：；＞｜"
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
#: The characters a match of :data:`_ANCHORED_RULES_RE` can start with, whitespace aside (keep the two in
#: step): a line that starts otherwise, like most lines of a notice, needs no match attempt.
_ANCHORED_FIRST = frozenset(
    "(CI[c©【上下主作你供信分协发备字审延建当您成所承技推撰文日时更来校浏点版现相稿管维编网访责运阅首"
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
#: Matches the characters a match of :data:`_CONTAINS_RULES_RE` can start with (keep the two in step):
#: one scan for these is much cheaper than trying the rules at every position.
_CONTAINS_FIRST_RE = re.compile("[ACIc公浏点版网访阅]")
_CONTAINS_MAX = 200
_SPONSOR_LINE_RE = re.compile(r"^[^，。；,;！？!?]{2,60}主办[\s|｜丨,，、]*[^，。；,;！？!?]{2,80}承办$")


def _string(el: etree._Element) -> str:
    if not len(el) and el.tag.__class__ is str:  # an element without children: its text (XPath costs more)
        return el.text or ""
    return _STRING_XPATH(el)


class _TokenSet:
    """Names in class and id attributes: :meth:`search` tells whether a whitespace-separated token
    of a value is one of ``words`` or starts with one of ``prefixes`` (in any letter case when
    ``ignore_case``).

    A set lookup per token instead of a regex tried at every position.  :attr:`pattern` is the
    same test as a regex; it decides for non-ASCII values under ``ignore_case``, as its case
    folding also matches e.g. "ſ" to "s", which lower() does not.
    """

    def __init__(self, words: Iterable[str], prefixes: Iterable[str] = (), *, ignore_case: bool = False) -> None:
        words, prefixes = tuple(words), tuple(prefixes)
        alternatives = [re.escape(word) for word in words] + [re.escape(prefix) + r"\S*" for prefix in prefixes]
        self.pattern = re.compile(r"(?:^|\s)(?:" + "|".join(alternatives) + r")(?:\s|$)", re.I if ignore_case else 0)
        self._ignore_case = ignore_case
        self._words = frozenset(word.lower() for word in words) if ignore_case else frozenset(words)
        self._prefixes = tuple(prefix.lower() for prefix in prefixes) if ignore_case else prefixes

    def search(self, value: str) -> bool:
        if self._ignore_case:
            if not value.isascii():
                return self.pattern.search(value) is not None
            value = value.lower()
        tokens = value.split()  # str.split() and the regex's \s know the same whitespace
        if not self._words.isdisjoint(tokens):
            return True
        prefixes = self._prefixes
        if prefixes:
            for token in tokens:
                if token.startswith(prefixes):
                    return True
        return False


# =========================================================================== lines


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
            _walk_children(begin.itersiblings(), parts, stop=end)
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
    lines = list(filter(None, map(str.strip, text.split(_LINE_SEP))))
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


def _walk_children(children: Iterable[etree._Element], parts: list[str],
                   stop: etree._Element | None = None) -> None:
    """Childless children, the bulk of a notice body, take a fast path without iterwalk.

    The walk ends before ``stop`` when it is one of the children.
    """
    append = parts.append
    block, cell = _BLOCK_TAGS, _CELL_TAGS
    sep = _LINE_SEP
    for child in children:
        if child is stop:
            break
        if len(child):
            _walk_subtree(child, parts)
            continue
        ctag = child.tag
        text = child.text
        tail = child.tail
        if ctag in block:
            append(sep)
            if text:
                append(text)
            append(sep)
            if tail and not tail.isspace():
                append(tail)
            continue
        if ctag in cell:
            append(" ")
            if text:
                append(text)
            append(" ")
        elif text:
            append(text)
        if tail:
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
    anchored, caps, anchor_first = _ANCHORED_RULES_RE.match, _ANCHORED_CAPS, _ANCHORED_FIRST
    for line in lines:
        if "。" in line and "扫一扫" not in line:
            # A sentence of the notice, the common case, decided here: of the line rules
            # only the anchored ones apply to short lines with a full stop.
            n = len(line)
            if n > 80:
                append(line)
                continue
            first = line[0]
            if first not in anchor_first and not first.isspace():
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
    first = line[0]
    if n <= 60 and (first in _TOKEN_LINE_FIRST or first.isspace()) and _TOKEN_LINE_RE.match(line):
        return ""
    m = _ANCHORED_RULES_RE.match(line) if first in _ANCHORED_FIRST or first.isspace() else None
    if m and n <= _ANCHORED_CAPS[m.lastgroup] and (m.lastgroup != "meta" or "。" not in line):
        return ""
    if n <= _CONTAINS_MAX and "。" not in line and _CONTAINS_FIRST_RE.search(line):
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

