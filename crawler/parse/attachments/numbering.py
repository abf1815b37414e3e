"""Word automatic list numbers rendered as text (``一、`` ``（一）`` ``1.`` from ``numbering.xml``).

Covers what notices use: a paragraph's own ``w:numPr`` or its style's (followed through
``basedOn``), ``w:lvlText`` templates such as ``（%1）`` and ``%1.%2``, start values and
``startOverride``, deeper levels restarting after a shallower one, and the number formats
decimal, Chinese counting, legal Chinese, circled, full-width, letters and roman numerals.
Bullets render as nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from docx.oxml.ns import qn

__all__ = ["Numbering", "format_number"]

_CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"
_IDEOGRAPH_DIGITS = "〇一二三四五六七八九"
_TIANGAN = "甲乙丙丁戊己庚辛壬癸"
_DIZHI = "子丑寅卯辰巳午未申酉戌亥"
_ROMAN = ((1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"), (50, "L"), (40, "XL"),
          (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I"))
_PLACEHOLDER = re.compile(r"%([1-9])")


def format_number(n: int, fmt: str) -> str:
    """``n`` in a Word ``w:numFmt`` format; unknown formats fall back to decimal."""
    import cn2an

    if fmt in ("bullet", "none"):
        return ""
    if fmt in ("chineseCounting", "chineseCountingThousand", "japaneseCounting", "taiwaneseCounting",
               "koreanCounting") and 0 < n < 10**8:
        return cn2an.an2cn(n)
    if fmt == "chineseLegalSimplified" and 0 < n < 10**8:
        return cn2an.an2cn(n, "up")
    if fmt in ("ideographDigital", "taiwaneseDigital", "japaneseDigitalTenThousand") and n >= 0:
        return "".join(_IDEOGRAPH_DIGITS[int(d)] for d in str(n))
    if fmt.startswith("decimalEnclosedCircle") and 0 < n <= len(_CIRCLED):
        return _CIRCLED[n - 1]
    if fmt == "ideographTraditional" and 0 < n <= len(_TIANGAN):
        return _TIANGAN[n - 1]
    if fmt == "ideographZodiac" and 0 < n <= len(_DIZHI):
        return _DIZHI[n - 1]
    if fmt in ("upperLetter", "lowerLetter") and n > 0:
        letter = chr(ord("A") + (n - 1) % 26) * ((n - 1) // 26 + 1)
        return letter if fmt == "upperLetter" else letter.lower()
    if fmt in ("upperRoman", "lowerRoman") and 0 < n < 4000:
        out = ""
        for value, sym in _ROMAN:
            while n >= value:
                out, n = out + sym, n - value
        return out if fmt == "upperRoman" else out.lower()
    if fmt == "decimalFullWidth":
        return str(n).translate({ord(d): 0xFF10 + int(d) for d in "0123456789"})
    if fmt == "decimalZero" and n < 10:
        return f"0{n}"
    return str(n)


@dataclass
class _Level:
    start: int = 1
    fmt: str = "decimal"
    text: str = "%1."
    legal: bool = False
    suffix: str = "tab"


@dataclass
class _List:
    levels: dict[int, _Level]
    counter_key: str
    overrides: dict[int, int] = field(default_factory=dict)


class Numbering:
    """Renders the list label of each paragraph, counting as Word does, in document order."""

    def __init__(self, lists: dict[str, _List], style_numpr: dict[str, tuple[str | None, int | None]]) -> None:
        self.lists = lists
        self.style_numpr = style_numpr
        self.counters: dict[str, dict[int, int]] = {}

    @classmethod
    def of(cls, document) -> Numbering:
        """The numbering definitions and style numbering of a python-docx Document."""
        try:
            root = document.part.numbering_part.element
        except (KeyError, NotImplementedError, AttributeError):
            return cls({}, {})
        abstract: dict[str, dict[int, _Level]] = {}
        for node in root.iterchildren(qn("w:abstractNum")):
            abstract[node.get(qn("w:abstractNumId"), "")] = {int(lvl.get(qn("w:ilvl"), "0")): _level(lvl)
                                                            for lvl in node.iterchildren(qn("w:lvl"))}
        lists: dict[str, _List] = {}
        for num in root.iterchildren(qn("w:num")):
            abstract_id = _val(num.find(qn("w:abstractNumId"))) or ""
            levels = dict(abstract.get(abstract_id, {}))
            overrides: dict[int, int] = {}
            for override in num.iterchildren(qn("w:lvlOverride")):
                ilvl = int(override.get(qn("w:ilvl"), "0"))
                lvl = override.find(qn("w:lvl"))
                if lvl is not None:
                    levels[ilvl] = _level(lvl)
                start = _val(override.find(qn("w:startOverride")))
                if start is not None and start.isdigit():
                    overrides[ilvl] = int(start)
            num_id = num.get(qn("w:numId"), "")
            lists[num_id] = _List(levels, f"n{num_id}" if overrides else f"a{abstract_id}", overrides)
        return cls(lists, _style_numbering(document))

    def label(self, paragraph) -> str:
        """The label Word shows before ``paragraph`` ('' when it is not numbered)."""
        num_id, ilvl = self._numpr(paragraph)
        lst = self.lists.get(num_id or "")
        if lst is None or num_id == "0":
            return ""
        level = lst.levels.get(ilvl)
        if level is None:
            return ""
        counts = self.counters.setdefault(lst.counter_key, {})
        start = lst.overrides.get(ilvl, level.start)
        counts[ilvl] = counts[ilvl] + 1 if ilvl in counts else start
        for deeper in [k for k in counts if k > ilvl]:
            del counts[deeper]

        def render(match: re.Match) -> str:
            k = int(match.group(1)) - 1
            lvl = lst.levels.get(k, _Level())
            n = counts.get(k, lst.overrides.get(k, lvl.start))
            return format_number(n, "decimal" if level.legal else lvl.fmt)

        text = _PLACEHOLDER.sub(render, level.text).strip()
        if not text or level.suffix == "nothing" or not text[-1].isalnum():
            return text
        return text + " "

    def _numpr(self, paragraph) -> tuple[str | None, int]:
        num_id, ilvl = _numpr(paragraph._p.find(qn("w:pPr")))
        if num_id is None:
            style = paragraph._p.find(qn("w:pPr"))
            style_id = _val(style.find(qn("w:pStyle"))) if style is not None else None
            num_id, style_ilvl = self.style_numpr.get(style_id or "", (None, None))
            ilvl = ilvl if ilvl is not None else style_ilvl
        return num_id, ilvl or 0


def _val(node) -> str | None:
    return None if node is None else node.get(qn("w:val"))


def _numpr(ppr) -> tuple[str | None, int | None]:
    numpr = ppr.find(qn("w:numPr")) if ppr is not None else None
    if numpr is None:
        return None, None
    ilvl = _val(numpr.find(qn("w:ilvl")))
    return _val(numpr.find(qn("w:numId"))), int(ilvl) if ilvl and ilvl.isdigit() else None


def _level(lvl) -> _Level:
    start = _val(lvl.find(qn("w:start")))
    return _Level(start=int(start) if start and start.isdigit() else 1,
                  fmt=_val(lvl.find(qn("w:numFmt"))) or "decimal",
                  text=_val(lvl.find(qn("w:lvlText"))) or "",
                  legal=lvl.find(qn("w:isLgl")) is not None,
                  suffix=_val(lvl.find(qn("w:suff"))) or "tab")


def _style_numbering(document) -> dict[str, tuple[str | None, int | None]]:
    """Paragraph style id → its (inherited) numPr."""
    try:
        styles = document.styles.element
    except (KeyError, NotImplementedError, AttributeError):
        return {}
    own: dict[str, tuple[tuple[str | None, int | None], str | None]] = {}
    for style in styles.iterchildren(qn("w:style")):
        own[style.get(qn("w:styleId"), "")] = (_numpr(style.find(qn("w:pPr"))), _val(style.find(qn("w:basedOn"))))
    out: dict[str, tuple[str | None, int | None]] = {}
    for style_id in own:
        current: str | None = style_id
        for _ in range(10):  # basedOn chains are short; a cycle must not hang
            if current not in own:
                break
            (num_id, ilvl), based_on = own[current]
            if num_id is not None:
                out[style_id] = (num_id, ilvl)
                break
            current = based_on
    return out
