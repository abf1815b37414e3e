"""Build small Reports and Issues for the tracker's tests."""

from __future__ import annotations

from datetime import date

from crawler.parse.schema import Inspection, Issue, Report, Unit

HETANG = Unit(name="荷塘区", province="湖南省", city="株洲市", level="county", adcode="430202")
ROUND_2024 = Inspection(inspector="省委第三巡视组", inspector_level="provincial", started_on=date(2024, 9, 10),
                        feedback_on=date(2024, 12, 28))
ROUND_2021 = Inspection(inspector="省委第六巡视组", inspector_level="provincial", started_on=date(2021, 4, 1),
                        feedback_on=date(2021, 7, 2))

#: Realistic, unrelated problems and rectification texts (from the sample notices).
TITLES = [
    "三一智慧钢铁城作为我省重点建设项目,于2019年开建,原计划2024年12月建成投产,目前完成进度较慢。",
    "某学校教学楼师生人均建筑面积未达国家标准,抗震构造措施不能满足现行校安工程要求。",
    "巡视组暗访发现某学校学生中餐伙食标准未达标,食堂环境卫生差。",
    "部分融资成本偏高,2021年8月,金科集团、金城集团向某公司融资,贷款综合成本9.72%。",
    "全区现有涉法涉诉、涉房、涉众金融等近22个上访群体。",
    "警示教育严重缺失,多名主要负责人被查处但未通报。",
]
RECTS = [
    "一是健全工作机制,建立相关区领导牵头的园区重大事项决策专班,强化统筹协调,做好要素保障。二是细化工作举措。",
    "一是做好安全防范。聘请专业机构,定期对教学楼实施安全监测。二是制定分流方案,计划3年内将现有学生分流至周边学校。",
    "一是改善食堂环境。投入资金提质升级食堂硬件设施,完成操作间改造。二是加强食堂管理,每周公示食谱。",
    "依法查处了相关责任人。通过到期还款、续贷、置换等措施,实现综合融资成本下降到合理区间。",
    "畅通问题反映渠道,区级综治中心揭牌运行,构建一站式矛盾纠纷调处平台,推动矛盾化早化小。",
    "线上通过微信公众号等平台,线下召开全区警示教育大会,通报本区违法违纪案件,组织旁听职务犯罪案件庭审。",
]


def issue(label: str | None, title: str | None, rect: str = "", status: str = "unclear", *,
          category: str | None = None, subs: list[Issue] | None = None) -> Issue:
    seq = int(label) if label and label.isdigit() else 0
    return Issue(seq=seq, label=label, category=category, title=title, rectification=rect,
                 status=status, sub_issues=list(subs or []))  # type: ignore[arg-type]


def report(published: date | None, issues: list[Issue], *, unit: Unit | None = None,
           inspection: Inspection | None = None, title: str = "中共株洲市荷塘区委关于巡视整改进展情况的通报",
           url: str | None = None, issuer: str | None = "中共株洲市荷塘区委员会") -> Report:
    u = unit or HETANG
    return Report(title=title, issuer=issuer, published_on=published, source_url=url,
                  unit=Unit(**vars(u)), inspection=Inspection(**vars(inspection or ROUND_2024)), issues=issues)
