"""tracker.text: normalisation, similarity measures and the kept share of diff-match-patch."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from tracker import text

CJK = st.text(alphabet="的一是在不了有和人这中大为上个整改问题巡视完成推进建立机制,。、0123456789", max_size=120)


def test_norm_and_key() -> None:
    assert text.norm(" 整改 情况:\u3000已完成,100% ") == "整改情况:已完成,100%"
    assert text.key("“回头看”涉及,荷塘区(10个)。") == "回头看涉及荷塘区10个"
    assert text.key(None) == "" and text.norm("") == ""


def test_ratio_dice_containment() -> None:
    assert text.ratio("超配超编问题", "超配超编问题") == 1.0
    assert text.ratio("", "超编") == 0.0
    assert text.dice(text.bigrams("食堂环境卫生差"), text.bigrams("卫生差食堂环境")) > 0.6
    assert text.containment("巡视组暗访发现某学校", "2024年巡视组暗访发现某学校学生") == 1.0


def test_diff_timeout_is_zero() -> None:
    assert text._DMP.Diff_Timeout == 0


def test_kept_share_edge_cases() -> None:
    assert text.kept_share("", "") == (1.0, 0.0)
    assert text.kept_share("", "新增内容") == (0.0, 1.0)
    assert text.kept_share("已完成", "") == (0.0, 0.0)
    assert text.kept_share("目前 正在推进", "目前正在推进") == (1.0, 0.0)
    kept, fresh = text.kept_share("一是加强培训。二是完善制度。", "一是加强培训。二是完善制度。三是强化监督执纪。")
    assert kept == 1.0 and 0.3 < fresh < 0.5


@settings(max_examples=300, deadline=None)
@given(CJK, CJK)
def test_kept_share_is_diff_match_patch(old: str, new: str) -> None:
    """The rapidfuzz shortcut gives exactly diff-match-patch's share (Diff_Timeout = 0)."""
    assert abs(text.kept_share(old, new)[0] - text.dmp_kept(old, new)) < 1e-9


@settings(max_examples=200, deadline=None)
@given(CJK, st.integers(0, 40), st.integers(0, 40))
def test_kept_share_of_small_edits(old: str, cut: int, add: int) -> None:
    new = old[: max(0, len(old) - cut)] + "补" * add
    assert abs(text.kept_share(old, new)[0] - text.dmp_kept(old, new)) < 1e-9
