"""tracker.assign: the maximum-weight matching against brute force."""

from __future__ import annotations

import itertools
import random

import pytest

from tracker.assign import max_weight_matching


def _brute(weights: dict[tuple[int, int], float]) -> float:
    edges = sorted(weights)
    best = 0.0
    for r in range(len(edges) + 1):
        for subset in itertools.combinations(edges, r):
            lefts = [i for i, _ in subset]
            rights = [j for _, j in subset]
            if len(set(lefts)) == len(lefts) and len(set(rights)) == len(rights):
                best = max(best, sum(weights[e] for e in subset))
    return best


@pytest.mark.parametrize("seed", range(60))
def test_matches_brute_force(seed: int) -> None:
    rng = random.Random(seed)
    n, m = rng.randint(1, 5), rng.randint(1, 5)
    weights = {(i, j): round(rng.uniform(0.5, 1.0), 3) for i in range(n) for j in range(m) if rng.random() < 0.5}
    got = max_weight_matching(weights)
    assert all(pair in weights for pair in got)
    assert len({i for i, _ in got}) == len(got) == len({j for _, j in got})
    assert sum(weights[p] for p in got) == pytest.approx(_brute(weights))


def test_prefers_the_better_total_over_the_single_best_pair() -> None:
    # greedy would take (0, 0) = 0.9 and leave 1 unmatched; optimal is 0.8 + 0.8
    weights = {(0, 0): 0.9, (0, 1): 0.8, (1, 0): 0.8}
    assert max_weight_matching(weights) == [(0, 1), (1, 0)]


def test_empty_and_disconnected() -> None:
    assert max_weight_matching({}) == []
    assert max_weight_matching({(0, 5): 0.7, (3, 1): 0.6}) == [(0, 5), (3, 1)]


def test_deterministic_ties() -> None:
    weights = {(0, 0): 0.7, (0, 1): 0.7, (1, 0): 0.7, (1, 1): 0.7}
    assert max_weight_matching(weights) == max_weight_matching(dict(reversed(list(weights.items()))))
