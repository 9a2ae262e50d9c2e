"""What the packs a park follows ask of trucks (J-1.3, Z-5.3a): the declaration deadline
before arrival, the crew's test window, and how long a truck may stay. Never a figure here."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from parkguard.logistics.models import DwellLimit
from parkguard.orgs.models import Jurisdiction
from parkguard.policy import Pack
from parkguard.policy.schema import CertificateMeasure, Notify, ParamRef
from parkguard.rules.selectors import followed

DWELL_PARAM = "truck_dwell_minutes"


@dataclass(frozen=True)
class TruckRules:
    declare_hours: int | None = None
    declare_basis: str = ""
    test_hours: int | None = None
    test_basis: str = ""
    dwell_minutes: int | None = None
    dwell_basis: str = ""

    def as_json(self) -> dict[str, Any]:
        return dict(self.__dict__)


def _count(value: object, pack: Pack, params: dict[str, Any]) -> int | None:
    if isinstance(value, ParamRef):
        spec = pack.parameters.get(value.name)
        value = params.get(value.name, spec.default if spec is not None else None)
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def truck_rules(*, park: Jurisdiction, on: dt.date) -> TruckRules:
    """The strictest figures of the followed packs' rules for truck crews, with citations."""
    found: dict[str, Any] = {}
    for entry in followed(park=park, on=on):
        pack = entry.pack
        if pack is None:
            continue
        for bound in pack.rules:
            kinds = bound.rule.when.person_kind_in
            if not kinds or "truck_crew" not in kinds:
                continue
            basis = bound.citation.text()
            for m in bound.rule.measures:
                if isinstance(m, Notify) and m.timing == "before_arrival" and m.who == "crew":
                    hours = _count(m.hours, pack, entry.params)
                    if hours and hours > found.get("declare_hours", 0):
                        found.update(declare_hours=hours, declare_basis=basis)
                elif isinstance(m, CertificateMeasure) and m.within_hours is not None:
                    hours = _count(m.within_hours, pack, entry.params)
                    if hours and hours < found.get("test_hours", hours + 1):
                        found.update(test_hours=hours, test_basis=basis)
        spec = pack.parameters.get(DWELL_PARAM)
        if spec is not None and "dwell_minutes" not in found:
            minutes = entry.params.get(DWELL_PARAM, spec.default)
            if isinstance(minutes, int) and minutes > 0:
                found.update(
                    dwell_minutes=minutes,
                    dwell_basis=f"{pack.meta.document_number} {spec.clause}（规则包 {pack.id}）",
                )
    if "dwell_minutes" not in found:
        own = DwellLimit.objects.filter(jurisdiction=park).first()
        if own is not None:
            found.update(dwell_minutes=own.minutes, dwell_basis=own.basis)
    return TruckRules(**found)
