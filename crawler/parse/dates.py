"""Chinese numerals and dates: ``第十一``, ``十二届``, ``二〇二四年``, ``2025年3月5日至5月16日``."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

import cn2an

CN_DIGITS = "〇零一二三四五六七八九十百两"
#: A number starts where its run of digits starts (the lookbehinds): without them a long run of digits
#: is matched from every position, quadratic time (10 MB of ``1`` took hours).
_NUM = rf"(?:(?<!\d)\d+|(?<![{CN_DIGITS}])[{CN_DIGITS}]+)"
#: Longer numbers are no heading number, month or day (and ``int()`` refuses over 4,300 digits).
_MAX_NUM_LEN = 20
_YEAR = r"(?:\d{4}|[〇零一二三四五六七八九]{4})"

#: ``2025年3月5日``, ``2025年3月``, ``3月5日`` (year optional, day optional when a year is given).
DATE_RE = re.compile(
    rf"(?:(?P<y>{_YEAR})\s*年\s*)?(?P<m>{_NUM})\s*月\s*(?:(?P<d>{_NUM})\s*[日号])?"
)
#: Where a date can start: a digit, Arabic or Chinese (the year and the month both start with one).
_DATE_START_RE = re.compile(rf"[\d{CN_DIGITS}]")
ISO_DATE_RE = re.compile(r"(?<!\d)(?P<y>(?:19|20)\d{2})[-/.](?P<m>\d{1,2})[-/.](?P<d>\d{1,2})(?!\d)")


@lru_cache(maxsize=512)
def cn_int(text: str) -> int | None:
    """``十一`` → 11, ``第十一`` → 11, ``二〇二四`` → 2024, ``12`` → 12; None when not a number."""
    text = text.strip().removeprefix("第")
    if not text or len(text) > _MAX_NUM_LEN:
        return None
    if text.isdigit():
        return int(text)
    if all(ch in "〇零一二三四五六七八九" for ch in text) and len(text) > 1:
        return int("".join(str("〇一二三四五六七八九".index(ch) if ch != "零" else 0) for ch in text))
    try:
        value = cn2an.cn2an(text, "smart")
    except (ValueError, KeyError, TypeError, IndexError):
        return None
    return int(value) if value == int(value) else None


@dataclass(frozen=True)
class DateMatch:
    """A date found in text; ``year_given`` tells whether the year was printed."""

    start: int
    end: int
    year: int | None
    month: int
    day: int | None

    @property
    def year_given(self) -> bool:
        return self.year is not None

    def to_date(self, default_year: int | None = None) -> date | None:
        year = self.year if self.year is not None else default_year
        if year is None or self.day is None:
            return None
        try:
            return date(year, self.month, self.day)
        except ValueError:
            return None


def find_dates(text: str) -> list[DateMatch]:
    """Every ``[YYYY年]M月[D日]`` date in ``text`` (a month alone needs a year)."""
    found: list[DateMatch] = []
    for m in _date_matches(text):
        if len(m["m"]) > _MAX_NUM_LEN or (m["d"] and len(m["d"]) > _MAX_NUM_LEN):
            continue
        year = cn_int(m["y"]) if m["y"] else None
        month = cn_int(m["m"])
        day = cn_int(m["d"]) if m["d"] else None
        if month is None or not 1 <= month <= 12:
            continue
        if day is not None and not 1 <= day <= 31:
            continue
        if year is None and day is None:
            continue
        if year is not None and not 1949 <= year <= 2100:
            continue
        found.append(DateMatch(m.start(), m.end(), year, month, day))
    return found


def _date_matches(text: str) -> Iterator[re.Match[str]]:
    """``DATE_RE.finditer(text)``, several times faster.

    The pattern starts with no literal, so a regex scan tries it at every position; a date starts at a digit,
    so only those positions are tried (the lookbehinds still see the text before them).
    """
    if "月" not in text:  # every date has a month
        return
    pos = 0
    while start := _DATE_START_RE.search(text, pos):
        if m := DATE_RE.match(text, start.start()):
            yield m
            pos = m.end()
        else:
            pos = start.start() + 1


def parse_date(text: str) -> date | None:
    """The first full date in ``text`` (Chinese or ISO form), or None."""
    iso = ISO_DATE_RE.search(text)
    for match in find_dates(text):
        if match.year is not None and match.day is not None:
            if iso and iso.start() < match.start:
                break
            return match.to_date()
    if iso:
        try:
            return date(int(iso["y"]), int(iso["m"]), int(iso["d"]))
        except ValueError:
            return None
    return None


def resolve_years(matches: list[DateMatch]) -> list[date | None]:
    """Dates in order, a missing year taken from the nearest earlier date that printed one."""
    out: list[date | None] = []
    last_year: int | None = None
    for match in matches:
        if match.year is not None:
            last_year = match.year
        out.append(match.to_date(last_year))
    return out
