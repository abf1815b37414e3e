"""Status of an issue from its rectification text, by the rules of SCHEMA.md.

Four kinds of evidence are collected clause by clause:

* ``whole``   — the issue as a whole is said to be finished (已全部整改到位, 整改完毕, 整改率100% …);
* ``done``    — some part is said to be finished (已完成…, 51个项目顺利完工, 已建成 …);
* ``pending`` — work is under way or planned (正在…, 待…后, 尚未, 剩余…, 下一步将 …);
* ``partial`` — the notice itself says part is done (阶段性完成, 基本完成, 12起已化解6起 …).

Then: partial, or pending with something done → ``partial``; pending alone → ``in_progress``;
a whole-issue claim alone → ``completed``; otherwise ``unclear``. A claim inside an instruction
or a goal (督促…整改到位, 确保…到位, 力争…完成) is not a claim. Long-term phrases (长效机制,
持续巩固, 常态化) and figures (同比下降…%, 排名…) are not evidence at all.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, field

# -- evidence phrases ------------------------------------------------------------------------
_FINISH = r"(?:完成|完毕|到位|办结|销号|解决|清零)"
WHOLE = [
    r"全部(?:完成|整改|办结|销号|到位|解决|清零|清退|追回|收回|退回|退还|清收|拆除|撤离|关停|拨付|归还|化解|纠正|处置|兑付|验收合格|入驻|交流|配备)",
    r"(?:已|均已|现已|已经)(?:全部)?彻底(?:完成|整改|解决)",
    r"(?:已|均已|现已|已经)(?:全部)?完成(?:了)?[^。;,]{0,40}?(?:问题|事项)?(?:的)?整改(?!工作方案|方案|措施|计划|台账)",
    r"(?:整改|问题)(?:已|均已)(?:全部)?(?:完成|完毕|到位|销号)|(?:整改|问题)全部(?:完成|完毕|到位|销号)",
    r"已(?:经)?(?:全部)?(?:退还|追回|收回|清退|退回|拆除|撤离|关停|注销|清收|归还|兑付|补缴)",
    r"整改(?:工作)?(?:已)?(?:基本)?完毕|(?:处理|处置|清理|拆除|办理|修复|清退|整治)完毕",
    r"整改率(?:为|达|达到)?100%",
    r"已(?:经)?(?:全部)?解决|(?:问题|隐患)(?:已|均已)(?:经)?(?:得到)?(?:解决|消除|化解)",
    r"(?:均已|已全部)(?:完成|建成|办结|整改|到位|落实|销号)",
    r"(?:已|均已)(?:建成|竣工)(?:并)?(?:稳定|正常)?(?:投用|投入使用|通车|运行)|(?:建成|完工)[^。;]{0,6}?(?:正在|正常|稳定)运行|(?:建成|已)通车|已(?:正常)?通行|已投入使用|如期开学|已(?:正式)?(?:投用|投产)",
    r"(?:建设|工程|项目|施工|改造|修复)(?:已|均已|已经)(?:全部)?(?:完成|完工|竣工)",
    r"(?:整改|清退|退还|追缴|退缴|拨付|关停|拆除|追责|问责|纠正|处理|处置|配备|配齐|管控|销号|清理|清收|收回|追回|归还|补缴|兑付|安置|落实|撤离)到位(?![\u4e00-\u9fff]{0,2}(?:率|后))",
    r"验收销号|销号到位|整治销号|通过(?:了)?[\u4e00-\u9fff]{0,6}验收销号",
    r"配齐|(?:已|全部)(?:整改|纠正|清理)(?:到位|完成)?",
]
DONE = [
    r"(?:已|均已|现已|已经)(?:完成|建成|完工|竣工|办结|化解|解决|整改|盘活|拆除|交付|落实|审核通过|通过|新增|办理|收回|追回|清退|清收|关停|消除|修复|启用)",
    r"已经?[\u4e00-\u9fff]{0,12}?(?:审核|审批|验收|审查)通过",
    r"(?:完成|完工|竣工|建成)(?:了)?[\u4e00-\u9fff\d、]{0,30}?(?:建设|改造|工程|整改|施工|任务|办证|修复|延伸|签订|签约|验收|交付|搬迁|安置|清理|整治)",
    r"(?:个|项|处|起|件|户|套|家|座|条|名|宗)(?:[\u4e00-\u9fff]{0,8})(?:已|顺利)(?:完成|完工|竣工|建成|化解|办结|整改)",
    r"完工|竣工",
    r"实现通水|已复工",
    r"整改完成",
]
PENDING = [
    r"正(?:在|加紧|加快|有序|按|积极|抓紧|稳步|全力|逐步|陆续)(?!常|式|运行|使用|营业|开展的)(?![\u4e00-\u9fff]{0,1}运行)",
    r"(?:尚|仍|还)(?:未|没有|在|需|有)",
    r"待[\u4e00-\u9fff]{1,16}(?:后|完成|批复)",
    r"待(?<![接对期看招款优虐善]待)(?!遇|人|客)[\u4e00-\u9fff]",
    r"(?:剩余|其余|另外|另有)[\u4e00-\u9fff\d]{0,10}?(?:正在|正|待|将|仍|未|纳入)|剩余\d+",
    r"下一步(?:将|要|还将)?|计划(?:于|在)?\d{4}年|计划[^。;,]{0,10}?将|将[^。;,]{0,12}?(?:彻底整改到位|整改到位|全部完成)|预计(?:于|在)?\d{4}年|预计[\u4e00-\u9fff]{0,6}(?:完成|建成|完工)",
    r"(?:力争|争取)[\u4e00-\u9fff\d年月底前,]{0,12}(?:完成|建成|完工|办结|实现|投用|开工|通车)",
    r"启动(?:了)?(?:建设|施工|实施|改造)|开工建设|推进中|整改中|持续推进中|分步推进|分批推进",
    r"将(?:于|在)?\d{4}年",
]
PARTIAL = [
    r"阶段性(?:完成|成效|成果|进展)|基本(?:完成|满足|建成|解决|到位|实现)|部分(?:完成|整改|解决)",
    r"(?:完成|整改|交付|化解|办结|销号|去化)率(?:为|达|达到|仅)?\s*(?:[1-9]?\d(?:\.\d+)?)%",
]
#: A clause that states an instruction, a goal or a habit, not a result.
NOT_A_CLAIM = re.compile(
    r"督促|要求|确保|力争|争取|推动|促进|计划|预计|将(?!其|该|相关|问题)|以便|一旦|发现问题|及时|限期|责令|务必|必须|坚持|切实|"
    r"尚未|未能|没有|不到位|未到位|是否|如期完成的|目标|标准|方案|机制|制度"
)
#: Long-term follow-up, not pending work.
LONG_TERM = re.compile(r"长效|常态化|持续巩固|巩固(?:整改)?成果|回头看|防止反弹|严防|举一反三")

#: A clause: a run between clause ends — sentence punctuation or a comma, but not a thousands separator (``1,200``).
_CLAUSE = re.compile(r"[^。;!?\n,]+(?:(?<=\d),(?=\d{3}(?!\d))[^。;!?\n,]*)*")
#: ``12起主办案件已化解6起``: a done count smaller than the total in the same sentence. The count is matched
#: from the start of its digits only (the lookbehind): from every position a long run of digits costs quadratic time.
_COUNT_RE = re.compile(r"(?<!\d)(?P<n>\d+)(?P<u>个|项|处|起|件|户|套|家|座|条|名|宗|本|亩)"
                       r"(?P<mid>[^;;\n]{0,40}?)已[\u4e00-\u9fff]{0,6}?(?P<m>\d+)(?P=u)")
_RATE_100 = re.compile(r"(?:完成|整改|交付|化解|办结|销号)率(?:为|达|达到)?\s*100%")


@dataclass
class StatusResult:
    status: str
    evidence: list[str] = field(default_factory=list)


def classify_status(text: str, explicit: str | None = None) -> StatusResult:
    """Decide completed / partial / in_progress / unclear for one rectification text."""
    if explicit:
        return StatusResult(explicit, [f"explicit status line: {explicit}"])
    spans = _clause_spans(text)
    starts = [a for a, _ in spans]
    hits = {name: _hits(patterns, text, starts, spans, veto=name in ("whole", "done"))
            for name, patterns in _FAMILIES.items()}
    whole: list[str] = []
    done: list[str] = []
    pending: list[str] = []
    partial = [_snip(m.group(0)) for m in _COUNT_RE.finditer(text) if _less(m["m"], m["n"])] if "已" in text else []
    for i in sorted(set().union(*hits.values())):
        clause = text[spans[i][0]:spans[i][1]]
        if LONG_TERM.search(clause) and not re.search(r"已|完成", clause):
            continue
        if i in hits["partial"] and not _RATE_100.search(clause):
            partial.append(_snip(clause))
        elif i in hits["pending"] and not _is_result_clause(clause):
            pending.append(_snip(clause))
        elif NOT_A_CLAIM.search(_before_claim(clause)):
            continue
        elif i in hits["whole"]:
            whole.append(_snip(clause))
        elif i in hits["done"]:
            done.append(_snip(clause))
    if partial:
        return StatusResult("partial", partial + pending + whole)
    if pending and (whole or done):
        return StatusResult("partial", (whole or done)[:3] + pending[:3])
    if pending:
        return StatusResult("in_progress", pending[:4])
    if whole:
        return StatusResult("completed", whole[:4])
    return StatusResult("unclear", [])


#: A result phrase right after one of these is negated or still to come (未完成, 将全部完成, 确保整改完成).
_VETO_BEFORE = tuple("未不没无将要需") + ("计划", "争取", "力争", "确保")


def _hits(patterns: list[re.Pattern[str]], text: str, starts: list[int], spans: list[tuple[int, int]],
          veto: bool) -> set[int]:
    """Indexes of the clauses in which any of ``patterns`` matches (one scan of the text per pattern)."""
    found: set[int] = set()
    for pattern in patterns:
        pos = 0
        while m := pattern.search(text, pos):
            i = bisect_right(starts, m.start()) - 1
            if veto and i >= 0 and text[max(spans[i][0], m.start() - 2):m.start()].endswith(_VETO_BEFORE):
                pos = m.start() + 1  # a vetoed match must not hide a later one
                continue
            if i >= 0 and m.start() < spans[i][1]:
                found.add(i)
            pos = max(m.end(), m.start() + 1)
    return found


def _clause_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of every clause that is not blank (one regex pass)."""
    return [m.span() for m in _CLAUSE.finditer(text) if not m.group().isspace()]


