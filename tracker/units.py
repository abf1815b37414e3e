"""Unit identity for tracking: stored unit rows grouped into units, and finding a unit by name.

The store keys a unit by (province, city, name), so ``中共武汉市江夏区委``, ``中共江夏区委`` and
``江夏区`` are one unit whenever the parser resolved them to the same division. A row that
lacks the province or city (the notice never said which ``鼓楼区``) joins the one row of the
same name whose known facts agree and which knows more; with two such rows it stays apart,
as the notice cannot be placed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from crawler.parse.schema import Unit
from crawler.parse.units import strip_party_affixes
from storage.models import UnitName, UnitRow

from .text import key

_FACTS = ("province", "city", "adcode")


@dataclass
class UnitGroup:
    """One tracked unit: the stored unit rows it stands for and every name seen for it."""

    unit: Unit
    unit_ids: list[int]
    names: list[str] = field(default_factory=list)


def unit_groups(session: Session, *, around: int | None = None) -> list[UnitGroup]:
    """All units, ordered by name then id; ``around``: only units named as unit row ``around``."""
    query = select(UnitRow.id, UnitRow.province, UnitRow.city, UnitRow.name, UnitRow.level, UnitRow.adcode,
                   UnitRow.parent)
    names_query = select(UnitName.unit_id, UnitName.variant).order_by(UnitName.id)
    if around is not None:
        name = session.scalar(select(UnitRow.name).where(UnitRow.id == around))
        same = UnitRow.name == name if name is not None else UnitRow.id == around
        query = query.where(same)
        names_query = names_query.where(UnitName.unit_id.in_(select(UnitRow.id).where(same)))
    rows = list(session.execute(query.order_by(UnitRow.id)))
    variants: dict[int, list[str]] = {}
    for unit_id, variant in session.execute(names_query):
        variants.setdefault(unit_id, []).append(variant)
    root = _merge(rows)
    groups: dict[int, UnitGroup] = {}
    by_id = {r.id: r for r in rows}
    for r in rows:
        top = by_id[root[r.id]]
        group = groups.get(top.id)
        if group is None:
            group = groups[top.id] = UnitGroup(_unit(top), [])
        group.unit_ids.append(r.id)
        for name in ([r.name] if r.name else []) + variants.get(r.id, []):
            if name not in group.names:
                group.names.append(name)
    return sorted(groups.values(), key=lambda g: (g.unit.name or "", g.unit.province or "", g.unit.city or "",
                                                  g.unit_ids[0]))


def find_units(groups: list[UnitGroup], text: str) -> list[UnitGroup]:
    """The groups ``text`` names: any name seen for the unit, with or without 中共…委 affixes, with
    its province/city in front, or its adcode; failing that, the groups with a name containing it."""
    wanted = {key(text), key(strip_party_affixes(text))} - {""}
    if not wanted:
        return []
    exact = [g for g in groups if wanted & _spellings(g)]
    if exact:
        return exact
    return [g for g in groups if any(w in s for w in wanted for s in _spellings(g))]


def _spellings(group: UnitGroup) -> set[str]:
    unit = group.unit
    out = {key(unit.adcode)} if unit.adcode else set()
    for name in group.names:
        out.add(key(name))
        out.add(key(strip_party_affixes(name)))
    if unit.name:
        out.add(key((unit.city or "") + unit.name))
        out.add(key((unit.province or "") + unit.name))
        out.add(key((unit.province or "") + (unit.city or "") + unit.name))
    return out - {""}


def _merge(rows: list[Any]) -> dict[int, int]:
    """unit id → the id of the row it is tracked under (itself unless merged)."""
    root = {r.id: r.id for r in rows}
    by_name: dict[str, list[Any]] = {}
    for r in rows:
        if r.name:
            by_name.setdefault(r.name, []).append(r)
    for same in by_name.values():
        if len(same) < 2:
            continue
        for r in same:
            fuller = [o for o in same if o is not r and _fuller(o, r)]
            best = [o for o in fuller if not any(_fuller(x, o) for x in fuller)]
            if len(best) == 1:
                root[r.id] = best[0].id
    return root


def _fuller(other: Any, row: Any) -> bool:
    """``other`` agrees with every fact ``row`` knows and knows more of them."""
    for name in _FACTS:
        mine = getattr(row, name)
        if mine is not None and getattr(other, name) != mine:
            return False
    for name in ("level", "parent"):
        mine, theirs = getattr(row, name), getattr(other, name)
        if mine is not None and theirs is not None and mine != theirs:
            return False
    if row.level == "organization" and row.parent is None and row.province is None:
        return False  # 区财政局 of which district? Not guessed.
    return sum(getattr(other, n) is not None for n in _FACTS) > sum(getattr(row, n) is not None for n in _FACTS)


def _unit(r: Any) -> Unit:
    return Unit(name=r.name, province=r.province, city=r.city, level=r.level, adcode=r.adcode, parent=r.parent)
