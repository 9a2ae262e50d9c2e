"""A stored plan (the engine's `Plan` as JSON, `to_jsonable`) back into the engine's types.

Plans are kept as data so that a change of policy never rewrites what a person was told; to
evaluate one against new evidence, the JSON becomes the same frozen dataclasses again.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from parkguard.mobility.models import ReturnDeclaration
from parkguard.policy import Citation, Obligation, PhasePlan, Plan
from parkguard.policy.results import Note, Prohibited


def _dt(value: str | None) -> dt.datetime | None:
    return dt.datetime.fromisoformat(value) if value else None


def _d(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


def _citation(data: dict[str, Any]) -> Citation:
    return Citation(**data)


def _obligation(data: dict[str, Any]) -> Obligation:
    return Obligation(
        key=data["key"],
        kind=data["kind"],
        title=data["title"],
        citation=_citation(data["citation"]),
        due_at=_dt(data.get("due_at")),
        window_start=_dt(data.get("window_start")),
        on_date=_d(data.get("on_date")),
        phase=data.get("phase"),
        day=data.get("day"),
        blocks_entry=data.get("blocks_entry", "none"),
        options=tuple(tuple(_obligation(o) for o in opt) for opt in data.get("options", [])),
        option_labels=tuple(data.get("option_labels", [])),
        test_kind=data.get("test_kind", "nat"),
        anchor=data.get("anchor", "arrival"),
    )


def _phase(data: dict[str, Any]) -> PhasePlan:
    start = _dt(data["start_at"])
    first = _d(data["first_day"])
    assert start is not None and first is not None
    return PhasePlan(
        index=data["index"],
        kind=data["kind"],
        label=data["label"],
        start_at=start,
        end_at=_dt(data.get("end_at")),
        first_day=first,
        last_day=_d(data.get("last_day")),
        days=data.get("days"),
        test_dates=tuple(d for d in (_d(x) for x in data.get("test_dates", [])) if d),
        blocks_entry=data["blocks_entry"],
        citation=_citation(data["citation"]),
        end_condition=data.get("end_condition"),
        ends_early=data.get("ends_early", False),
        evidence_from_day=data.get("evidence_from_day"),
        evidence_test_kind=data.get("evidence_test_kind", "nat"),
        symptom_free_days=data.get("symptom_free_days"),
    )


def plan_from_json(data: dict[str, Any]) -> Plan:
    arrived = _dt(data["arrived_at"])
    assert arrived is not None
    return Plan(
        pack_id=data["pack_id"],
        version=data["version"],
        document_number=data["document_number"],
        arrived_at=arrived,
        day_numbering=data["day_numbering"],
        pack_in_force=data["pack_in_force"],
        rules=tuple(_citation(c) for c in data["rules"]),
        obligations=tuple(_obligation(o) for o in data["obligations"]),
        phases=tuple(_phase(p) for p in data["phases"]),
        earliest_entry=_dt(data.get("earliest_entry")),
        prohibitions=tuple(
            Prohibited(p["action"], p["text"], _citation(p["citation"]))
            for p in data["prohibitions"]
        ),
        notes=tuple(Note(n["text"], _citation(n["citation"])) for n in data["notes"]),
        params=tuple(tuple(p) for p in data.get("params", [])),
        choices=(),
    )


def plan_keys(declaration: ReturnDeclaration) -> set[str]:
    """The obligation keys of the open plans (what evidence may name)."""
    keys: set[str] = set()
    for row in declaration.plans.all():
        keys |= {o["key"] for o in row.plan["obligations"]}
    return keys
