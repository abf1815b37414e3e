"""Parse a notice's text into a :class:`Report` — the pure core of rectrack.

Pipeline: paragraphs → boilerplate and repeats removed → structure (issues) → header
(title, signature, inspection) → unit → status of every issue → warnings.
"""

from __future__ import annotations

import re
from datetime import date

from .header import parse_header
from .schema import Issue, Report
from .status import classify_status
from .structure import RawIssue, find_issues
from .subissues import split_sub_issues
from .text import paragraphs as split_paragraphs
from .units import resolve_unit

#: Site chrome that survives text extraction (share widgets, footers, print links): anywhere in a
#: short line, or at its start. Every branch starts with a literal so that the scan is fast.
BOILERPLATE_RE = re.compile(
    r"扫一扫|分享至朋友圈|分享到|打印本页|关闭窗口|【打印】|【关闭】|字体[::]?\s*[【\[]?\s*大\s*中\s*小|字号[::]?\s*[【\[]"
    r"|网站标识码|ICP备|公网安备|版权所有|主办单位|承办单位|技术支持[::]|浏览次数|访问量[::]"
    r"|主办[\u4e00-\u9fff()()]{2,40}承办"
)
BOILERPLATE_START_RE = re.compile(r"主办[::]|承办[::]|当前位置|您现在的位置|上一篇|下一篇")
_REPEAT_MIN_LEN = 30
#: Lines parsed at most: notices have hundreds; a million short lines took ~200 bytes each (1.4 GB for 20 MB).
MAX_LINES = 100_000
#: Characters parsed at most (as for attachments): a notice has tens of thousands; on one 20 MB line of
#: clauses the status rules kept ~80 bytes a character.
MAX_CHARS = 2_000_000
_LINE_BREAKS = ("\r", "\u2028", "\u2029")


def parse_text(text: str, *, source_url: str | None = None, page_title: str | None = None,
               page_date: date | None = None) -> Report:
    """Parse a notice's plain text (one paragraph per line) into a Report."""
    warnings: list[str] = []
    paras = _clean(split_paragraphs(_cap_text(text, warnings)), warnings)
    structure = find_issues(paras)
    first_issue = min((r.first_line for r in structure.issues), default=structure.header_end)
    head = parse_header(paras, structure.header_end, structure.body_end, first_issue)
    report = Report(
        title=head.title or page_title,
        issuer=head.issuer,
        published_on=head.published_on or page_date,
        source_url=source_url,
        inspection=head.inspection,
        declared_issue_count=head.declared_issue_count,
    )
    report.unit = resolve_unit(head.unit_mentions, "\n".join(paras[: structure.header_end + 2]) + "\n" + (head.issuer or ""))
    report.issues = [_build_issue(raw, seq) for seq, raw in enumerate(structure.issues, start=1)]
    warnings.extend(_check(report, structure.issues))
    report.warnings = warnings
    return report


def _cap_text(text: str, warnings: list[str]) -> str:
    """An absurdly long text cut to :data:`MAX_CHARS` characters (at a line end when there is one)
    and :data:`MAX_LINES` lines, with a warning; any other text as it is."""
    if len(text) > MAX_CHARS:
        end = text.rfind("\n", 0, MAX_CHARS + 1)
        warnings.append(f"text cut: only the first {MAX_CHARS:,} of {len(text):,} characters were parsed")
        text = text[:end if end > 0 else MAX_CHARS]
    # (a text of fewer characters than MAX_LINES cannot hold MAX_LINES line breaks: no need to count them)
    if len(text) < MAX_LINES or text.count("\n") + sum(text.count(brk) for brk in _LINE_BREAKS) < MAX_LINES:
        return text
    text = text.replace("\r\n", "\n")
    for brk in _LINE_BREAKS:
        text = text.replace(brk, "\n")
    total, end = text.count("\n") + 1, -1
    if total <= MAX_LINES:
        return text
    for _ in range(MAX_LINES):
        end = text.find("\n", end + 1)
    warnings.append(f"text cut: only the first {MAX_LINES:,} of {total:,} lines were parsed")
    return text[:end]


