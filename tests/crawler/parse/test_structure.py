"""Layout rules of the issue finder, each on a short realistic snippet."""

from crawler.parse import parse_text

OPENING = (
    "中共某某区委关于巡视整改进展情况的通报\n"
    "根据省委统一部署,2025年3月5日至5月16日,省委第九巡视组对某某区委进行了巡视。"
    "2025年6月23日,省委巡视组向某某区委反馈了巡视意见。现将巡视整改进展情况予以公布。\n"
)
CLOSING = "欢迎广大干部群众对巡视整改落实情况进行监督。联系电话:0745-1234567。\n中共某某区委\n2026年2月28日\n"


def parse(body: str):
    return parse_text(OPENING + body + CLOSING)


def test_sections_categories_and_numbered_items():
    r = parse(
        "一、组织整改落实情况\n区委坚持把巡视整改作为重要政治任务来抓。\n"
        "二、集中整改期内整改进展情况\n"
        "(一)反馈问题:落实巡视审计整改不够有力,成效不佳\n"
        "1.区委主体责任扛得不牢。\n整改情况:目前,相关问题已全部整改到位。\n"
        "2、资金管理不规范。\n整改情况:一是完善制度。二是加强监督。\n"
        "(二)推进高质量发展乏力\n"
        "3:项目进展缓慢。\n整改情况:58个子项目中,51个项目顺利完工,7个项目正在有序实施。\n"
        "三、下一步整改工作安排\n(一)强力整改攻坚。确保问题清零见底。\n"
    )
    assert [(i.label, i.category, i.status) for i in r.issues] == [
        ("1", "落实巡视审计整改不够有力,成效不佳", "completed"),
        ("2", "落实巡视审计整改不够有力,成效不佳", "unclear"),
        ("3", "推进高质量发展乏力", "partial"),
    ]
    assert r.issues[0].title == "区委主体责任扛得不牢。"
    assert r.issues[1].rectification == "一是完善制度。二是加强监督。"


def test_full_width_numbering_is_normalised():
    r = parse("（一）反馈问题：班子建设有不足\n１．选人用人不规范。\n整改情况：已完成整改。\n")
    assert r.issues[0].label == "1"
    assert r.issues[0].category == "班子建设有不足"
    assert r.issues[0].status == "completed"


def test_question_labels_keep_the_printed_number():
    r = parse("(一)推进整改不主动。\n1.问题1:上轮问题未完成整改。\n整改情况:正在推进。\n"
              "12.问题13:消防责任扛得不牢。\n整改情况:一是开展排查。\n问题14:危房住人。\n整改情况:危房人员已全部撤离。\n")
    assert [i.label for i in r.issues] == ["问题1", "问题13", "问题14"]
    assert r.issues[1].title == "消防责任扛得不牢。"
    assert r.issues[2].status == "completed"
    assert any("问题2" in w and "missing" in w for w in r.warnings)


def test_about_quoted_titles_with_nested_quotes():
    r = parse("1.关于“落实“三重一大”决策制度不到位”的问题\n整改情况:印发3个制度性文件。\n"
              "2.关于“财政收入质量不高”问题的整改\n整改情况:已完成整改。\n")
    assert r.issues[0].title == "落实“三重一大”决策制度不到位"
    assert r.issues[1].title == "财政收入质量不高"


def test_three_level_layout_with_subitems_as_issues():
    r = parse("(一)在“政治建设”方面\n1.关于“理论学习”问题的整改\n(1)关于“学习不深入”的问题\n"
              "整改情况:已全部整改到位。\n(2)关于“研讨流于形式”的问题\n整改情况:正在推进。\n")
    assert [(i.label, i.title, i.status) for i in r.issues] == [
        ("1", "学习不深入", "completed"), ("2", "研讨流于形式", "in_progress")]
    assert r.issues[0].category == "理论学习"


def test_inline_marker_in_the_heading_line():
    r = parse("1.财税收入质量不高。整改情况:税源结构持续优化。\n2.债务未化解。整改进展:已全部化解。\n")
    assert [(i.title, i.rectification, i.status) for i in r.issues] == [
        ("财税收入质量不高。", "税源结构持续优化。", "unclear"),
        ("债务未化解。", "已全部化解。", "completed"),
    ]


def test_rectification_without_heading_is_an_issue_with_null_title():
    text = ("宜城市委关于十二届省委第三轮巡视集中整改进展情况的通报\n"
            "根据省委巡视工作统一部署,2023年4月7日至6月6日,省委第十巡视组对宜城市开展了常规巡视。\n"
            "一是坚决讲政治,切实扛牢巡视整改责任。\n三是坚决讲实效,确保取得巡视整改成果。\n"
            "整改情况:一是压实工作责任。二是开展宣讲。\n"
            "2.关于“结合实际贯彻落实有差距”的问题\n整改情况:进行了分解、督办。\n"
            "整改情况:石灰窑生态修复复绿全部验收合格。\n"
            "一是进一步践行“两个维护”。\n二是进一步抓好巩固提升。\n")
    r = parse_text(text)
    assert [(i.label, i.title) for i in r.issues] == [(None, None), ("2", "结合实际贯彻落实有差距"), (None, None)]
    assert r.issues[2].status == "completed"
    assert "进一步" not in r.issues[2].rectification
    assert any("headings missing" in w for w in r.warnings)


def test_measure_lists_are_never_issues():
    r = parse("1.监管不到位。\n整改情况:\n一是建立台账。\n二是加强培训。\n(1)开展检查3次。\n2.培训不足。\n整改情况:已完成。\n")
    assert len(r.issues) == 2
    assert "一是建立台账" in r.issues[0].rectification and "(1)开展检查3次" in r.issues[0].rectification


