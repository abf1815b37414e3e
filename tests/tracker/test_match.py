"""tracker.match: order-free one-to-one matching; renumbered/reworded issues found, unrelated never paired."""

from __future__ import annotations

import itertools
import random

import pytest

from tests.tracker.factory import RECTS, TITLES, issue
from tests.tracker.synth import follow_up, load_sample
from tracker.match import MATCH_MIN, features, match_issues, similarity

SAMPLES = ["hetang_2025.txt", "hecheng_2026.txt", "zhengxiang_2024.txt", "yicheng_2024.txt"]


@pytest.fixture(scope="module")
def samples():
    return {name: load_sample(name) for name in SAMPLES}


def _pairs(earlier, later, **kw) -> dict[int, int]:
    return {m.later: m.earlier for m in match_issues(earlier, later, **kw)}


def test_renumbered_and_reworded_issue_still_matched() -> None:
    earlier = [issue(str(n + 1), t, r) for n, (t, r) in enumerate(zip(TITLES, RECTS, strict=True))]
    later = [
        issue("1", "全区现有涉法涉诉、涉房、涉众金融等上访群体近22个。", RECTS[4]),  # reworded, moved up
        issue("2", "巡视组暗访发现某学校学生中餐伙食标准未达标、食堂环境卫生差。", "投入资金新建食堂,已投入使用。"),
        issue("3", TITLES[0], RECTS[0]),
        issue("4", "某学校教学楼人均建筑面积不达标,抗震措施不满足校安工程要求。", "学校已停止招生,学生分流至周边学校。"),
    ]
    assert _pairs(earlier, later) == {0: 4, 1: 2, 2: 0, 3: 1}


def test_real_shortened_title_matched(samples) -> None:
    """hetang 2026 shortened issue 10's title and kept its text: still issue 10."""
    later = load_sample("hetang_2026.txt")
    got = _pairs(samples["hetang_2025.txt"].issues, later.issues)
    assert got[9] == 9
    assert later.issues[9].title != samples["hetang_2025.txt"].issues[9].title


def test_unrelated_issues_never_paired(samples) -> None:
    for a, b in itertools.permutations(SAMPLES, 2):
        assert match_issues(samples[a].issues, samples[b].issues) == [], (a, b)


def test_unrelated_after_a_drop_and_an_add() -> None:
    earlier = [issue("1", TITLES[0], RECTS[0]), issue("2", TITLES[1], RECTS[1])]
    later = [issue("1", TITLES[1], RECTS[1]), issue("2", TITLES[3], RECTS[3])]
    assert _pairs(earlier, later) == {0: 1}


def test_duplicate_titles_paired_in_order() -> None:
    same = "落实中央八项规定精神不到位。"
    earlier = [issue("1", same, RECTS[0]), issue("2", same, RECTS[1])]
    later = [issue("1", same, RECTS[1]), issue("2", same, RECTS[0])]
    assert _pairs(earlier, later) == {0: 1, 1: 0}  # the texts decide between equal titles


def test_title_less_issues_matched_by_rectification() -> None:
    earlier = [issue(None, None, RECTS[n]) for n in range(4)]
    later = [issue(None, None, RECTS[3] + "目前已基本完成。"), issue(None, None, RECTS[0])]
    assert _pairs(earlier, later) == {0: 3, 1: 0}


def test_short_texts_alone_do_not_pair() -> None:
    earlier = [issue(None, None, "已整改到位。")]
    later = [issue(None, None, "已整改到位。")]
    assert match_issues(earlier, later) == []


def test_similarity_bounds() -> None:
    a = features(issue("1", TITLES[0], RECTS[0], category="防范化解重大风险乏力"))
    b = features(issue("9", TITLES[0], RECTS[5], category="防范化解重大风险乏力"))
    assert similarity(a, b) == 1.0
    assert similarity(a, features(issue("2", TITLES[4], RECTS[4]))) < MATCH_MIN


@pytest.mark.parametrize("name", ["hetang_2025.txt", "hecheng_2026.txt", "zhengxiang_2024.txt"])
@pytest.mark.parametrize("strength, reword, new_text", [(1, 0.3, 0.4), (2, 0.5, 0.5), (2, 1.0, 1.0)])
def test_synthetic_follow_ups(samples, name: str, strength: int, reword: float, new_text: float) -> None:
    """Renumbered, shuffled, reworded, issues dropped and unrelated ones added: no wrong pair
    with an added issue, and nearly every kept issue found."""
    donors = [i for other in SAMPLES if other != name for i in samples[other].issues]
    found = total = 0
    for seed in range(10):
        rng = random.Random(f"{name}{seed}{strength}")
        fu = follow_up(samples[name], donors, rng, strength=strength, reword_share=reword, new_text=new_text)
        got = _pairs(samples[name].issues, fu.later.issues)
        for j, truth in enumerate(fu.truth):
            if truth is None:
                assert j not in got, "an added, unrelated issue was paired"
            else:
                total += 1
                found += got.get(j) == truth
    assert found / total >= 0.97
