"""Text normalisation shared by every parsing step.

Matching is done on NFKC-normalised text (full-width ``，（一）１．`` become ``,(一)1.``),
so one set of patterns covers both widths.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator

_ZERO_WIDTH_CHARS = "\u200b\u200c\u200d\u2060\ufeff\u00ad"
_ZERO_WIDTH = re.compile(f"[{_ZERO_WIDTH_CHARS}]")
_LINE_BREAKS = ("\r", "\u2028", "\u2029")
_SPACES = re.compile(r"[ \t\u00a0\u3000\u2002\u2003\u2009\u202f]+")
_CJK = r"\u3400-\u9fff\uf900-\ufaff"
_SPACE_BETWEEN_CJK = re.compile(rf"(?<=[{_CJK}、，。：；！？“”‘’（）《》]) (?=[{_CJK}、，。：；！？“”‘’（）《》])")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def normalize(text: str) -> str:
    """NFKC, unify line breaks, drop zero-width and control characters."""
    return _CONTROL.sub("", "\n".join(_nfkc_lines(text)))


def _nfkc_lines(text: str) -> Iterator[str]:
    """The lines of ``text`` without zero-width characters, NFKC-normalised (control characters kept)."""
    # `in` scans are several times faster than a regex scan over a character class, and usually find nothing
    if any(ch in text for ch in _ZERO_WIDTH_CHARS):
        text = _ZERO_WIDTH.sub("", text)
    if any(brk in text for brk in _LINE_BREAKS):
        text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u2028", "\n").replace("\u2029", "\n")
    lines = text.split("\n")
    if unicodedata.is_normalized("NFKC", text):
        return iter(lines)
    # most lines of a notice are already NFKC: normalising only the others is ~5x faster
    # (a line break is a starter that composes with nothing, so NFKC line by line equals NFKC of the whole)
    return (line if unicodedata.is_normalized("NFKC", line) else unicodedata.normalize("NFKC", line)
            for line in lines)


def clean_line(line: str) -> str:
    """Collapse white space in one paragraph; no space is kept between Chinese characters."""
    line = _SPACES.sub(" ", line).strip()
    return _SPACE_BETWEEN_CJK.sub("", line) if " " in line else line


def paragraphs(text: str) -> list[str]:
    """Normalised, non-empty paragraphs (one per line): ``clean_line`` of each line of ``normalize(text)``."""
    out = []
    for line in _nfkc_lines(text):
        # A printable line holds no control character and no white space but ASCII spaces (every other one
        # is a control or separator character): without a space there is nothing to clean.
        if " " in line or not line.isprintable():
            line = clean_line(_CONTROL.sub("", line))
        if line:
            out.append(line)
    return out


def compact(text: str | None) -> str:
    """A form for comparing texts: NFKC, no white space."""
    if not text:
        return ""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))