def _split_alternatives(pattern: str) -> list[str]:
    """Top-level ``|`` alternatives of a pattern (parentheses, classes and escapes respected)."""
    out, depth, in_class, escaped, cur = [], 0, False, False, []
    for ch in pattern:
        if escaped:
            escaped = False
        elif ch == "\\":
            escaped = True
        elif in_class:
            in_class = ch != "]"
        elif ch == "[":
            in_class = True
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif ch == "|" and depth == 0:
            out.append("".join(cur))
            cur = []
            continue
        cur.append(ch)
    out.append("".join(cur))
    return out


_LEADING_GROUP = re.compile(r"^\(\?:([^()\[\]?*+{}\\]+)\)(?![?*{+])")


def _literal_prefixed(family: list[str]) -> list[re.Pattern[str]]:
    """Compile a family as one alternation whose every branch starts with a literal character.

    Python's regex engine then skips ahead to the possible first characters; a branch that starts
    with a group, a class or a lookaround makes it try every position (measured: ~30x slower).
    """
    out: list[str] = []
    for pattern in family:
        for alt in _split_alternatives(pattern):
            m = _LEADING_GROUP.match(alt)
            out.extend(lit + alt[m.end():] for lit in m[1].split("|")) if m else out.append(alt)
    return [re.compile("|".join(out))]


