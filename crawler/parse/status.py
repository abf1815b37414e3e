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
#: The same clause read backwards in the reversed text, where a thousands separator is a comma after three
#: digits that do not follow a fourth, and before a digit. Used to find a clause's start from inside it.
_CLAUSE_REVERSED = re.compile(r"[^。;!?\n,]+(?:(?<=(?<!\d)\d{3}),(?=\d)[^。;!?\n,]*)*")
#: ``12起主办案件已化解6起``: a done count smaller than the total in the same sentence. The count is matched
#: from the start of its digits only (the lookbehind after its first digit): from every position a long run
#: of digits costs quadratic time. A first digit before the lookbehind lets the engine skip to the digits.
_COUNT_RE = re.compile(r"(?P<n>\d(?<!\d\d)\d*)(?P<u>个|项|处|起|件|户|套|家|座|条|名|宗|本|亩)"
                       r"(?P<mid>[^;;\n]{0,40}?)已[\u4e00-\u9fff]{0,6}?(?P<m>\d+)(?P=u)")
#: What every _COUNT_RE match contains: a quick scan (it starts with a literal) that most texts fail.
_COUNT_HINT = re.compile(r"已[\u4e00-\u9fff]{0,6}?\d")
_RATE_100 = re.compile(r"(?:完成|整改|交付|化解|办结|销号)率(?:为|达|达到)?\s*100%")


@dataclass
class StatusResult:
    status: str
    evidence: list[str] = field(default_factory=list)


def classify_status(text: str, explicit: str | None = None) -> StatusResult:
    """Decide completed / partial / in_progress / unclear for one rectification text."""
    if explicit:
        return StatusResult(explicit, [f"explicit status line: {explicit}"])
    partial = _smaller_counts(text) if "已" in text and _COUNT_HINT.search(text) else []
    clauses = _evidence_clauses(text)
    if not clauses:  # most texts: no evidence phrase at all
        return StatusResult("partial", partial) if partial else StatusResult("unclear", [])
    whole: list[str] = []
    done: list[str] = []
    pending: list[str] = []
    for clause, found in clauses:
        if LONG_TERM.search(clause) and "已" not in clause and "完成" not in clause:
            continue
        if found & _PARTIAL and not _RATE_100.search(clause):
            partial.append(_snip(clause))
        elif found & _PENDING and not _is_result_clause(clause):
            pending.append(_snip(clause))
        elif NOT_A_CLAIM.search(_before_claim(clause)):
            continue
        elif found & _WHOLE:
            whole.append(_snip(clause))
        elif found & _DONE:
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


#: The evidence families as bits of one mask per clause.
_WHOLE, _DONE, _PENDING, _PARTIAL = 1, 2, 4, 8
#: A result phrase right after one of these is negated or still to come (未完成, 将全部完成, 确保整改完成).
_VETO_BEFORE = tuple("未不没无将要需") + ("计划", "争取", "力争", "确保")


def _smaller_counts(text: str) -> list[str]:
    """``12起…已化解6起``: each done count smaller than the total before it."""
    return [_snip(m.group(0)) for m in _COUNT_RE.finditer(text) if _less(m["m"], m["n"])]


def _evidence_clauses(text: str) -> list[tuple[str, int]]:
    """The clauses in which some family matches, in text order, each with the mask of the families found."""
    whole, done = _WHOLE_RE.search(text), _DONE_RE.search(text)
    pending, partial = _PENDING_RE.search(text), _PARTIAL_RE.search(text)
    if not (whole or done or pending or partial):
        return []  # most texts: their clauses need not be found at all
    families_at: dict[int, int] = {}  # match start -> mask
    # A whole-issue or done phrase right after 未/将/确保 … is no claim.
    _mark_starts(families_at, _WHOLE, _WHOLE_RE, text, whole, veto=True)
    _mark_starts(families_at, _DONE, _DONE_RE, text, done, veto=True)
    _mark_starts(families_at, _PENDING, _PENDING_RE, text, pending, veto=False)
    _mark_starts(families_at, _PARTIAL, _PARTIAL_RE, text, partial, veto=False)
    return _clauses_of(text, families_at)


