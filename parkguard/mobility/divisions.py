"""Administrative divisions (province, city, county, development zone) from the committed file.

`data/divisions.csv` is constant data shipped with the code (CC BY-SA 3.0, see its header), so a
per-process copy is a cache of a constant, like the rule packs. A division is named by its code;
"where from" relative to a park (local, out of county, of prefecture, of province, abroad) is the
comparison of two codes, which is how the packs' `origin` ladder reads.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from pathlib import Path

DATA_FILE = Path(__file__).parent / "data" / "divisions.csv"
# Not a GB/T 2260 code: a stay abroad (the packs' `origin: abroad`).
ABROAD = "abroad"
ABROAD_NAME = "境外"
UNKNOWN_DIVISION = "不认识的行政区划代码，请从列表中选择省、市、区县"
KIND_LABELS = {
    "province": "省级",
    "city": "地级",
    "county": "县级",
    "zone": "开发区",
    "abroad": "境外",
}
# Digits of a GB/T 2260 code that name the province and the prefecture.
PROVINCE_DIGITS = 2
PREFECTURE_DIGITS = 4


@dataclass(frozen=True, slots=True)
class Division:
    code: str
    name: str
    kind: str
    parent: str

    @property
    def county_code(self) -> str:
        """The GB/T 2260 code the comparisons use (a zone counts as its county)."""
        return self.code.split("-", 1)[0]


@cache
def _table() -> dict[str, Division]:
    rows: dict[str, Division] = {ABROAD: Division(ABROAD, ABROAD_NAME, "abroad", "")}
    with DATA_FILE.open(encoding="utf-8") as f:
        lines = (line for line in f if not line.startswith("#"))
        for row in csv.DictReader(lines):
            rows[row["code"]] = Division(row["code"], row["name"], row["kind"], row["parent"])
    return rows


def division_get(code: str) -> Division | None:
    return _table().get((code or "").strip())


def division_full_name(code: str) -> str:
    """ "福建省泉州市晋江市": the names from the province down; "" for an unknown code."""
    names: list[str] = []
    current = division_get(code)
    while current is not None:
        names.append(current.name)
        current = _table().get(current.parent) if current.parent else None
    return "".join(reversed(names))


def division_ancestors(code: str) -> list[str]:
    """The code itself and every code above it."""
    out: list[str] = []
    current = division_get(code)
    while current is not None:
        out.append(current.code)
        current = _table().get(current.parent) if current.parent else None
    return out


@cache
def division_above(code: str) -> frozenset[str]:
    """`division_ancestors` as a set, once per code (the table is constant): the register
    entries that cover a stay are looked up in it for every stay of every return."""
    return frozenset(division_ancestors(code))


def division_search(text: str, *, limit: int) -> list[Division]:
    """Divisions whose full name contains `text` (for the pickers), counties first."""
    text = text.strip()
    if not text:
        return []
    order = ("county", "zone", "city", "province", "abroad")
    found = [d for d in _table().values() if text in division_full_name(d.code) or text == d.code]
    found.sort(key=lambda d: (order.index(d.kind), d.code))
    return found[:limit]


def origin_of(code: str, *, home: str) -> str:
    """Where `code` lies seen from `home` (a county code): the packs' origin words."""
    place = division_get(code)
    if place is None:
        raise ValueError(UNKNOWN_DIVISION)
    if place.kind == "abroad":
        return "abroad"
    a, b = place.county_code, home.split("-", 1)[0]
    if a[:PROVINCE_DIGITS] != b[:PROVINCE_DIGITS]:
        return "out_of_province"
    if a[:PREFECTURE_DIGITS] != b[:PREFECTURE_DIGITS]:
        return "out_of_prefecture"
    if place.kind in {"province", "city"} or a != b:
        return "out_of_county"
    return "local"


ORIGIN_ORDER = ("local", "out_of_county", "out_of_prefecture", "out_of_province", "abroad")


def farthest(origins: list[str]) -> str:
    return max(origins, key=ORIGIN_ORDER.index, default="local")
