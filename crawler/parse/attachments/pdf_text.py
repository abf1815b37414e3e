"""PDF to paragraphs: pdfplumber lines, page furniture dropped, wrapped lines joined.

A PDF has no paragraphs, only positioned lines. A line is joined to the next when it
reaches the right margin (within about two characters: Chinese is wrapped greedily, with
punctuation kept off line starts) and the next line is not indented; in documents whose
paragraphs start with a first-line indent (almost all official notices, ``首行缩进2字符``)
the indent alone decides, elsewhere a line ending in sentence punctuation ends the paragraph.
Consecutive centred lines in a larger font (a wrapped title) are joined too.
Page numbers (``- 3 -``, ``第3页``, ``3/8``) and running headers or footers repeated on most
pages are dropped, so a paragraph continues across a page break.
"""

from __future__ import annotations

import io
import re
from collections import Counter
from dataclasses import dataclass
from itertools import pairwise
from statistics import median

from . import AttachmentError, Budget, Limits

__all__ = ["Line", "PageLines", "join_lines", "pdf_text"]

_PAGE_NO_RE = re.compile(
    r"^[-–—―~－─\s]*\d{1,4}[-–—―~－─\s]*$"
    r"|^第\s*\d{1,4}\s*页\s*[,，/]?\s*(共\s*\d{1,4}\s*页)?$"
    r"|^\d{1,4}\s*/\s*\d{1,4}$"
    r"|^(page|p\.)\s*\d{1,4}(\s*(of|/)\s*\d{1,4})?$",
    re.IGNORECASE,
)
_TERMINAL = tuple("。！？；：.!?;:")
_ASCII_WORD = re.compile(r"[A-Za-z]")
_CID = re.compile(r"\(cid:\d+\)")
_SCANNED_MIN_CHARS = 20
_MIN_PAGE_LINES = 6


@dataclass(frozen=True)
class Line:
    """One text line of a page, in PDF points from the page's top-left corner."""

    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    size: float


@dataclass
class PageLines:
    """The lines of one page and its height."""

    lines: list[Line]
    height: float


def pdf_text(data: bytes, limits: Limits, budget: Budget) -> str:
    """The paragraphs of a PDF, one per line."""
    import pdfplumber

    pages: list[PageLines] = []
    chars = cids = images = 0
    try:
        with pdfplumber.open(io.BytesIO(data)) as pdf:
            count = len(pdf.pages)
            if count == 0:
                raise AttachmentError("PDF has no pages")
            if count > limits.max_pages:
                raise AttachmentError(f"PDF has too many pages: {count}, the limit is {limits.max_pages}")
            for page in pdf.pages:
                budget.check(chars)
                raws = page.extract_text_lines(strip=True, return_chars=True)
                chars += sum(len(raw["text"]) for raw in raws)
                cids += sum(raw["text"].count("(cid:") for raw in raws)
                lines = [ln for ln in map(_line, raws) if ln.text]
                images += len(page.images) if not lines else 0
                pages.append(PageLines(lines, float(page.height)))
                page.close()
    except (AttachmentError, MemoryError):
        raise
    except Exception as exc:  # noqa: BLE001 - pdfminer raises anything on damaged input: PSEOF, KeyError …
        if isinstance(exc.args[0] if exc.args else None, MemoryError):  # wrapped by pdfplumber
            raise MemoryError from None
        raise AttachmentError(f"cannot read the PDF: {_reason(exc)}") from None
    budget.check(chars)
    if cids and cids * 8 > chars / 2:  # "(cid:123)" is 9 characters for one glyph
        raise AttachmentError("PDF text cannot be decoded: its fonts have no Unicode mapping ((cid:N) codes); "
                              "OCR is not supported")
    text = "\n".join(join_lines(pages))
    if sum(1 for ch in text if not ch.isspace()) < _SCANNED_MIN_CHARS:
        why = "scanned image" if images else "blank pages, or text drawn as shapes"
        raise AttachmentError(f"PDF has no text layer ({why}): {len(pages)} page(s) without text; "
                              "OCR is not supported")
    return text


def _line(raw: dict) -> Line:
    sizes = [float(c.get("size") or 0) for c in raw.get("chars") or ()]
    size = median(sizes) if sizes else float(raw["bottom"]) - float(raw["top"])
    text = _CID.sub("", raw["text"]).strip() if "(cid:" in raw["text"] else raw["text"]
    return Line(text, float(raw["x0"]), float(raw["x1"]), float(raw["top"]), float(raw["bottom"]), size or 10.0)


def _reason(exc: BaseException) -> str:
    """A one-line reason: pdfplumber wraps pdfminer's exceptions, show the inner one."""
    inner = exc.args[0] if exc.args and isinstance(exc.args[0], BaseException) else exc
    name = type(inner).__name__
    if "Password" in name or "Encrypt" in name:
        return "it is encrypted with a password"
    message = " ".join(str(inner).split())[:160]
    return f"{name}: {message}" if message else name