def test_carried_over_sub_issues_take_the_group_status():
    r = parse("1.问题1:上轮巡视反馈的34个问题有11个未完成整改。\n"
              "整改情况:已完成整改2个问题,阶段性完成整改1个问题。(1)已完成整改2个,分别是:1-2,财税收入质量不高。"
              "整改情况:税源结构持续优化。1-9,党校“寄居”其他学校。整改情况:党校已整体迁入新址。\n"
              "(2)阶段性完成整改1个,分别是:1-1,项目效益偏低。整改情况:一是大力推进破产重整。\n")
    issue = r.issues[0]
    assert [(s.label, s.title, s.status) for s in issue.sub_issues] == [
        ("1-2", "财税收入质量不高", "completed"), ("1-9", "党校“寄居”其他学校", "completed"),
        ("1-1", "项目效益偏低", "partial")]
    assert issue.status == "partial"
    assert "税源结构" not in issue.rectification


def test_dates_with_ranges_are_not_sub_issue_labels():
    r = parse("1.审计问题未整改。\n整改情况:2025年5月-9月,市审计局开展审计;2024年1-7月税收增长。\n")
    assert r.issues[0].sub_issues == []


def test_explicit_status_lines_of_department_notices():
    r = parse("1.公务用车管理不规范。\n整改措施:修订管理办法。\n整改状态:完成\n"
              "2.档案管理混乱。\n整改措施:开展清理。\n完成情况:阶段性完成\n")
    assert [i.status for i in r.issues] == ["completed", "partial"]
    assert r.issues[0].status_evidence == ["explicit status line: completed"]


def test_repeated_paragraphs_are_kept_once_with_a_warning():
    block = "1.资金管理不规范,存在违规拆借资金问题。\n整改情况:违规拆借的1200万元资金已全部收回,对相关责任人已严肃问责处理。\n"
    r = parse(block + block)
    assert len(r.issues) == 1
    assert any("repeated" in w for w in r.warnings)


def test_notice_without_markers_uses_headings_and_paragraphs():
    r = parse("1.关于“项目建设滞后”的问题。\n项目已建成并投入使用。\n2.关于“资金闲置”的问题。\n正在加快资金拨付。\n")
    assert [(i.title, i.status) for i in r.issues] == [("项目建设滞后", "completed"), ("资金闲置", "in_progress")]


def test_meeting_news_is_a_report_with_zero_issues_and_a_warning():
    r = parse_text("区委召开巡视整改工作推进会\n3月5日,区委召开巡视整改工作推进会,研究部署下一步巡视整改工作。"
                   "会议强调,要坚决扛牢巡视整改政治责任。\n")
    assert r.issues == []
    assert any("no rectification issues" in w for w in r.warnings)


def test_department_notice_with_bare_status_lines_and_chinese_question_numbers():
    text = ("中共某某区文旅体局党组关于巡察整改进展情况的通报\n"
            "2024年3月1日至4月30日,区委第二巡察组对区文旅体局党组开展了常规巡察,通报如下:\n"
            "问题一:公务接待管理不规范。\n整改措施:修订接待制度。\n整改状态:完成\n"
            "问题二:项目资金拨付滞后。\n整改举措:建立台账。\n阶段性完成\n"
            "问题:固定资产账实不符。\n整改情况:正在开展清查。\n")
    r = parse_text(text)
    assert [(i.label, i.title, i.status) for i in r.issues] == [
        ("问题一", "公务接待管理不规范。", "completed"),
        ("问题二", "项目资金拨付滞后。", "partial"),
        (None, "固定资产账实不符。", "in_progress"),
    ]
    assert r.inspection.inspector == "区委第二巡察组" and r.inspection.inspector_level == "county"


def test_parenthesised_arabic_numbers_and_other_marker_words():
    r = parse("1)食堂管理不规范。\n整改举措:制定管理办法。\n整改成效:问题已全部整改到位。\n"
              "2)车辆管理混乱。\n目前进展:正在推进车辆处置。\n")
    assert [(i.label, i.status) for i in r.issues] == [("1", "completed"), ("2", "in_progress")]
    assert "制定管理办法" in r.issues[0].rectification and "已全部整改到位" in r.issues[0].rectification


def test_city_inspection_layout_with_about_categories():
    text = ("中共某市某区委关于巡察整改进展情况的通报\n"
            "根据市委统一部署,2024年4月10日至6月10日,市委第三巡察组对某区委进行了巡察,7月15日反馈了巡察意见。\n"
            "一、整改工作总体情况\n区委高度重视,成立整改工作领导小组。\n"
            "二、反馈意见整改落实情况\n(一)关于“贯彻落实党的路线方针政策”方面\n"
            "反馈问题1:学习贯彻不够深入。\n整改情况:已全部整改到位。\n"
            "存在问题2:调查研究不够。\n整改情况:一是开展专题调研。\n"
            "四、下一步工作打算\n持续巩固整改成果。\n")
    r = parse_text(text)
    assert [(i.label, i.category, i.status) for i in r.issues] == [
        ("问题1", "关于“贯彻落实党的路线方针政策”方面", "completed"),
        ("问题2", "关于“贯彻落实党的路线方针政策”方面", "unclear")]
    i = r.inspection
    assert (i.inspector, i.inspector_level, str(i.feedback_on)) == ("市委第三巡察组", "municipal", "2024-07-15")
