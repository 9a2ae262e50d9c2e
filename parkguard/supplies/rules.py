"""What the packs a park follows (and the park itself) ask of supplies and disinfection:
the minimum days of cover, and the day's disinfection schedule. Never a figure in Python."""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from typing import Any

from parkguard.orgs.models import Jurisdiction
from parkguard.policy import disinfection_schedule
from parkguard.rules.selectors import followed
from parkguard.supplies.models import CoverMinimum

# A pack may declare the minimum days of cover as a park parameter of this name.
COVER_PARAM = "supplies_min_cover_days"


@dataclass(frozen=True)
class Minimum:
    days: int
    basis: str  # the document and clause, shown beside every figure


def cover_minimum(*, park: Jurisdiction, on: dt.date) -> Minimum | None:
    """A followed pack's parameter, else the park's own minimum with its basis, else None."""
    for entry in followed(park=park, on=on):
        pack = entry.pack
        spec = pack.parameters.get(COVER_PARAM) if pack is not None else None
        if pack is None or spec is None:
            continue
        value = entry.params.get(COVER_PARAM, spec.default)
        if isinstance(value, int) and not isinstance(value, bool) and value > 0:
            return Minimum(
                value,
                f"{pack.meta.document_number} {spec.clause}（规则包 {pack.id} v{pack.version}）",
            )
    own = CoverMinimum.objects.filter(jurisdiction=park).first()
    return Minimum(own.days, own.basis) if own is not None else None


@dataclass(frozen=True)
class Slot:
    """One place kind to disinfect in one slot of the day, and where that comes from."""

    place: str
    slot: str
    citation: dict[str, Any]
    citation_text: str


def disinfection_slots(*, park: Jurisdiction, on: dt.date) -> list[Slot]:
    """The places and slots the packs `park` follows schedule for the day (B-2.5, H-4.1)."""
    found: dict[tuple[str, str], Slot] = {}
    for entry in followed(park=park, on=on):
        if entry.pack is None:
            continue
        for item in disinfection_schedule(pack=entry.pack, start=on, end=on):
            if item.place is None or item.slot is None:
                continue
            key = (item.place, item.slot)
            if key not in found:
                found[key] = Slot(
                    item.place, item.slot, dataclasses.asdict(item.citation), item.citation.text()
                )
    return list(found.values())


def disinfection_places(*, park: Jurisdiction, on: dt.date) -> list[str]:
    """The area kinds an enterprise of `park` may register (the schedule's places)."""
    return list(dict.fromkeys(s.place for s in disinfection_slots(park=park, on=on)))
