"""Find the feedback issues in a notice's paragraphs.

The rule that makes this layout-independent: an issue is the innermost heading that is
directly followed by its rectification (a ``整改情况:`` paragraph, an inline marker, or,
in notices without markers, plain paragraphs); headings above it are categories, and
headings below it that come after the marker are measures inside the rectification.
A marker with no heading before it is still an issue (title null).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from itertools import pairwise

from .lines import (
    CATEGORY,
    ITEM,
    PLAIN,
    RECT,
    SECTION,
    STATUS,
    SUBITEM,
    Kind,
    Line,
    classify,
    split_inline_rect,
    starts_measure_list,
)

#: Section headings whose content is not feedback issues.
NEXT_STEPS_RE = re.compile(r"下一步|下阶段|今后|后续(?:整改)?工作|工作打算|工作安排|巩固(?:深化)?整改成果|长效")
ORG_SECTION_RE = re.compile(r"组织|领导|政治站位|思想认识|提高认识|责任落实|主体责任|整改工作(?:开展)?情况$")
#: Generic "progress of the rectification" headings that are not a category of their own.
GENERIC_SECTION_RE = re.compile(r"整改(?:落实|工作)?(?:进展)?情况|进展情况|落实情况|反馈意见|反馈问题(?:整改)?$")
CATEGORY_PREFIX_RE = re.compile(r"^(?:反馈问题|问题类别|方面)\s*[::]\s*")
#: ``关于“…”的问题`` — the quoted problem is the title (nested quotes kept).
ABOUT_TITLE_RE = re.compile(r"^(?:关于)?\s*[“\"「『](?P<q>.+)[”\"」』]\s*(?:的)?(?:问题|方面)")
#: Closing part of a notice: an invitation to supervise, contacts.
CLOSING_RE = re.compile(r"^(?:欢迎广大|欢迎社会各界|欢迎干部群众|如有意见建议|联系电话|联系方式|邮政信箱|电子邮箱|公开期限)")


@dataclass
class RawIssue:
    """An issue before status classification."""

    label: str | None
    number: int | None
    heading_kind: Kind | None
    category: str | None
    title: str | None
    rect_lines: list[str] = field(default_factory=list)
    markers: set[str] = field(default_factory=set)
    explicit_status: str | None = None
    first_line: int = 0

    @property
    def rectification(self) -> str:
        return "\n".join(filter(None, self.rect_lines))  # the non-empty lines


@dataclass
class Structure:
    """What the body of a notice holds."""

    issues: list[RawIssue]
    header_end: int  # index of the first paragraph after the opening part
    body_end: int  # index of the first closing paragraph (contacts, signature)


def find_issues(paragraphs: list[str]) -> Structure:
    """Split paragraphs into issues (with category, label, title and rectification)."""
    lines = [classify(i, text) for i, text in enumerate(paragraphs)]
    body_end = _closing_start(lines)
    lines = lines[:body_end]
    header_end = _opening_end(lines)
    kept = _drop_side_sections(lines[header_end:])
    has_markers = any(ln.kind in (RECT, STATUS) for ln in kept) or any(
        ln.is_heading and split_inline_rect(ln.body) for ln in kept
    )
    issues = _assemble(kept) if has_markers else _assemble_markerless(kept)
    return Structure(issues=issues, header_end=header_end, body_end=body_end)


def _closing_start(lines: list[Line]) -> int:
    """Index of the first closing paragraph after the last issue-like paragraph."""
    last_content = next((ln.index for ln in reversed(lines) if ln.kind in (RECT, ITEM, STATUS)), 0)
    for ln in lines[last_content + 1:]:
        if CLOSING_RE.match(ln.text):
            return ln.index
    return len(lines)


def _opening_end(lines: list[Line]) -> int:
    """Paragraphs before the first heading or marker are title and opening sentence."""
    for ln in lines:
        if ln.is_heading or ln.kind in (RECT, STATUS) or starts_measure_list(ln.text):
            return ln.index
    return 0


def _drop_side_sections(lines: list[Line]) -> list[Line]:
    """Remove the organisational and next-steps sections (一、组织整改落实情况, 三、下一步…)."""
    starts = [i for i, ln in enumerate(lines) if ln.kind is SECTION]  # where each section heading is
    kept: list[Line] = []
    kept.extend(_cut_trailing_next_steps(lines[: starts[0] if starts else len(lines)]))  # before any section
    for start, end in pairwise([*starts, len(lines)]):
        head, content = lines[start], lines[start + 1:end]
        has_rect = any(ln.kind in (RECT, STATUS) for ln in content)
        if not has_rect and (NEXT_STEPS_RE.search(head.body)
                             or (ORG_SECTION_RE.search(head.body) and "问题" not in head.body)):
            continue
        kept.append(head)
        kept.extend(_cut_trailing_next_steps(content))
    return kept


def _cut_trailing_next_steps(content: list[Line]) -> list[Line]:
    """Drop a next-steps list that follows the last issue without its own section heading."""
    last_rect = next((i for i in range(len(content) - 1, -1, -1) if content[i].kind is RECT), None)
    if last_rect is None:
        return content
    for i in range(last_rect + 1, len(content)):
        ln = content[i]
        if ln.is_heading:
            return content
        if (starts_measure_list(ln.text) and "进一步" in ln.text[:8]) or re.match(r"^下一步", ln.text):
            return content[:i]
    return content


def _assemble(lines: list[Line]) -> list[RawIssue]:
    """Issues in a notice that marks rectifications (``整改情况:``)."""
    issues: list[RawIssue] = []
    headings: list[Line] = []  # open headings, outermost first
    pending: Line | None = None  # innermost heading not yet given a rectification
    pending_extra: list[str] = []  # problem text continuing on the lines after the heading
    current: RawIssue | None = None

    def start_issue(head: Line | None, extra: list[str], first_rect: str, marker: str | None, at: int) -> RawIssue:
        label, number, kind, title = None, None, None, None
        if head is not None:
            label, number, kind = head.label, head.number, head.kind
            title = _title(head.body, extra)
        issue = RawIssue(label, number, kind, _category(headings, head), title,
                         rect_lines=[first_rect] if first_rect else [], markers={marker} if marker else set(),
                         first_line=head.index if head else at)
        issues.append(issue)
        return issue

    for line in lines:
        if line.is_heading:
            if current is not None and _is_deeper(line, current):
                current.rect_lines.append(line.text)
                continue
            current = None
            while headings and headings[-1].kind >= line.kind:
                headings.pop()
            inline = split_inline_rect(line.body) if line.kind >= CATEGORY else None
            if inline:
                head = Line(line.index, line.text, line.kind, line.label, line.number, inline[0])
                current = start_issue(head, [], inline[1], "inline", line.index)
                pending, pending_extra = None, []
                continue
            headings.append(line)
            pending, pending_extra = line, []
        elif line.kind is RECT:
            if current is not None and line.marker not in current.markers:
                current.rect_lines.append(line.body)
                current.markers.add(line.marker)
                continue
            head = pending
            if head is not None and headings and headings[-1] is head:
                headings.pop()
            current = start_issue(head, pending_extra, line.body, line.marker, line.index)
            pending, pending_extra = None, []
        elif line.kind is STATUS:
            target = current or (issues[-1] if issues else None)
            if target is None and pending is not None:
                target = start_issue(pending, pending_extra, "", None, line.index)
                pending = None
            if target is not None:
                target.explicit_status = line.status
        else:
            if current is not None:
                current.rect_lines.append(line.text)
            elif pending is not None:
                pending_extra.append(line.text)
            elif _looks_like_problem(line.text):
                pending = Line(line.index, line.text, ITEM, body=line.text)
                pending_extra = []
    return issues


def _assemble_markerless(lines: list[Line]) -> list[RawIssue]:
    """Issues in a notice with no rectification markers: the innermost headings with text under them."""
    issues: list[RawIssue] = []
    headings: list[Line] = []
    current: RawIssue | None = None
    for line in lines:
        if line.is_heading:
            if current is not None and _is_deeper(line, current) and current.rect_lines:
                current.rect_lines.append(line.text)
                continue
            while headings and headings[-1].kind >= line.kind:
                headings.pop()
            if line.kind >= ITEM or (line.kind is CATEGORY and _about(line.body)):
                title, rest = _split_title(line.body)
                current = RawIssue(line.label, line.number, line.kind, _category(headings, line), title,
                                   rect_lines=[rest] if rest else [], first_line=line.index)
                issues.append(current)
            else:
                current = None
            headings.append(line)
        elif current is not None and line.kind is PLAIN:
            current.rect_lines.append(line.text)
    # A heading that only introduced deeper issues is a category, not an issue.
    return [i for i in issues if i.rect_lines or i.explicit_status]


def _is_deeper(line: Line, issue: RawIssue) -> bool:
    """A heading nested below the issue's own heading belongs to its rectification."""
    if issue.heading_kind is None:
        return line.kind is SUBITEM
    return line.kind > issue.heading_kind


