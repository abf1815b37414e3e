"""Header facts of a notice: title, signature (issuer and date), inspection, declared count."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from .dates import find_dates, parse_date, resolve_years
from .schema import Inspection

_CN = "一二三四五六七八九十百〇零两"
_BODY = r"中央|省委|自治区党委|区党委|市委|州委|盟委|地委|区委|县委|旗委|党委|党组"

#: ``省委第九巡视组``, ``省委巡视九组``, ``十一届区委第三巡察组``, ``中央第十五巡视组``.
#: A numeral run is matched from its start only (the lookbehinds): from every position it costs quadratic time.
INSPECTOR_RE = re.compile(
    rf"(?P<insp>(?:(?<![{_CN}])[{_CN}]+届)?(?:[\u4e00-\u9fff]{{0,8}}?)(?P<body>{_BODY})"
    rf"(?:第[{_CN}\d]+(?P<kind>巡视|巡察)组|(?P<kind2>巡视|巡察)[{_CN}\d]+组|(?P<kind3>巡视|巡察)组(?!反馈))(?:第[{_CN}\d]+组)?)"
)
ROUND_RE = re.compile(rf"(?P<round>(?<![{_CN}])[{_CN}]+届(?:{_BODY})第[{_CN}\d]+轮)")
PERIOD_SEP = r"\s*(?:至|到|—|－|-|~|～)\s*"
TITLE_WORDS_RE = re.compile(r"(?:通报|情况|公告|公示|报告|公开)$")
TITLE_PREFIX_RE = re.compile(r"^(?:【[^】]{1,10}】|\[[^\]]{1,10}\])\s*")
#: A signing body: ``中共怀化市鹤城区委``, ``中共株洲市荷塘区委员会``, ``XX局党组``.
ISSUER_RE = re.compile(
    r"^(?:中共|中国共产党)?[\u4e00-\u9fff()()]{2,40}?(?:委员会|党委|党组|党工委|委|人民政府|政府|办公室)$"
)
DECLARED_RE = [
    re.compile(r"(?P<n>\d{1,3})\s*(?:个|项|条)(?:[^,。;,]{0,10}?)(?:巡视|巡察)(?:组)?(?:反馈|指出|交办)(?:的)?(?:意见)?问题"),
    re.compile(r"(?:巡视|巡察)(?:组)?(?:反馈|指出)(?:的)?(?:意见)?(?:问题|意见)(?:共|共计)?\s*(?P<n>\d{1,3})\s*(?:个|项|条)"),
    re.compile(r"(?:反馈|指出)(?:的)?(?:意见)?问题(?:共|共计)\s*(?P<n>\d{1,3})\s*(?:个|项|条)"),
]
_OPENING_HINT = re.compile(r"巡视|巡察")


@dataclass
class Header:
    title: str | None = None
    issuer: str | None = None
    published_on: date | None = None
    inspection: Inspection = field(default_factory=Inspection)
    declared_issue_count: int | None = None
    unit_mentions: list[str] = field(default_factory=list)


def parse_header(paragraphs: list[str], header_end: int, body_end: int, first_issue: int) -> Header:
    """Read the header facts from the opening paragraphs and the signature."""
    head = Header()
    opening = paragraphs[:header_end] if header_end else paragraphs[:3]
    head.title, title_lines = _title(opening)
    intro = " ".join(p for p in opening[title_lines:] if _OPENING_HINT.search(p)) or " ".join(opening[title_lines:])
    head.inspection = _inspection(intro)
    if head.inspection.round is None and head.title and (m := ROUND_RE.search(head.title)):
        head.inspection.round = m["round"]
    head.issuer, head.published_on = _signature(paragraphs[body_end:] if body_end < len(paragraphs) else [])
    if head.issuer is None and head.published_on is None:
        head.issuer, head.published_on = _signature(paragraphs[-4:])
    head.declared_issue_count = _declared(" ".join(paragraphs[:first_issue]))
    head.unit_mentions = _unit_mentions(head.title, intro, head.issuer)
    return head


def _title(opening: list[str]) -> tuple[str | None, int]:
    """The notice title (possibly split over two lines) and how many lines it took."""
    for i, line in enumerate(opening[:3]):
        line = TITLE_PREFIX_RE.sub("", line).strip()
        if len(line) > 90 or line.endswith(("。", ".")) or line.startswith("根据"):
            continue
        if TITLE_WORDS_RE.search(line) and ("关于" in line or "巡" in line):
            if i > 0 and not opening[i - 1].endswith(("。", ".")) and line.startswith("关于") and \
                    ISSUER_RE.match(opening[i - 1]) and len(opening[i - 1]) < 40:
                return opening[i - 1] + line, i + 1
            return line, i + 1
        if i + 1 < len(opening) and TITLE_WORDS_RE.search(opening[i + 1]) and len(line) + len(opening[i + 1]) < 90 \
                and opening[i + 1].startswith("关于"):
            return line + opening[i + 1], i + 2
    return None, 0


def _inspection(intro: str) -> Inspection:
    insp = Inspection()
    if m := INSPECTOR_RE.search(intro):
        insp.inspector = m["insp"]
        insp.inspector_level = _inspector_level(m["insp"], m["body"], m["kind"] or m["kind2"] or m["kind3"])
    if m := ROUND_RE.search(intro):
        insp.round = m["round"]
    sentences = re.split(r"[。;;]", intro)
    last_year: int | None = None
    for sentence in sentences:
        matches = find_dates(sentence)
        if not matches:
            continue
        dates = resolve_years_from(matches, last_year)
        for mt in matches:
            if mt.year is not None:
                last_year = mt.year
        if insp.started_on is None and len(matches) >= 2:
            between = sentence[matches[0].end:matches[1].start]
            if re.fullmatch(PERIOD_SEP, between) or between.strip() in ("", "至"):
                insp.started_on, insp.ended_on = dates[0], dates[1]
                # a second span (``…至5月10日、6月1日至6月6日``) extends the period
                if len(matches) >= 4 and re.fullmatch(r"\s*[、和及,,]\s*", sentence[matches[1].end:matches[2].start]) \
                        and re.fullmatch(PERIOD_SEP, sentence[matches[2].end:matches[3].start]) and dates[3]:
                    insp.ended_on = dates[3]
                if insp.ended_on and insp.started_on and insp.ended_on < insp.started_on:
                    insp.ended_on = None
        if insp.feedback_on is None and "反馈" in sentence:
            pos = sentence.index("反馈")
            before = [d for mt, d in zip(matches, dates) if mt.start < pos and d is not None]
            if before and (insp.ended_on is None or before[-1] != insp.ended_on or len(before) > 2):
                insp.feedback_on = before[-1]
    return insp


def resolve_years_from(matches: list, last_year: int | None) -> list[date | None]:
    """Like :func:`resolve_years`, with a year carried over from an earlier sentence."""
    if matches and matches[0].year is None and last_year is not None:
        dates = resolve_years(matches)
        return [mt.to_date(last_year) if d is None and mt.year is None else d for mt, d in zip(matches, dates)]
    return resolve_years(matches)


def _inspector_level(text: str, body: str, kind: str | None) -> str | None:
    if "中央" in text:
        return "central"
    if body in ("省委", "自治区党委", "区党委"):
        return "provincial"
    if body == "市委":
        if kind == "巡视" or re.match(r"^(?:北京|上海|天津|重庆)", text):
            return "provincial"
        return "municipal"
    if body in ("州委", "盟委", "地委"):
        return "municipal"
    if body in ("区委", "县委", "旗委"):
        return "county"
    return None


def _signature(tail: list[str]) -> tuple[str | None, date | None]:
    """Issuer line(s) and the date under them, read from the end of the notice."""
    issuer: str | None = None
    published: date | None = None
    for i in range(len(tail) - 1, -1, -1):
        line = tail[i].strip()
        if published is None and len(line) <= 20 and (d := parse_date(line)) and _only_date(line):
            published = d
            names = []
            for j in range(i - 1, max(i - 3, -1), -1):
                cand = tail[j].strip()
                if ISSUER_RE.match(cand) and len(cand) <= 40:
                    names.insert(0, cand)
                else:
                    break
            issuer = "、".join(names) or None
            break
        combined = re.match(r"^(?P<org>.{2,40}?(?:委员会|党委|党组|委|政府))\s+(?P<d>.{6,16})$", line)
        if combined and (d := parse_date(combined["d"])) and ISSUER_RE.match(combined["org"]):
            return combined["org"], d
    return issuer, published


def _only_date(line: str) -> bool:
    return bool(re.fullmatch(r"[\d〇零一二三四五六七八九十]{2,4}\s*[年\-/.]\s*[\d一二三四五六七八九十]{1,2}\s*[月\-/.]\s*"
                             r"[\d一二三四五六七八九十]{1,3}\s*日?", line))


def _declared(text: str) -> int | None:
    for pattern in DECLARED_RE:
        if m := pattern.search(text):
            return int(m["n"])
    return None


def _unit_mentions(title: str | None, intro: str, issuer: str | None) -> list[str]:
    """Names of the inspected party, most reliable first."""
    mentions: list[str] = []
    if m := re.search(r"对(?P<u>[^,。;,对]{2,30}?)(?:党委|党组)?(?:进行|开展|实施)(?:了)?(?:常规|专项|机动|提级|交叉|延伸|联动)?(?:巡视|巡察)", intro):
        mentions.append(m["u"])
    if title:
        if m := re.match(r"^(?P<u>.{2,40}?)(?:关于)", title):
            mentions.append(m["u"])
    if m := re.search(r"向(?P<u>[^,。;,]{2,30}?)(?:党委|党组)?(?:反馈|进行了反馈)", intro):
        mentions.append(m["u"])
    if issuer:
        mentions.extend(issuer.split("、"))
    return [re.sub(r"\s+", "", x) for x in mentions if x]