# ---- layout -----------------------------------------------------------------------------------


def join_lines(pages: list[PageLines]) -> list[str]:
    """Paragraphs from the lines of every page, furniture dropped and wrapped lines joined."""
    pages = drop_furniture(pages)
    every = [ln for p in pages for ln in p.lines]
    if not every:
        return []
    whole = _Geometry.of(every)  # pages with few lines (the last one) take the document's margins
    flat = [(ln, geo) for p in pages if p.lines
            for geo in [_Geometry.of(p.lines) if len(p.lines) >= _MIN_PAGE_LINES else whole] for ln in p.lines]
    indent_style = _uses_first_line_indent([(ln, geo) for ln, geo in flat])
    paragraphs: list[str] = []
    current = flat[0][0].text
    for (prev, pgeo), (nxt, ngeo) in pairwise(flat):
        if _continues(prev, pgeo, nxt, ngeo, indent_style):
            space = " " if _ASCII_WORD.match(prev.text[-1]) and _ASCII_WORD.match(nxt.text[0]) else ""
            current += space + nxt.text
        else:
            paragraphs.append(current)
            current = nxt.text
    paragraphs.append(current)
    return paragraphs


def drop_furniture(pages: list[PageLines]) -> list[PageLines]:
    """Drop page numbers and headers/footers repeated on most pages (top or bottom two lines)."""
    def edges(p: PageLines) -> list[Line]:
        ordered = sorted(p.lines, key=lambda ln: ln.top)
        return ordered[:2] + ordered[-2:] if len(ordered) > 4 else ordered

    seen = Counter(key for p in pages for key in {_key(ln.text) for ln in edges(p)})
    need = len(pages) if len(pages) <= 3 else max(3, (len(pages) * 3 + 4) // 5)
    out = []
    for p in pages:
        drop = {id(ln) for ln in edges(p)
                if _PAGE_NO_RE.match(ln.text.strip()) or (len(pages) > 1 and seen[_key(ln.text)] >= need)}
        out.append(PageLines([ln for ln in p.lines if id(ln) not in drop], p.height))
    return out


def _key(text: str) -> str:
    return re.sub(r"\d+", "#", re.sub(r"\s+", "", text))


@dataclass(frozen=True)
class _Geometry:
    """A page's text block: left margin, right edge and body font size."""

    left: float
    right: float
    size: float

    @classmethod
    def of(cls, lines: list[Line]) -> _Geometry:
        size = median(ln.size for ln in lines)
        lefts = Counter(round(ln.x0 / 2) * 2 for ln in lines)  # the margin: the leftmost common start
        shared = [x for x, n in lefts.items() if n >= max(2, 0.1 * len(lines))]
        left = min(shared) if shared else min(ln.x0 for ln in lines)
        left = min((ln.x0 for ln in lines if abs(ln.x0 - left) <= 1.5), default=left)
        rights = sorted(ln.x1 for ln in lines)
        right = rights[int(0.9 * (len(rights) - 1))] if len(rights) >= 5 else rights[-1]
        return cls(left, right, size)

    def full(self, line: Line) -> bool:
        """The line reaches the right edge: it was wrapped, not ended."""
        return line.x1 >= self.right - min(2.2 * self.size, 0.1 * max(self.right - self.left, 1.0))

    def indented(self, line: Line) -> bool:
        return line.x0 - self.left >= 0.8 * self.size

    def title(self, line: Line) -> bool:
        """Centred, in a font larger than the body's."""
        middle = (self.left + self.right) / 2
        return line.size > self.size * 1.15 and abs((line.x0 + line.x1) / 2 - middle) < line.size and \
            line.x0 - self.left > line.size


def _uses_first_line_indent(lines: list[tuple[Line, _Geometry]]) -> bool:
    """Most paragraphs start with an indent of one to four characters."""
    indented = sum(1 for ln, g in lines if 0.8 * g.size <= ln.x0 - g.left <= 4.5 * g.size)
    return indented >= 2 and indented >= 0.04 * len(lines)


def _continues(prev: Line, pgeo: _Geometry, nxt: Line, ngeo: _Geometry, indent_style: bool) -> bool:
    if pgeo.title(prev) and ngeo.title(nxt) and abs(prev.size - nxt.size) < 0.5 and 0 < nxt.top - prev.bottom < prev.size:
        return not prev.text.rstrip().endswith(_TERMINAL)  # a title wrapped over centred lines
    if not pgeo.full(prev) or ngeo.indented(nxt):
        return False
    if indent_style:
        return True
    return not prev.text.rstrip().endswith(_TERMINAL)
