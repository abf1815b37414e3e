"""Text measures for tracking: normalisation, similarity of Chinese texts, kept share.

Similarity uses rapidfuzz (C++, MIT, maintained): its normalised Indel ratio (2·LCS/(|a|+|b|))
works character by character, which suits Chinese, where words are not separated. It is
combined with the Dice coefficient of character bigrams, which tolerates clauses moved around.

The ``stalled`` rule is decided with diff-match-patch (pinned in pyproject) with
``Diff_Timeout = 0``: with the default one-second timeout a slow or busy machine stops the
diff early and reports a different, coarser diff, so the same two texts could be stalled on
one machine and progressing on another. Without a timeout Myers' algorithm returns a
shortest edit script, whose unchanged characters are a longest common subsequence; rapidfuzz
computes that length in microseconds, so it answers clear cases and diff-match-patch is run
only when at least :data:`STALLED_KEEP` of the text may be unchanged (then the diff is small
and fast).
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from diff_match_patch import diff_match_patch
from rapidfuzz.distance import Indel, LCSseq

#: Share of the earlier rectification text that must survive for ``stalled`` (SCHEMA.md).
STALLED_KEEP = 0.8

_SPACE_RE = re.compile(r"[\s\u200b\u200c\u200d\u2060\ufeff]+")
_NON_WORD_RE = re.compile(r"[\W_]+")

_DMP = diff_match_patch()
_DMP.Diff_Timeout = 0  # deterministic: see the module docstring


@lru_cache(maxsize=4096)
def norm(text: str | None) -> str:
    """NFKC (full-width → half-width) without white space: the text the diff sees."""
    if not text:
        return ""
    return _SPACE_RE.sub("", unicodedata.normalize("NFKC", text))


@lru_cache(maxsize=4096)
def key(text: str | None) -> str:
    """:func:`norm` without punctuation: what similarity and exact matching compare."""
    if not text:
        return ""
    return _NON_WORD_RE.sub("", unicodedata.normalize("NFKC", text))


def bigrams(text: str) -> frozenset[str]:
    """The set of character bigrams of ``text`` (the text itself when shorter than two)."""
    if len(text) < 2:
        return frozenset((text,)) if text else frozenset()
    return frozenset(text[i:i + 2] for i in range(len(text) - 1))


def dice(a: frozenset[str], b: frozenset[str]) -> float:
    """Dice coefficient of two bigram sets (0 when either is empty)."""
    if not a or not b:
        return 0.0
    return 2 * len(a & b) / (len(a) + len(b))


def ratio(a: str, b: str) -> float:
    """Normalised Indel similarity 2·LCS/(|a|+|b|), in [0, 1] (0 when either is empty)."""
    if not a or not b:
        return 0.0
    return Indel.normalized_similarity(a, b)


def containment(a: str, b: str) -> float:
    """Share of the shorter text found, in order, in the longer (LCS / shorter length)."""
    if not a or not b:
        return 0.0
    return LCSseq.similarity(a, b) / min(len(a), len(b))


def kept_share(old: str | None, new: str | None) -> tuple[float, float]:
    """(share of ``old`` unchanged in ``new``, share of ``new`` that is new), by diff-match-patch.

    Texts are compared after :func:`norm`. An empty old text counts as fully kept when the new
    one is empty too, else as not kept.
    """
    a, b = norm(old), norm(new)
    if not a:
        return (1.0, 0.0) if not b else (0.0, 1.0)
    if a == b:
        return 1.0, 0.0
    same = LCSseq.similarity(a, b)  # = diff-match-patch's unchanged characters (see docstring)
    if same >= STALLED_KEEP * len(a):
        same = sum(len(part) for op, part in _DMP.diff_main(a, b, False) if op == 0)
    return same / len(a), (1 - same / len(b)) if b else 0.0


def dmp_kept(old: str | None, new: str | None) -> float:
    """Share of ``old`` unchanged in ``new`` by diff-match-patch alone (reference for tests)."""
    a, b = norm(old), norm(new)
    if not a:
        return 1.0 if not b else 0.0
    return sum(len(part) for op, part in _DMP.diff_main(a, b, False) if op == 0) / len(a)
