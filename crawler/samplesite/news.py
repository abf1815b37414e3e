"""Ordinary news items: what a crawler must list but not store.

Besides plain news there are decoys whose titles mention 巡视/巡察/整改 (meetings,
work notices, announcements of a new round) but that are not progress notices.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

__all__ = ["DECOY_TITLES", "NewsItem", "news_items"]


@dataclass(frozen=True)
class NewsItem:
    column: str
    title: str
    published: datetime
    source: str
    text: str


#: Decoys: rectification-related titles that are not notices of rectification progress.
DECOY_TITLES = (
    "区委召开巡察整改工作推进会",
    "关于开展整改工作的通知",
    "区委巡视整改工作领导小组听取整改进展情况汇报",
    "市委第三巡察组巡察区教育局党组工作动员会召开",
    "关于十二届区委第六轮巡察进驻情况的公告",
    "我区召开巡视整改专题民主生活会",
    "区纪委监委召开巡察整改监督工作推进会",
    "关于做好巡察整改“回头看”工作的通知",
    "省委巡视组巡视反馈意见整改落实工作部署会召开",
    "区委巡察办举办巡察整改业务培训班",
    "关于巡视整改进展情况通报会的会议通知",
    "巡察整改见成效 群众满意度持续提升",
)

_PLAIN_TITLES = (
    "全区安全生产工作会议召开",
    "区政府召开第十二次常务会议",
    "关于做好2026年春节期间有关工作的通知",
    "优化营商环境工作推进会召开",
    "我区开展学雷锋志愿服务活动",
    "区人大常委会召开第二十次会议",
    "关于公布2025年度区级重点建设项目的公告",
    "全区森林防火工作会议召开",
    "区领导调研乡村振兴工作",
    "区委理论学习中心组举行集体学习",
    "2025年政府信息公开工作年度报告",
    "2026年度部门预算公开说明",
    "防汛抗旱工作部署会召开",
    "关于征集2026年民生实事项目的公告",
    "区法院发布十大典型案例",
    "春季植树造林活动在城东公园举行",
    "我区举办2026年春风行动招聘会",
    "区卫健局开展义诊进社区活动",
    "关于调整城区部分公交线路的通告",
    "全区教育工作会议召开",
    "区委全面依法治区委员会召开会议",
    "2025年度区级财政决算公开",
)

#: How many curated news items each column gets.
_PER_COLUMN = {"trs": 10, "hanweb": 8, "plain": 8, "plain_jsp": 8}
#: Routine generated items added to the Hanweb column at every scale.
_HANWEB_ROUTINE = 40

_DECOY_BODY = (
    "{m}月{d}日，{title}。区委书记出席会议并讲话，区委副书记主持会议。",
    "会议听取了巡视巡察反馈问题整改工作进展情况汇报，对下一阶段整改工作进行了再部署再推进。",
    "会议强调，要坚决扛牢整改主体责任，坚持问题导向，对账销号、跟踪问效，确保反馈问题件件有着落、事事有回音。",
    "区直各单位主要负责同志参加会议。",
)
_NOTICE_BODY = (
    "各镇（街道）党（工）委，区直各单位：",
    "根据工作安排，经研究，现将{title_core}有关事项通知如下。",
    "一、高度重视。各单位要把此项工作作为重要政治任务，主要负责同志亲自抓、负总责。",
    "二、明确时限。请于{m}月{d}日后15个工作日内将有关材料报送区委办公室。",
    "三、严肃纪律。对工作不力、敷衍应付的，将按有关规定严肃追责问责。",
    "区委办公室",
)
_PLAIN_BODY = (
    "{m}月{d}日，{title}。",
    "会议总结了前一阶段工作，分析了当前形势，安排部署了下一步重点任务。",
    "会议要求，各级各部门要提高政治站位，压实工作责任，以务实作风推动各项工作落地见效。",
)


def _text(title: str, when: datetime, body: tuple[str, ...]) -> str:
    core = title.removeprefix("关于").removesuffix("的通知").removesuffix("的公告")
    lines = [title] + [line.format(m=when.month, d=when.day, title=title, title_core=core) for line in body]
    return "\n".join(lines) + "\n"


def news_items(rng: random.Random, extra: int = 0) -> list[NewsItem]:
    """News over the four columns: 34 curated titles (12 decoys), 40 routine items in the Hanweb
    column (so its list outgrows the inline first group of 45 records) and ``extra`` more."""
    titles = list(DECOY_TITLES) + list(_PLAIN_TITLES)
    rng.shuffle(titles)
    columns = [col for col, n in _PER_COLUMN.items() for _ in range(n)]
    generated = ["hanweb"] * _HANWEB_ROUTINE + [("trs", "hanweb", "plain", "plain_jsp")[n % 4] for n in range(extra)]
    # after the oldest bundled notice (2024-02-25): those end up on the last list pages
    start = datetime(2024, 3, 1, 8, 0)
    days = (datetime(2026, 3, 20) - start).days
    items = []
    for n, column in enumerate(columns + generated):
        if n < len(columns):
            title = titles[n]
        else:
            org = rng.choice(("区委", "区政府", "区纪委监委", "区委组织部", "区委宣传部"))
            title = f"{org}召开第{n}次{rng.choice(_TOPICS)}工作会议"
        when = start + timedelta(days=rng.randrange(days), minutes=rng.randrange(600))
        if title.startswith("关于"):
            body = _NOTICE_BODY
        else:
            body = _DECOY_BODY if title in DECOY_TITLES else _PLAIN_BODY
        source = rng.choice(("区委办公室", "区融媒体中心", "区政府办公室", "区纪委监委"))
        items.append(NewsItem(column, title, when, source, _text(title, when, body)))
    return items


_TOPICS = ("安全生产", "文明创建", "招商引资", "乡村振兴", "信访维稳", "生态环保", "民生实事", "项目建设")
