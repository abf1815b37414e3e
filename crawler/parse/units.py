"""Resolve the inspected unit (被巡视/被巡察党组织) to a :class:`~crawler.parse.schema.Unit`.

Resolution order for one mention (after :func:`strip_party_affixes`):

1. Split it from the left into a chain of division names (``怀化市`` + ``鹤城区``).
   If the chain covers the whole mention, the last link is the unit and the earlier
   links (and those of the other mentions) are prefix hints.
2. Otherwise, if what is left looks like an organisation (…局/委/办/公司/大学/经开区 …),
   the unit is an ``organization``; its parent is the last link of the chain, or — when
   the name starts with 区/县/市/州/旗/盟/省 (``区文旅体局``) — the division of that kind
   the context names most often.
3. A name found in several places is narrowed by (a) the prefix hints, then (b) how often
   each candidate's city / province is named in ``context``.  Still ambiguous: only
   ``name`` and ``level`` are returned — never a guess.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from .divisions import DIV_END, Div, division_index
from .schema import Unit

__all__ = ["resolve_unit", "strip_party_affixes"]

_SUFFIX_RE = re.compile(f"[{DIV_END}]")


# --------------------------------------------------------------------------- normalising

_SPACE_RE = re.compile(r"[\s\u200b\u200c\u200d\u2060\ufeff]+")
_PARTY_PREFIX_RE = re.compile(r"^(?:中国共产党|中共)")
_DEPT_PARTY_RE = re.compile(r"(?:党组\((?:党委|党组)\)|党组|党委|党工委|党总支|党支部)$")
_COMMITTEE_RE = re.compile(rf"^(.*[{DIV_END}])(?:委员会|委)$")
#: 中共湖南大学委员会, 中共XX集团有限公司委员会: the committee of an institution.
_INSTITUTION_COMMITTEE_RE = re.compile(r"^(.*(?:大学|学院|学校|公司|集团|医院|银行))委员会$")


#: Characters NFKC changes inside Chinese names: Kangxi/supplementary radicals, CJK
#: compatibility ideographs, ideographic space.  Long texts are normalised only if they
#: hold one (NFKC over a whole notice costs milliseconds; the test costs microseconds).
_NFKC_NEEDED_RE = re.compile(r"[\u2e80-\u2fdf\u3000\uf900-\ufaff]")


def _norm(text: str) -> str:
    return _SPACE_RE.sub("", unicodedata.normalize("NFKC", text))


def _norm_context(text: str) -> str:
    if _NFKC_NEEDED_RE.search(text):
        text = unicodedata.normalize("NFKC", text)
    return text


def strip_party_affixes(name: str) -> str:
    """Drop the party wrapping around a unit name, keep department names whole.

    ``中共怀化市鹤城区委`` → ``怀化市鹤城区``, ``中共株洲市荷塘区委员会`` → ``株洲市荷塘区``,
    ``宜城市委`` → ``宜城市``, ``中共XX市财政局党组`` → ``XX市财政局``; ``市卫健委`` and
    ``区文旅体局`` are returned unchanged (a 委 counts as a party committee only right
    after a division suffix 区/县/市/州/省/旗/盟).
    """
    if not isinstance(name, str):
        return ""
    s = _PARTY_PREFIX_RE.sub("", _norm(name))
    s = _DEPT_PARTY_RE.sub("", s) or s
    if m := _COMMITTEE_RE.match(s) or _INSTITUTION_COMMITTEE_RE.match(s):
        s = m.group(1)
    return s


# --------------------------------------------------------------------------- organisations

_ZONE_RE = re.compile(
    r"(?:开发区|经开区|高新区|新区|园区|示范区|试验区|实验区|保税区|自贸区|自贸片区|合作区|管理区|度假区"
    r"|景区|功能区|集聚区|产业区|工业区|商务区|旅游区|港区|片区|林区|矿区|垦区|工业园|产业园|科技园|物流园"
    r"|工业集中区|园)$"
)
_ORG_RE = re.compile(
    r"(?:局|委|办|部|厅|处|科|室|署|院|所|站|中心|会|团|队|馆|台|社|庭|政府|组|街道|镇|乡|村|社区"
    r"|公司|集团|银行|分行|厂|场|大学|学院|学校|中学|小学|幼儿园|学|校|医院|联|协|司|监狱|海关|库|店)$"
)
#: Leading character of an organisation name that points at "this" division: 区文旅体局.
_LEVEL_CHAR_LEVELS = {
    "区": ("county",), "县": ("county",), "旗": ("county",),
    "市": ("city", "county"), "州": ("city",), "盟": ("city",), "省": ("province",),
}


def _is_zone(rest: str) -> bool:
    return bool(_ZONE_RE.search(rest))


def _is_org(rest: str) -> bool:
    return len(rest) >= 2 and (_is_zone(rest) or bool(_ORG_RE.search(rest)))


# --------------------------------------------------------------------------- parsing


@dataclass(frozen=True, slots=True)
class _Token:
    text: str
    cands: tuple[Div, ...]
    bare: bool


def _chain(s: str) -> tuple[list[_Token], str]:
    """Split ``s`` from the left into division names; return them and the rest."""
    idx = division_index()
    tokens: list[_Token] = []
    i, n = 0, len(s)
    while i < n:
        for k in range(min(idx.max_len, n - i), 1, -1):
            piece = s[i : i + k]
            if cands := idx.exact.get(piece) or idx.alias.get(piece):
                tokens.append(_Token(piece, cands, False))
                break
            if cands := idx.bare.get(piece):
                tokens.append(_Token(piece, cands, True))
                break
        else:
            break
        i += k
    rest = s[i:]
    if rest:
        # A stem (武汉, 中山) counts only before a development zone: 中山大学 is no place.
        while tokens and tokens[-1].bare and not _is_zone(rest):
            rest = tokens.pop().text + rest
    return tokens, rest


def _compatible(cand: Div, hint: _Token) -> bool:
    anc = cand.ancestors
    return any(h.name in anc for h in hint.cands)


def _narrow(cands: Sequence[Div], own: Sequence[_Token], other: Sequence[_Token],
            context: str) -> tuple[Div, ...] | None:
    """Candidates left after the prefix hints and the context; ``None`` on a contradiction."""
    left = tuple(cands)
    for hint in own:  # a prefix in the mention itself must agree
        if all(h.level == "county" for h in hint.cands):
            continue
        left = tuple(c for c in left if _compatible(c, hint))
        if not left:
            return None
    for hint in other:  # prefixes from the other mentions: only when they fit
        narrowed = tuple(c for c in left if _compatible(c, hint))
        if narrowed:
            left = narrowed
    if len(left) > 1 and context:
        left = _by_context(left, context)
    return left


def _by_context(cands: tuple[Div, ...], context: str) -> tuple[Div, ...]:
    counts = _scan(context)[0]

    def score(c: Div) -> tuple[int, int]:
        if c.city and c.city != c.name:
            near = counts.get(c.city, 0)
        elif c.municipal and c.province != c.name:
            near = counts.get(c.province or "", 0)
        else:
            near = 0
        # a municipality is its own province: count it once, as the nearer name
        far = counts.get(c.province or "", 0) if c.province != c.name and not c.municipal else 0
        return near, far

    scored = sorted(((score(c), c) for c in cands), key=lambda x: x[0], reverse=True)
    best = scored[0][0]
    if best == (0, 0) or scored[1][0] == best:
        return cands
    return (scored[0][1],)


@lru_cache(maxsize=64)
def _scan(context: str) -> tuple[Counter[str], Counter[Div]]:
    """Division names in ``context``: counts of province/city names, and resolved divisions.

    Names are found by their last two characters (every division name ends in one of
    区县市州省旗盟), longest match first, without overlaps; adjacent names form a chain
    whose earlier links disambiguate the later ones.  A two-character county name
    (城区, 新县, 郊区) counts only inside a chain, so ordinary words are not taken for places.
    """
    idx = division_index()
    text = _norm_context(context)
    found: list[tuple[int, int, str, tuple[Div, ...]]] = []
    last_end = 0
    for m in _SUFFIX_RE.finditer(text):
        end = m.end()
        lens = idx.tails.get(text[end - 2 : end]) if end >= 2 else None
        if not lens:
            continue
        for k in lens:
            start = end - k
            if start < last_end:
                continue
            piece = text[start:end]
            if cands := idx.exact.get(piece) or idx.alias.get(piece):
                found.append((start, end, piece, cands))
                last_end = end
                break

    names: Counter[str] = Counter()
    divs: Counter[Div] = Counter()
    chain: list[_Token] = []
    prev_end = -1
    for start, end, piece, cands in found:
        if start != prev_end:
            chain = []
        prev_end = end
        token = _Token(piece, cands, False)
        if not chain and len(piece) == 2 and all(c.level == "county" for c in cands):
            chain.append(token)
            continue
        left = tuple(cands)
        for hint in chain:
            narrowed = tuple(c for c in left if _compatible(c, hint))
            if narrowed:
                left = narrowed
        chain.append(token)
        if len(left) == 1:
            div = left[0]
            divs[div] += 1
            if div.level != "county":
                names[div.name] += 1
    return names, divs


# --------------------------------------------------------------------------- units


def _division_unit(text: str, div: Div) -> Unit:
    return Unit(
        name=text,
        province=div.province,
        city=None if div.level == "province" else div.city,
        level=div.level,  # type: ignore[arg-type]
        adcode=div.adcode,
    )


def _vague_unit(text: str, cands: Sequence[Div]) -> Unit:
    levels = {c.level for c in cands}
    return Unit(name=text, level=levels.pop() if len(levels) == 1 else None)  # type: ignore[arg-type]


def _org_unit(name: str, parent: Div | None, parent_text: str | None) -> Unit:
    if parent is None:
        return Unit(name=name, level="organization", parent=parent_text)
    return Unit(
        name=name,
        province=parent.province,
        city=None if parent.level == "province" else parent.city,
        level="organization",
        parent=parent.name,
    )


def _parent_from_context(first: str, other: Sequence[_Token], context: str) -> Div | None:
    """The division a 区…/县…/市… department belongs to: the other mentions, else the context."""
    levels = _LEVEL_CHAR_LEVELS[first]

    def fits(d: Div) -> bool:
        return d.level in levels and d.name.endswith(first)

    for hint in reversed(other):
        fitting = [d for d in hint.cands if fits(d)]
        if len(fitting) == 1 and len(hint.cands) == 1:
            return fitting[0]
    if not context:
        return None
    counts = [(n, d) for d, n in _scan(context)[1].items() if fits(d)]
    if not counts:
        return None
    counts.sort(key=lambda x: x[0], reverse=True)
    if len(counts) > 1 and counts[1][0] == counts[0][0]:
        return None
    return counts[0][1]


def _hints(tokens: list[_Token], rest: str) -> list[_Token]:
    return tokens if rest else tokens[:-1]


def _resolve_one(s: str, tokens: list[_Token], rest: str, other: Sequence[_Token],
                 context: str) -> tuple[int, Unit]:
    """Resolve one stripped mention.

    The int says what was found: 0 nothing, 1 a division missing from the data,
    2 an ambiguous division or an organisation without parent, 3-4 a resolved unit.
    """
    if not s:
        return 0, Unit()
    if not rest:  # the whole mention is a chain of division names
        unit_tok, own = tokens[-1], tokens[:-1]
        left = _narrow(unit_tok.cands, own, other, context)
        if left is None or len(left) != 1:
            return 2, _vague_unit(unit_tok.text, unit_tok.cands)
        return 4, _division_unit(unit_tok.text, left[0])

    if _is_org(rest):
        if tokens:
            parent_tok, own = tokens[-1], tokens[:-1]
            left = _narrow(parent_tok.cands, own, other, context)
            if left is None or len(left) != 1:
                return 2, _org_unit(s, None, parent_tok.text)
            return 4, _org_unit(s, left[0], None)
        if s[0] in _LEVEL_CHAR_LEVELS:
            parent = _parent_from_context(s[0], other, context)
            if parent is not None:
                return 4, _org_unit(s, parent, None)
        return 3, _org_unit(s, None, None)

    # A division missing from the data (an old name, a typo): keep the name, say no more
    # than the suffix and the resolved prefix show.
    if len(rest) >= 2 and rest[-1] in "县旗区" and re.fullmatch(r"[\u3400-\u9fff]+", rest):
        unit = Unit(name=rest, level="county")
        if tokens:
            left = _narrow(tokens[-1].cands, tokens[:-1], other, context)
            if left and len(left) == 1 and left[0].level != "county":
                div = left[0]
                unit.province = div.province
                unit.city = div.city if div.level == "city" else None
        return 1, unit
    return 0, Unit()


def resolve_unit(mentions: list[str], context: str = "") -> Unit:
    """Resolve the inspected unit from its names in a notice.

    ``mentions`` are candidate names of the same unit, most reliable first
    (``["中共怀化市鹤城区委", "鹤城区委"]``); ``context`` is the notice text, used only to
    tell apart names found in several places and to find the division of a
    ``区文旅体局``-style department.  Never raises; unusable input gives ``Unit()``.
    """
    if isinstance(mentions, str):
        mentions = [mentions]
    if not isinstance(context, str):
        context = ""
    parsed = []
    for mention in mentions or ():
        s = strip_party_affixes(mention) if isinstance(mention, str) else ""
        tokens, rest = _chain(s) if s else ([], "")
        parsed.append((s, tokens, rest))
    # The first mention that names a known division or an organisation wins (a later,
    # fuller mention helps it through the shared prefix hints); a division missing from
    # the data is only a fallback.
    fallback = Unit()
    for i, (s, tokens, rest) in enumerate(parsed):
        other = [t for j, (_, tk, r) in enumerate(parsed) if j != i for t in _hints(tk, r)]
        rank, unit = _resolve_one(s, tokens, rest, other, context)
        if rank >= 2:
            return unit
        if rank == 1 and fallback.name is None:
            fallback = unit
    return fallback
