"""Status rules of SCHEMA.md, one phrase family per case."""

import pytest

from crawler.parse.status import classify_status


@pytest.mark.parametrize("text, status", [
    ("目前,省委巡视反馈的超配、超编问题已全部整改到位。", "completed"),
    ("现已全部整改完成,问题整改率100%。", "completed"),
    ("相关缺陷已整改完毕。", "completed"),
    ("违规发放的补贴已全部清退。", "completed"),
    ("书山路小学建设已完成,2024年9月如期开学。", "completed"),
    ("雨母山污水处理设施已建成并稳定运行。", "completed"),
    ("一是区法院3处资产,2处资产已整改完成,黄金坳法庭资产相关手续正在协调办理。", "partial"),
    ("58个子项目中,51个项目顺利完工,7个项目正在有序实施。", "partial"),
    ("12起主办案件已化解6起。", "partial"),
    ("已完成交付2880套,交付率91.05%。", "partial"),
    ("社区干部已基本满足工作要求。", "partial"),
    ("入河排污口整治等八项工作均取得了阶段性成效。", "partial"),
    ("制定了整改措施,正有序推进。", "in_progress"),
    ("正在加快推动项目开工建设。", "in_progress"),
    ("待前期手续完成后,办理产权证。", "in_progress"),
    ("一是建立长效机制。二是加强监督管理。三是加大案件查办。", "unclear"),
    ("区委常委会召开会议开展专题学习,督促相关单位整改到位。", "unclear"),
    ("确保按照上级要求及时完成相关学习。", "unclear"),
    ("2024年上半年刑事警情同比下降38.05%,排名全市第二。", "unclear"),
    ("持续巩固整改成果,常态化开展回头看。", "unclear"),
    ("实行整改问题台账式管理和整改销号制。", "unclear"),
    ("停止支付溢价收购协议中剩余尾款。", "unclear"),
])
def test_status_rules(text, status):
    assert classify_status(text).status == status


def test_evidence_names_the_deciding_phrases():
    result = classify_status("一是加强培训。二是2处资产已整改完成,1处正在协调办理。")
    assert result.status == "partial"
    assert any("正在协调办理" in e for e in result.evidence)
    assert any("已整改完成" in e for e in result.evidence)


def test_explicit_status_wins():
    assert classify_status("正在推进。", explicit="completed").status == "completed"
