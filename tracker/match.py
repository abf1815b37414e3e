"""Which issue of a later report is which issue of an earlier one.

Order-free and one-to-one: every pair gets a similarity (:func:`similarity`), pairs below a
threshold are never made, and the pairing with the largest total similarity is chosen
(:mod:`tracker.assign`). Issues whose titles are identical (after normalisation) and unique
on both sides are paired first, which settles most of a typical follow-up notice at once.

The similarity of two issues is led by their titles (the problem as stated, which notices
keep or reword), compared by the Indel ratio and by bigram Dice; the rectification text
(Indel ratio) can raise it, as a stalled issue keeps its text even when the title is
reworded, but never lower it, as a progressing issue gets new text; the category adds a
small bonus. Without a title on either side only the rectification text can tell, and a
short one (``已整改到位``) says little, so its weight shrinks with its length; an untitled
issue whose text was rewritten cannot be recognised and shows as dropped + new.

Thresholds, as measured: across the sample notices of different units no pair of issues
reaches :data:`MATCH_MIN` (the highest, two 征拆安置 issues, scores 0.53), while synthetic
follow-ups (renumbered, shuffled, up to all titles reworded, texts replaced, issues dropped
and added; ``tests/tracker/test_match.py``) keep ≥ 98.5 % of their issues matched with no
added issue ever paired.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from crawler.parse.schema import Issue

from . import text
from .assign import max_weight_matching

#: Least similarity for two issues of successive reports of one inspection round.
MATCH_MIN = 0.55
#: Least similarity for an issue of a new round to be the same as one of an earlier round:
#: stricter, as a new round's list is written afresh and only titles are comparable.
RECUR_MIN = 0.6
#: Rectification texts shorter than this (normalised characters) weigh proportionally less.
RECT_FULL_WEIGHT_LEN = 30
#: Bonus when both issues sit under the same category heading.
CATEGORY_BONUS = 0.05
#: A title at least this long (and this share of the other's length) may be a shortened one:
#: its characters found in order in the other count, at :data:`CONTAIN_WEIGHT`.
CONTAIN_MIN_LEN = 12
CONTAIN_MIN_SHARE = 0.4
CONTAIN_WEIGHT = 0.85
#: Factor for two titles that both hold figures, none in common (2021年… vs 2023年…).
NUMBERS_DIFFER = 0.75
#: Weight of the rectification similarity in the assignment beyond the similarity itself:
#: decides between candidates with equal titles (two ``落实中央八项规定精神不到位`` issues).
RECT_TIE_BREAK = 0.05
#: Weight of the position prior: breaks ties between near-equal candidates only.
POSITION_TIE_BREAK = 1e-3


_NUMBER_RE = re.compile(r"\d+(?:\.\d+)?")


@dataclass
class Features:
    """An issue's normalised texts, computed once per issue."""

    title: str
    rect: str
    category: str
    numbers: frozenset[str] = frozenset()
    _title_grams: frozenset[str] | None = field(default=None, compare=False, repr=False)

    @property
    def title_grams(self) -> frozenset[str]:
        if self._title_grams is None:
            self._title_grams = text.bigrams(self.title)
        return self._title_grams


@dataclass(frozen=True)
class Match:
    """Issue ``earlier`` (index into the earlier list) is issue ``later`` of the later list."""

    earlier: int
    later: int
    similarity: float


def features(issue: Issue) -> Features:
    title = text.key(issue.title)
    return Features(title, text.key(issue.rectification), text.key(issue.category),
                    frozenset(_NUMBER_RE.findall(title)))


def _title_similarity(a: Features, b: Features) -> float:
    """Title similarity, allowing for a shortened title, lowered when the figures differ."""
    x, y = a.title, b.title
    score = max(text.ratio(x, y), text.dice(a.title_grams, b.title_grams))
    short, long_ = sorted((len(x), len(y)))
    if short >= CONTAIN_MIN_LEN and short >= CONTAIN_MIN_SHARE * long_:
        score = max(score, CONTAIN_WEIGHT * text.containment(x, y))
    if a.numbers and b.numbers and a.numbers.isdisjoint(b.numbers):
        score *= NUMBERS_DIFFER
    return score


def similarity(a: Features, b: Features, *, use_rectification: bool = True) -> float:
    """Similarity in [0, 1] of two issues (see the module docstring)."""
    return _scores(a, b, use_rectification)[0]


def _scores(a: Features, b: Features, use_rectification: bool) -> tuple[float, float]:
    """(similarity, rectification similarity)."""
    rect = 0.0
    if use_rectification and a.rect and b.rect:
        weight = min(1.0, min(len(a.rect), len(b.rect)) / RECT_FULL_WEIGHT_LEN)
        rect = weight * text.ratio(a.rect, b.rect)
    if a.title and b.title:
        title = _title_similarity(a, b)
        score = max(title, (title + rect) / 2)
    else:
        score = rect
    if score and a.category and a.category == b.category:
        score += CATEGORY_BONUS
    return min(1.0, score), rect


def match_issues(earlier: Sequence[Issue], later: Sequence[Issue], *, threshold: float = MATCH_MIN,
                 use_rectification: bool = True, earlier_features: Sequence[Features] | None = None,
                 later_features: Sequence[Features] | None = None) -> list[Match]:
    """The one-to-one pairing of ``earlier`` and ``later`` issues (sorted by earlier index).

    ``*_features``: the issues' :func:`features` when the caller keeps them (a report is
    compared twice, with the one before and the one after it).
    """
    fa = list(earlier_features) if earlier_features is not None else [features(i) for i in earlier]
    fb = list(later_features) if later_features is not None else [features(i) for i in later]
    matches: list[Match] = []
    rest_a, rest_b = list(range(len(fa))), list(range(len(fb)))
    for i, j in _identical(fa, fb, use_rectification):
        matches.append(Match(i, j, 1.0))  # equal titles (or long texts): the similarity is 1
    paired_a = {m.earlier for m in matches}
    paired_b = {m.later for m in matches}
    rest_a = [i for i in rest_a if i not in paired_a]
    rest_b = [j for j in rest_b if j not in paired_b]
    scores: dict[tuple[int, int], float] = {}
    weights: dict[tuple[int, int], float] = {}
    na, nb = max(len(fa), 1), max(len(fb), 1)
    for i in rest_a:
        for j in rest_b:
            score, rect = _scores(fa[i], fb[j], use_rectification)
            if score >= threshold:
                scores[i, j] = score
                weights[i, j] = score + RECT_TIE_BREAK * rect + POSITION_TIE_BREAK * (1 - abs(i / na - j / nb))
    for i, j in max_weight_matching(weights):
        matches.append(Match(i, j, scores[i, j]))
    return sorted(matches, key=lambda m: m.earlier)


def _identical(fa: list[Features], fb: list[Features], use_rectification: bool) -> list[tuple[int, int]]:
    """Pairs whose exact key (the title, else a long rectification) is unique on both sides."""
    def keys(feats: list[Features]) -> dict[str, list[int]]:
        out: dict[str, list[int]] = {}
        for index, f in enumerate(feats):
            if f.title:
                k = "t:" + f.title
            elif use_rectification and len(f.rect) >= RECT_FULL_WEIGHT_LEN:
                k = "r:" + f.rect
            else:
                continue
            out.setdefault(k, []).append(index)
        return out

    ka, kb = keys(fa), keys(fb)
    return [(ka[k][0], kb[k][0]) for k in ka if len(ka[k]) == 1 and len(kb.get(k, ())) == 1]
