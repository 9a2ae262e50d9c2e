"""What the packs a park follows ask of production continuity: the citation of the closed-loop
plan (Z-5.0), the days ahead that key posts are checked (Z-5.2d), meals per person per day
(Z-5.3f), and the hours within which a utility fault must be repaired (L-2.3).
Never a figure in Python: a park that follows no pack declaring a parameter gets None."""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from typing import Any

from parkguard.orgs.models import Jurisdiction
from parkguard.policy import PolicyInputError
from parkguard.policy.context import Params
from parkguard.rules.selectors import followed

GAP_DAYS = "key_post_gap_days"
MEALS_PER_DAY = "closed_loop_meals_per_day"
REPAIR_HOURS = "utility_repair_hours"


@dataclass(frozen=True)
class Number:
    value: int
    citation: dict[str, Any]
    basis: str  # "document clause (pack id vN)", shown beside the figure


def number(*, park: Jurisdiction, on: dt.date, name: str) -> Number | None:
    """The strictest (smallest) value any followed pack gives the parameter, with its clause."""
    best: Number | None = None
    for entry in followed(park=park, on=on):
        pack = entry.pack
        if pack is None or name not in pack.parameters:
            continue
        try:
            value = Params(pack, entry.params).raw(name)
        except PolicyInputError:
            continue
        if not isinstance(value, int) or isinstance(value, bool):
            continue
        if best is None or value < best.value:
            spec = pack.parameters[name]
            citation = {
                "pack_id": pack.id,
                "version": pack.version,
                "document_number": pack.spec.document_number,
                "clause": spec.clause,
            }
            basis = f"{pack.spec.document_number} {spec.clause}（规则包 {pack.id} v{pack.version}）"
            best = Number(value, citation, basis)
    return best


def requirement_citation(*, park: Jurisdiction, on: dt.date, requirement: str) -> dict[str, Any]:
    """The citation of the first followed rule encoding `requirement` (e.g. Z-5.0), else {}."""
    for entry in followed(park=park, on=on):
        if entry.pack is None:
            continue
        for bound in entry.pack.rules:
            if bound.rule.requirement == requirement:
                return dataclasses.asdict(bound.citation)
    return {}
