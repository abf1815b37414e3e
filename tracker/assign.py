"""Optimal one-to-one assignment: a maximum-weight matching of a sparse bipartite graph.

scipy's ``linear_sum_assignment`` would bring numpy and scipy (about 60 MB) for one
function. The graphs here are small and sparse (only issue pairs above the similarity
threshold are edges, and pairs with identical titles are settled before), so the graph is
split into connected components and each is solved with the O(n²m) shortest-augmenting-path
Hungarian algorithm (Kuhn–Munkres with potentials), in pure Python. Tests check it against
brute force. Ties are broken by index order, so results are deterministic.
"""

from __future__ import annotations

from collections.abc import Mapping

Edge = tuple[int, int]


def max_weight_matching(weights: Mapping[Edge, float]) -> list[Edge]:
    """Pairs (left, right), each index used at most once, maximising the total weight.

    ``weights`` holds the allowed pairs only, with positive weights; a pair that is not a
    key is never returned. The result is sorted.
    """
    out: list[Edge] = []
    for lefts, rights in _components(weights):
        if len(lefts) == 1 and len(rights) == 1:
            out.append((lefts[0], rights[0]))
            continue
        cost = [[-weights.get((i, j), 0.0) for j in rights] for i in lefts]
        for r, c in _hungarian(cost):
            if (lefts[r], rights[c]) in weights:
                out.append((lefts[r], rights[c]))
    return sorted(out)


def _components(weights: Mapping[Edge, float]) -> list[tuple[list[int], list[int]]]:
    """Connected components of the bipartite graph, as (sorted lefts, sorted rights)."""
    parent: dict[tuple[int, int], tuple[int, int]] = {}

    def find(x: tuple[int, int]) -> tuple[int, int]:
        root = x
        while parent[root] != root:
            root = parent[root]
        while parent[x] != root:
            parent[x], x = root, parent[x]
        return root

    for i, j in weights:
        a, b = (0, i), (1, j)
        parent.setdefault(a, a)
        parent.setdefault(b, b)
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    groups: dict[tuple[int, int], tuple[list[int], list[int]]] = {}
    for node in sorted(parent):
        side, index = node
        groups.setdefault(find(node), ([], []))[side].append(index)
    return [groups[root] for root in sorted(groups)]


def _hungarian(cost: list[list[float]]) -> list[Edge]:
    """Minimum-cost assignment of a dense rectangular matrix: (row, column) pairs."""
    if len(cost) > len(cost[0]):
        transposed = [list(col) for col in zip(*cost, strict=True)]
        return sorted((r, c) for c, r in _hungarian(transposed))
    n, m = len(cost), len(cost[0])
    inf = float("inf")
    u = [0.0] * (n + 1)
    v = [0.0] * (m + 1)
    owner = [0] * (m + 1)  # owner[j]: the row (1-based) assigned to column j, 0 if none
    way = [0] * (m + 1)
    for i in range(1, n + 1):
        owner[0] = i
        j0 = 0
        minv = [inf] * (m + 1)
        used = [False] * (m + 1)
        while True:
            used[j0] = True
            i0 = owner[j0]
            row = cost[i0 - 1]
            delta, j1 = inf, 0
            for j in range(1, m + 1):
                if not used[j]:
                    cur = row[j - 1] - u[i0] - v[j]
                    if cur < minv[j]:
                        minv[j], way[j] = cur, j0
                    if minv[j] < delta:
                        delta, j1 = minv[j], j
            for j in range(m + 1):
                if used[j]:
                    u[owner[j]] += delta
                    v[j] -= delta
                else:
                    minv[j] -= delta
            j0 = j1
            if owner[j0] == 0:
                break
        while j0:
            j1 = way[j0]
            owner[j0] = owner[j1]
            j0 = j1
    return sorted((owner[j] - 1, j - 1) for j in range(1, m + 1) if owner[j])
