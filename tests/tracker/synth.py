"""Synthetic follow-up notices: a real report renumbered, reworded, with issues dropped and added.

``follow_up`` returns the later Report and the truth: for each later issue, the index of the
earlier issue it continues, or None for an added one.
"""

from __future__ import annotations

import copy
import random
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from crawler.parse import parse_document
from crawler.parse.schema import Issue, Report

SAMPLES_DIR = Path(__file__).resolve().parents[2] / "crawler" / "samples"

SYNONYMS = [
    ("未", "没有"), ("不够", "不"), ("部分", "一些"), ("存在", "有"), ("问题", "情况"), ("较慢", "缓慢"),
    ("不到位", "不够到位"), ("严重", "较为严重"), ("落实", "贯彻"), ("不力", "不够有力"), ("较多", "多"),
    ("某", "个别"), ("工作", "事项"), ("推进", "推动"), ("建设", "建成"), ("仍", "依然"),
]
PREFIXES = ["巡视发现,", "巡视指出:", "经查,", "巡视组发现"]
_CLAUSE_RE = re.compile(r"(?<=[,,;;。])")
_DATE_RE = re.compile(r"\d{4}年(?:\d{1,2}月)?(?:\d{1,2}日)?(?:以来|至今)?,?")


def load_sample(name: str) -> Report:
    path = SAMPLES_DIR / name
    return parse_document(path.read_bytes(), name=path.name)


def reword(title: str, rng: random.Random, strength: int) -> str:
    """Apply ``strength`` random edits a notice writer might make to a title."""
    out = title
    for _ in range(strength):
        op = rng.choice(("clause", "synonym", "swap", "truncate", "prefix", "date"))
        clauses = [c for c in _CLAUSE_RE.split(out) if c]
        if op == "clause" and len(clauses) >= 3:
            del clauses[rng.randrange(1, len(clauses))]
            out = "".join(clauses)
        elif op == "swap" and len(clauses) >= 2:
            i = rng.randrange(len(clauses) - 1)
            clauses[i], clauses[i + 1] = clauses[i + 1], clauses[i]
            out = "".join(clauses)
        elif op == "truncate" and len(out) >= 20:
            out = out[: int(len(out) * rng.uniform(0.65, 0.85))]
        elif op == "prefix":
            out = rng.choice(PREFIXES) + out
        elif op == "date" and _DATE_RE.search(out):
            out = _DATE_RE.sub("", out, count=1)
        else:
            hits = [(a, b) for a, b in SYNONYMS if a in out]
            if hits:
                a, b = rng.choice(hits)
                out = out.replace(a, b, 1)
    return out


def edit_text(rect: str, rng: random.Random) -> str:
    """A small edit of a rectification text: a figure changed or a short phrase added."""
    if rng.random() < 0.5 and re.search(r"\d", rect):
        return re.sub(r"\d+", lambda m: str(int(m.group()) + 1), rect, count=1)
    return rect + rng.choice(["目前正在持续推进。", "下一步将继续跟踪。", ""])


@dataclass
class FollowUp:
    later: Report
    truth: list[int | None]  # truth[j]: earlier index of later issue j, or None when added


def follow_up(earlier: Report, donors: Sequence[Issue], rng: random.Random, *, drop: float = 0.1,
              add: int = 3, reword_share: float = 0.3, strength: int = 2, new_text: float = 0.4) -> FollowUp:
    """A later notice of ``earlier``'s unit; added issues are taken from ``donors`` (other units)."""
    kept: list[tuple[Issue, int | None]] = []
    for index, issue in enumerate(earlier.issues):
        if rng.random() < drop:
            continue
        new = copy.deepcopy(issue)
        new.sub_issues = []
        if new.title and rng.random() < reword_share:
            new.title = reword(new.title, rng, strength)
        if rng.random() < new_text:
            donor = rng.choice(donors)
            new.rectification = donor.rectification  # the worst case: nothing in common
        else:
            new.rectification = edit_text(new.rectification, rng)
        kept.append((new, index))
    for donor in rng.sample(list(donors), min(add, len(donors))):
        kept.append((copy.deepcopy(donor), None))
    rng.shuffle(kept)
    issues = []
    for seq, (issue, _) in enumerate(kept, 1):
        issue.seq, issue.label = seq, str(seq)
        issues.append(issue)
    later = copy.deepcopy(earlier)
    later.issues = issues
    return FollowUp(later, [index for _, index in kept])