_FAMILIES = {name: _literal_prefixed(family) for name, family in
             (("whole", WHOLE), ("done", DONE), ("pending", PENDING), ("partial", PARTIAL))}


def _less(a: str, b: str) -> bool:
    """``int(a) < int(b)`` for digit strings of any length (``int()`` refuses over 4,300 digits)."""
    if len(a) <= 1000 and len(b) <= 1000:
        return int(a) < int(b)
    a, b = a.lstrip("0") or "0", b.lstrip("0") or "0"
    return (len(a), a) < (len(b), b)


def _before_claim(clause: str) -> str:
    """The part of a clause before its result verb (where 督促/确保 would turn it into an instruction)."""
    m = re.search(r"已|完成|完毕|到位|办结|销号|解决|通车|投用|投入使用|配齐", clause)
    return clause[: m.start()] if m else clause


def _is_result_clause(clause: str) -> bool:
    """``已建成,正在运行`` — 正在 describing a working result, not pending work."""
    return bool(re.search(r"正在(?:运行|使用|营业)|正常(?:运行|使用|通行|办公)", clause)) and not re.search(
        r"正在(?!运行|使用|营业)", clause)


def _snip(text: str, width: int = 60) -> str:
    text = text.strip(" ,,。;")
    return text if len(text) <= width else text[: width - 1] + "…"
