"""Text normalisation shared by every parsing step.

Matching is done on NFKC-normalised text (full-width ``，（一）１．`` become ``,(一)1.``),
so one set of patterns covers both widths.
"""

from __future__ import annotations

import re
import unicodedata

_ZERO_WIDTH = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad]")
_SPACES = re.compile(r"[ \t\u00a0\u3000\u2002\u2003\u2009\u202f]+")
_CJK = r"\u3400-\u9fff\uf900-\ufaff"
_SPACE_BETWEEN_CJK = re.compile(rf"(?<=[{_CJK}、，。：；！？“”‘’（）《》]) (?=[{_CJK}、，。：；！？“”‘’（）《》])")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def normalize(text: str) -> str:
    """NFKC, unify line breaks, drop zero-width and control characters."""
    text = _ZERO_WIDTH.sub("", text)
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u2028", "\n").replace("\u2029", "\n")
    if not unicodedata.is_normalized("NFKC", text):
        # most lines of a notice are already NFKC: normalising only the others is ~5x faster
        text = "\n".join(line if unicodedata.is_normalized("NFKC", line) else unicodedata.normalize("NFKC", line)
                         for line in text.split("\n"))
    return _CONTROL.sub("", text)


def clean_line(line: str) -> str:
    """Collapse white space in one paragraph; no space is kept between Chinese characters."""
    line = _SPACES.sub(" ", line).strip()
    return _SPACE_BETWEEN_CJK.sub("", line) if " " in line else line


def paragraphs(text: str) -> list[str]:
    """Normalised, non-empty paragraphs (one per line)."""
    out = []
    for raw in normalize(text).split("\n"):
        line = clean_line(raw)
        if line:
            out.append(line)
    return out


def compact(text: str | None) -> str:
    """A form for comparing texts: NFKC, no white space."""
    if not text:
        return ""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))
