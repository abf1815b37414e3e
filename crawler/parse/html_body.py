"""Finding the article container: Hanweb markers, known CMS containers, the main-content heuristic.

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
"""

from __future__ import annotations

from lxml import etree

from .html_chrome import (
    Classed,
    _chrome_classed,
    _DescentScores,
    _drop,
    _local,
    _remove_chrome,
    _remove_link_lists,
    _remove_text_chrome,
    _score,
    _weight,
)
from .html_meta import _is_headline_el
from .html_text import _filter_lines, _lines, _TokenSet

_HEADING_TAGS = frozenset({"h1", "h2", "h3"})
#: A title element holds at most this much text.
_HEADLINE_MAX_CJK = 100
#: The heuristic descends into a child holding this share of its parent's text …
_DESCEND_SHARE = 0.75
#: … and retries without chrome blocks when it stopped at a child holding this much.
_RETRY_SHARE = 0.35
#: The heuristic only descends into these.
_DESCEND_TAGS = frozenset(
    "div section article main td table tbody tr center font span form body blockquote ul ol li".split()
)

#: The children a descent looks at; past this many children the others are skipped in C.
_SCORED_CHILD_TAGS = tuple(_DESCEND_TAGS | _HEADING_TAGS)
_FEW_CHILDREN = 16

_TRUSTED_CLASSES = ("TRS_Editor", "trs_editor_view", "TRS_UEDITOR", "pages_content")
_TRUSTED_IDS = ("UCAP-CONTENT", "zoom")
_GENERIC_CLASSES = ("article-content", "article_con", "content", "con", "detail", "main-txt")
_GENERIC_IDS = ("content",)
_CONTAINER_IDS = frozenset(_TRUSTED_IDS + _GENERIC_IDS)
_CONTAINER_CLASSES = _TokenSet(_TRUSTED_CLASSES + _GENERIC_CLASSES)

_HANWEB_BEGIN = "ZJEG_RSS.content.begin"
_HANWEB_END = "ZJEG_RSS.content.end"

_CONTAINER_CHILD_TAGS = ("p", "div", "br", "li", "tr", "section", "h1", "h2", "h3", "h4", "table", "article", "blockquote")
#: When the CMS body is empty, a heuristic pick needs this much text to be taken.
_MIN_FALLBACK_CJK = 200


def _find_body(body: etree._Element, html: str, classed: list[Classed], body_text: str | None = None
               ) -> tuple[etree._Element | None, list[str]]:
    """The body container and its cleaned lines.  ``body_text`` is the string value of
    ``body`` when the caller has it (saves reading the page again)."""
    chrome = _chrome_classed(classed)
    if "ZJEG_RSS" in html or "ontentStart" in html or "ONTENTSTART" in html or "ontentstart" in html:
        found = _marker_body(body, chrome)
        if found is not None:
            return found
        body_text = None  # the marker search removed chrome

    # Comments go (their tails stay), so the walk needs no comment events.
    etree.strip_tags(body, etree.Comment)

    trusted: dict[int, list[etree._Element]] = {}
    generic: list[tuple[int, etree._Element]] = []
    for el, cls, el_id in classed:
        if not ((cls and _CONTAINER_CLASSES.search(cls)) or el_id in _CONTAINER_IDS or el.tag == "article"):
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
                _remove_chrome(el, chrome)
            return chosen[0], _filter_lines(_lines([(el, None, None) for el in chosen]))

    pick = _heuristic(body, body_text)  # no change to the text so far: comments hold none
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
    _remove_chrome(pick, chrome)
    _remove_link_lists(pick)
    lines = _filter_lines(_lines([(pick, None, None)]))
    if trusted and sum(_weight(line) for line in lines) < _MIN_FALLBACK_CJK:
        # The CMS body exists and is empty (the notice is an attachment): what the
        # heuristic finds elsewhere on such a page is chrome.
        return next(iter(trusted.values()))[0], []
    return pick, lines


def _heuristic(start: etree._Element, start_text: str | None = None) -> etree._Element:
    """Descend from ``start``.  When the descent stops at a node whose largest child is
    big but not dominant, chrome text (footers, breadcrumbs, "released on" lines …) may
    be what outweighs a short notice: drop blocks whose every line is chrome, go again.
    ``start_text`` is the string value of ``start`` when the caller has it."""
    pick, share = _descend(start, start_text)
    if share >= _RETRY_SHARE:
        _remove_text_chrome(pick)
        _local.scores = {}
        pick, _ = _descend(pick)
    return pick


def _marker_body(body: etree._Element, chrome: list[etree._Element]
                 ) -> tuple[etree._Element, list[str]] | None:
    comments = list(body.iter(etree.Comment))  # not XPath: on many sibling comments it is quadratic
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
        _remove_chrome(ancestor, chrome)
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


def _class_rank(el: etree._Element, names: tuple[str, ...]) -> int | None:
    """The index in ``names`` of the first one that is a class token of ``el``."""
    cls = el.get("class")
    if cls:
        tokens = cls.split()
        for rank, name in enumerate(names):
            if name in tokens:
                return rank
    return None


def _trusted_rank(el: etree._Element) -> int | None:
    rank = _class_rank(el, _TRUSTED_CLASSES)
    if rank is not None:
        return rank
    el_id = el.get("id")
    if el_id in _TRUSTED_IDS:
        return len(_TRUSTED_CLASSES) + _TRUSTED_IDS.index(el_id)
    return None


def _generic_rank(el: etree._Element) -> int | None:
    rank = _class_rank(el, _GENERIC_CLASSES)
    if rank is not None:
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




def _descend(node: etree._Element, node_text: str | None = None) -> tuple[etree._Element, float]:
    """Go down while one child holds >= 75 % of the text (headlines not counted: the
    article's title sits next to its body, never in it).

    Returns the node and the share of its largest child where the descent stopped.
    ``node_text`` is the string value of ``node`` when the caller has it.
    """
    score = _DescentScores(node, node_text)
    total = score(node)
    for _ in range(4096):
        if total <= 0:
            return node, 0.0
        best, best_score, headlines = None, 0, 0
        # Many children (a body of paragraphs): let lxml skip those not looked at; a few: a
        # plain loop is cheaper than setting up lxml's tag filter.
        children = node.iterchildren(*_SCORED_CHILD_TAGS) if len(node) > _FEW_CHILDREN else node
        for child in children:
            tag = child.tag
            if tag not in _DESCEND_TAGS:
                if tag in _HEADING_TAGS:
                    headlines += score(child)
                continue
            s = score(child)
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