def _category(headings: list[Line], head: Line | None) -> str | None:
    """Text of the nearest enclosing group heading (``(一)…``, or a specific ``一、…``)."""
    for h in reversed(headings):
        if h is head or (head is not None and h.kind >= head.kind):
            continue
        if h.kind is CATEGORY or (h.kind is SECTION and not GENERIC_SECTION_RE.search(h.body)):
            text = CATEGORY_PREFIX_RE.sub("", h.body).strip()
            return text or None
        if h.kind is ITEM and head is not None and head.kind is SUBITEM:
            return _title(h.body, [])
    return None


def _about(text: str) -> bool:
    return bool(ABOUT_TITLE_RE.match(text))


def _title(body: str, extra: list[str]) -> str | None:
    """The problem text of a heading; for ``关于“…”的问题`` the quoted text."""
    m = ABOUT_TITLE_RE.match(body)
    if m:
        return m["q"].strip()
    text = "".join([body, *extra]).strip()
    return text or None


def _split_title(body: str) -> tuple[str | None, str]:
    """Heading line of a marker-less notice → (title, rest of the line as rectification)."""
    m = ABOUT_TITLE_RE.match(body)
    if m:
        rest = body[m.end():].lstrip("的整改情况:,。 ")
        return m["q"].strip(), rest
    return (body.strip() or None), ""


def _looks_like_problem(text: str) -> bool:
    """An unnumbered problem heading (``关于…的问题``) that precedes a marker."""
    if starts_measure_list(text) or len(text) > 120:
        return False
    return bool(ABOUT_TITLE_RE.match(text)) or bool(re.search(r"问题[。.]?$", text))