def _clean(paras: list[str], warnings: list[str]) -> list[str]:
    """Drop site boilerplate lines and blocks repeated verbatim (a page extracted twice).

    A long paragraph seen before is a repeat; a short one (a heading) is a repeat when it
    was seen before and the paragraph after it is a repeat too.
    """
    kept = [p for p in paras if len(p) >= 120 or not (BOILERPLATE_START_RE.match(p) or BOILERPLATE_RE.search(p))]
    dropped_boiler = len(paras) - len(kept)
    repeat = _repeated(kept)
    if dropped_boiler:
        warnings.append(f"boilerplate removed: {dropped_boiler} line(s) of site chrome")
    if repeat:
        warnings.append(f"repeated block dropped: {len(repeat)} paragraph(s) occurred twice and were kept once")
        return [p for i, p in enumerate(kept) if i not in repeat]
    return kept


def _repeated(paras: list[str]) -> set[int]:
    """Indexes of the repeats among ``paras`` (see :func:`_clean`)."""
    # first occurrence of each paragraph: the dict is filled from the end, so the earliest index wins
    first_seen = dict(zip(reversed(paras), range(len(paras) - 1, -1, -1), strict=True))
    if len(first_seen) == len(paras):  # no paragraph occurs twice (the usual case)
        return set()
    seen_before = [i for i, p in enumerate(paras) if first_seen[p] != i]
    repeat = {i for i in seen_before if len(paras[i]) >= _REPEAT_MIN_LEN}
    # a short paragraph seen before is a repeat when the next one is; from the end, so that runs of them chain
    for i in reversed(seen_before):
        if i + 1 in repeat:
            repeat.add(i)
    return repeat


def _build_issue(raw: RawIssue, seq: int) -> Issue:
    own, subs = split_sub_issues(raw.rectification)
    result = classify_status(own, raw.explicit_status)
    issue = Issue(seq=seq, label=raw.label, category=raw.category, title=raw.title, rectification=own,
                  status=result.status, status_evidence=result.evidence)
    for sub_seq, sub in enumerate(subs, start=1):
        own_result = classify_status(sub.rectification)
        if sub.group_status:
            status, evidence = sub.group_status, [sub.group_phrase or ""] + own_result.evidence
        else:
            status, evidence = own_result.status, own_result.evidence
        issue.sub_issues.append(Issue(seq=sub_seq, label=sub.label, category=None, title=sub.title,
                                      rectification=sub.rectification, status=status, status_evidence=evidence))
    return issue


def _check(report: Report, raws: list[RawIssue]) -> list[str]:
    """Warnings for what looks wrong: numbering gaps, count mismatch, missing titles, cut-off text."""
    out: list[str] = []
    if not report.issues:
        out.append("no rectification issues found: this does not look like a rectification-progress notice")
        return out
    out.extend(_numbering_gaps(raws))
    if report.declared_issue_count is not None and report.declared_issue_count != len(report.issues):
        out.append(f"declared issue count {report.declared_issue_count} != {len(report.issues)} issues found")
    untitled = sum(1 for i in report.issues if i.title is None)
    if untitled:
        out.append(f"headings missing: {untitled} of {len(report.issues)} issues have no title")
    last = report.issues[-1].rectification.rstrip()
    if last and not re.search(r"[。.!!??;;”\")）)]$", last):
        out.append("text looks cut off: the last issue ends mid-sentence")
    return out


def _numbering_gaps(raws: list[RawIssue]) -> list[str]:
    out: list[str] = []
    prev: RawIssue | None = None
    for raw in raws:
        if raw.number is None or raw.label is None:
            prev = None
            continue
        if prev is not None and prev.number is not None and raw.heading_kind == prev.heading_kind:
            if raw.number > prev.number + 1:
                missing = ", ".join(_relabel(prev.label, n) for n in range(prev.number + 1, raw.number))
                out.append(f"numbering gap: {missing} missing (between {prev.label} and {raw.label})")
            elif raw.number <= prev.number and raw.number != 1:
                out.append(f"numbering out of order: {raw.label} after {prev.label}")
        prev = raw
    return out


def _relabel(label: str | None, number: int) -> str:
    return re.sub(r"\d+", str(number), label or str(number), count=1)