def _mark_starts(families_at: dict[int, int], bit: int, pattern: re.Pattern[str], text: str,
                 m: re.Match[str] | None, veto: bool) -> None:
    """Add ``bit`` at the start of each match of ``pattern`` from its first match ``m`` on.

    Each scan resumes after the last match. With ``veto``, a match right after a ``_VETO_BEFORE`` phrase
    is dropped. The two characters before it are read without finding the clause start: a match starts
    with a Chinese character (``_by_first_char``), so a clause end among them leaves a window ending in
    that clause end or in one character, and no veto phrase spans a clause end: the verdict is the same
    as on the part of the window inside the clause.
    """
    while m:
        start = m.start()
        if veto and text[max(0, start - 2):start].endswith(_VETO_BEFORE):
            m = pattern.search(text, start + 1)  # a vetoed match must not hide a later one
            continue
        families_at[start] = families_at.get(start, 0) | bit
        m = pattern.search(text, m.end())  # no match is empty, so this is past the start


def _clauses_of(text: str, families_at: dict[int, int]) -> list[tuple[str, int]]:
    """The clauses around the match starts ``families_at``, in text order, each with the masks of its starts.

    No start is a clause end or blank (each is a Chinese character). Each clause is read once, from its
    first start to both of its ends, so the time stays linear however many starts there are; clauses
    without a start are never read.
    """
    reversed_text = text[::-1]
    last = len(text) - 1
    clauses: list[tuple[str, int]] = []
    start = end = found = 0
    for pos in sorted(families_at):
        if pos >= end:  # past the clause of the previous start
            if found:
                clauses.append((text[start:end], found))
            start = last + 1 - _CLAUSE_REVERSED.match(reversed_text, last - pos).end()
            end = _CLAUSE.match(text, pos).end()
            found = 0
        found |= families_at[pos]
    if found:  # not when every match was vetoed
        clauses.append((text[start:end], found))
    return clauses


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


def _literal_prefixed(family: list[str]) -> re.Pattern[str]:
    """Compile a family as one alternation whose every branch starts with a literal character.

    Python's regex engine then skips ahead to the possible first characters; a branch that starts
    with a group, a class or a lookaround makes it try every position (measured: ~30x slower).
    """
    out: list[str] = []
    for pattern in family:
        for alt in _split_alternatives(pattern):
            m = _LEADING_GROUP.match(alt)
            out.extend(lit + alt[m.end():] for lit in m[1].split("|")) if m else out.append(alt)
    return re.compile(_by_first_char(out))


def _by_first_char(alternatives: list[str]) -> str:
    """``全部A|已B|全C`` as ``全(?:部A|C)|已(?:B)``: the same matches, with each first character tried once.

    At any position only the branches starting with that character can match, and they keep their order,
    so the first branch that matches — and so each match's end — is the same. Without this the engine
    tries all ~80 ``WHOLE`` branches at each candidate character (~35% of that family's scan time).
    """
    groups: dict[str, list[str]] = {}
    for alt in alternatives:
        if not ("\u4e00" <= alt[:1] <= "\u9fff") or alt[1:2] in ("?", "*", "+", "{"):
            raise ValueError(f"evidence branch does not start with a literal Chinese character: {alt!r}")
        groups.setdefault(alt[0], []).append(alt[1:])
    return "|".join(first + "(?:" + "|".join(rests) + ")" for first, rests in groups.items())


_WHOLE_RE, _DONE_RE, _PENDING_RE, _PARTIAL_RE = map(_literal_prefixed, (WHOLE, DONE, PENDING, PARTIAL))


def _less(a: str, b: str) -> bool:
    """``int(a) < int(b)`` for digit strings of any length (``int()`` refuses over 4,300 digits)."""
    if len(a) <= 1000 and len(b) <= 1000:
        return int(a) < int(b)
    a, b = a.lstrip("0") or "0", b.lstrip("0") or "0"
    return (len(a), a) < (len(b), b)


_RESULT_VERB = re.compile(r"已|完成|完毕|到位|办结|销号|解决|通车|投用|投入使用|配齐")
_WORKING = re.compile(r"正在(?:运行|使用|营业)|正常(?:运行|使用|通行|办公)")
_UNDER_WAY = re.compile(r"正在(?!运行|使用|营业)")


def _before_claim(clause: str) -> str:
    """The part of a clause before its result verb (where 督促/确保 would turn it into an instruction)."""
    m = _RESULT_VERB.search(clause)
    return clause[: m.start()] if m else clause


def _is_result_clause(clause: str) -> bool:
    """``已建成,正在运行`` — 正在 describing a working result, not pending work."""
    return bool(_WORKING.search(clause)) and not _UNDER_WAY.search(clause)


def _snip(text: str, width: int = 60) -> str:
    text = text.strip(" ,,。;")
    return text if len(text) <= width else text[: width - 1] + "…"
