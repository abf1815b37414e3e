"""Header facts: title, signature, inspection, dates, declared count."""

from datetime import date

from crawler.parse import parse_text
from crawler.parse.dates import cn_int, find_dates, parse_date, resolve_years


def test_chinese_numerals_and_dates():
    assert cn_int("第十一") == 11 and cn_int("十二") == 12 and cn_int("二〇二四") == 2024 and cn_int("x") is None
    assert resolve_years(find_dates("2025年3月5日至5月16日")) == [date(2025, 3, 5), date(2025, 5, 16)]
    assert parse_date("二〇二四年二月二十八日") == date(2024, 2, 28)
    assert parse_date("发布时间:2026-02-28 10:00") == date(2026, 2, 28)
    assert parse_date("2026年2月30日") is None
    # both forms in one line: the first one printed wins (the ISO check once crashed on this)
    assert parse_date("2024-01-02 2024年3月5日") == date(2024, 1, 2)
    assert parse_date("2024年3月5日 2024-01-02") == date(2024, 3, 5)


def test_header_of_a_provincial_notice():
    r = parse_text(
        "中共怀化市鹤城区委关于巡视整改进展情况的通报\n"
        "根据省委统一部署,2025年3月5日至5月16日,省委第九巡视组对鹤城区委进行了巡视。"
        "2025年6月23日,省委巡视组向鹤城区委反馈了巡视意见。\n"
        "一、组织整改落实情况\n严格按照要求稳步推进31个省委巡视反馈问题整改。\n"
        "二、集中整改期内整改进展情况\n1.问题1:资金管理不规范。\n整改情况:已全部整改到位。\n"
        "欢迎广大干部群众对巡视整改落实情况进行监督。\n中共怀化市鹤城区委\n2026年2月28日\n")
    assert r.title == "中共怀化市鹤城区委关于巡视整改进展情况的通报"
    assert r.issuer == "中共怀化市鹤城区委"
    assert r.published_on == date(2026, 2, 28)
    assert r.declared_issue_count == 31
    i = r.inspection
    assert (i.inspector, i.inspector_level) == ("省委第九巡视组", "provincial")
    assert (i.started_on, i.ended_on, i.feedback_on) == (date(2025, 3, 5), date(2025, 5, 16), date(2025, 6, 23))


def test_feedback_date_without_year_and_round():
    r = parse_text(
        "江夏区委关于十二届省委第三轮巡视集中整改进展情况的通报\n"
        "2023年7月17日至9月15日,省委第十一巡视组对江夏区进行了巡视,并于11月7日反馈了巡视意见。\n"
        "1.问题。\n整改情况:正在推进。\n")
    i = r.inspection
    assert i.round == "十二届省委第三轮"
    assert i.inspector == "省委第十一巡视组"
    assert (i.started_on, i.ended_on, i.feedback_on) == (date(2023, 7, 17), date(2023, 9, 15), date(2023, 11, 7))


def test_inspector_variants_and_levels():
    for text, inspector, level in [
        ("2024年3月1日至4月30日,市委巡察六组对区文旅体局党组开展了常规巡察。", "市委巡察六组", "municipal"),
        ("2024年3月1日至4月30日,十一届区委第三巡察组对某街道党工委进行了巡察。", "十一届区委第三巡察组", "county"),
        ("2024年3月1日至4月30日,中央第十五巡视组对某省进行了巡视。", "中央第十五巡视组", "central"),
        ("2024年3月1日至4月30日,省委巡视九组对某县进行了巡视。", "省委巡视九组", "provincial"),
    ]:
        r = parse_text(f"关于巡察整改进展情况的通报\n{text}\n1.问题。\n整改情况:正在推进。\n")
        assert (r.inspection.inspector, r.inspection.inspector_level) == (inspector, level)


def test_title_split_over_two_lines_and_unsigned_notice():
    r = parse_text("中共某某县委\n关于巡视整改进展情况的通报\n根据省委统一部署,省委第二巡视组对某某县进行了巡视。\n"
                   "1.问题。\n整改情况:正在推进。\n公开期限:2024年2月25日至3月15日。\n")
    assert r.title == "中共某某县委关于巡视整改进展情况的通报"
    assert r.published_on is None and r.issuer is None


def test_two_span_period_month_only_dates_and_addressee_line():
    r = parse_text("各乡镇党委,区直各单位:\n"
                   "2023年4月7日至5月10日、5月20日至6月6日,省委第十巡视组对某县进行了巡视,现将整改情况通报如下:\n"
                   "1.问题。\n整改情况:正在推进。\n")
    assert (r.inspection.started_on, r.inspection.ended_on) == (date(2023, 4, 7), date(2023, 6, 6))
    month_only = parse_text("2023年4月至6月,省委第十巡视组对某县进行了巡视,2023年7月反馈了巡视意见。\n1.问题。\n整改情况:正在推进。\n")
    i = month_only.inspection
    assert (i.started_on, i.ended_on, i.feedback_on) == (None, None, None)
