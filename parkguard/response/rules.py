"""What the packs a park follows say about zones, the three first times and tracing: the
colour each kind of evidence moves a person to, the due times, the tracing gap and window.
Read through the rules app, never set in Python."""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from typing import Any

from parkguard.orgs.models import Jurisdiction
from parkguard.policy import Citation, PersonFacts, PolicyInputError, incident_deadlines, zone_for
from parkguard.policy.context import Params
from parkguard.response.choices import SEVERITY, Evidence
from parkguard.rules.selectors import followed

# How each kind of evidence is put to the engine; the pack decides the colour.
_FACTS: dict[str, dict[str, Any]] = {
    Evidence.SYMPTOM: {"symptoms": ("干咳",)},
    Evidence.FEVER: {"symptoms": ("发热",), "temperature_abnormal": True},
    Evidence.POSITIVE: {"facts": {"test_positive": True}},
    Evidence.CLOSE_CONTACT: {"facts": {"close_contact": True}},
    Evidence.SECONDARY_CONTACT: {"facts": {"secondary_contact": True}},
    # Z-5.1 blue (pack v4): the phase kind of the returnee's open observation record.
    Evidence.HOME_MONITORING: {"facts": {"observation_phase": "home_health_monitoring"}},
    Evidence.ENTERPRISE_OBSERVATION: {"facts": {"observation_phase": "enterprise_observation"}},
}


def citation_json(citation: Citation | None) -> dict[str, Any]:
    return dataclasses.asdict(citation) if citation is not None else {}


@dataclass(frozen=True)
class ZoneRule:
    colour: str
    meaning: str
    citation: dict[str, Any]


@dataclass(frozen=True)
class Step:
    label: str
    due_at: dt.datetime
    citation: dict[str, Any]


@dataclass(frozen=True)
class Timing:
    """Minutes the pack allows for each first time, and the tracing gap and window."""

    report_minutes: int | None = None
    isolate_minutes: int | None = None
    trace_gap_minutes: int | None = None
    trace_window_days: int | None = None
    # Who counts as a close contact, not a secondary one: a dormitory mate, a shift-and-team
    # mate (a passage within the gap is always close). None: the packs do not trace by it.
    dormitory_close: bool | None = None
    shift_team_close: bool | None = None
    close_isolation_days: int | None = None
    secondary_isolation_days: int | None = None
    # Tracing through junctions (Z-5.1b, pack v3): the gap, and whether someone who passed the
    # same junction / was in an area at its ends or joined by an uncontrolled one is close.
    # None: the packs do not trace through junctions.
    junction_gap_minutes: int | None = None
    junction_close: bool | None = None
    junction_area_close: bool | None = None
    citation: dict[str, Any] = dataclasses.field(default_factory=dict)
    clauses: dict[str, dict[str, Any]] = dataclasses.field(default_factory=dict)


def zone_for_evidence(*, park: Jurisdiction, evidence: str, at: dt.datetime) -> ZoneRule | None:
    """The most severe colour any followed pack gives this evidence; None if none does."""
    best: ZoneRule | None = None
    for entry in followed(park=park, on=at.date()):
        pack = entry.pack
        if pack is None:
            continue
        given = dict(_FACTS.get(evidence, {}))
        declared = set(pack.spec.facts)
        given["facts"] = {k: v for k, v in given.get("facts", {}).items() if k in declared}
        try:
            decision = zone_for(
                pack=pack,
                person=PersonFacts(kind="employee", **given),
                at=at.replace(tzinfo=None),
                params=entry.params,
            )
        except PolicyInputError:
            continue
        if decision is None or decision.colour == "green":
            continue
        if best is None or SEVERITY.index(decision.colour) > SEVERITY.index(best.colour):
            best = ZoneRule(decision.colour, decision.meaning, citation_json(decision.citation))
    return best


def _raw(pack: Any, params: Any, name: str) -> object:
    if name not in pack.parameters:
        return None
    try:
        return Params(pack, params).raw(name)
    except PolicyInputError:
        return None


def _cite(pack: Any, name: str) -> dict[str, Any]:
    return {
        "pack_id": pack.id,
        "version": pack.version,
        "document_number": pack.spec.document_number,
        "clause": pack.parameters[name].clause,
    }


def timing(*, park: Jurisdiction, on: dt.date) -> Timing:
    """The strictest (smallest) minutes and days any followed pack sets, the first pack's
    word on who is a close contact; each value's citation under `clauses`."""
    found: dict[str, Any] = {}
    clauses: dict[str, dict[str, Any]] = {}
    numbers = {
        "report_minutes": "report_within_minutes",
        "isolate_minutes": "isolate_within_minutes",
        "trace_gap_minutes": "trace_gap_minutes",
        "trace_window_days": "trace_window_days",
        "close_isolation_days": "close_contact_isolation_days",
        "secondary_isolation_days": "secondary_contact_isolation_days",
        "junction_gap_minutes": "trace_junction_gap_minutes",
    }
    flags = {
        "dormitory_close": "trace_dormitory_close",
        "shift_team_close": "trace_shift_team_close",
        "junction_close": "trace_junction_close",
        "junction_area_close": "trace_junction_area_close",
    }
    for entry in followed(park=park, on=on):
        if entry.pack is None:
            continue
        for field, name in numbers.items():
            value = _raw(entry.pack, entry.params, name)
            if isinstance(value, bool) or not isinstance(value, int):
                continue
            if field not in found or value < found[field]:
                found[field] = value
                clauses[field] = _cite(entry.pack, name)
        for field, name in flags.items():
            value = _raw(entry.pack, entry.params, name)
            if isinstance(value, bool) and field not in found:
                found[field] = value
                clauses[field] = _cite(entry.pack, name)
    first = next((clauses[f] for f in numbers if f in clauses), {})
    return Timing(**found, citation=first, clauses=clauses)


def linkage_steps(*, park: Jurisdiction, found_at: dt.datetime) -> list[Step]:
    """The incident steps with a due time (Z-4.2 third first time), from every followed pack."""
    steps: list[Step] = []
    seen: set[str] = set()
    for entry in followed(park=park, on=found_at.date()):
        if entry.pack is None:
            continue
        try:
            found = incident_deadlines(pack=entry.pack, found_at=found_at, params=entry.params)
        except PolicyInputError:
            continue
        for d in found:
            # "Immediately" steps are the report and isolation, recorded on the incident.
            if d.due_at == found_at or d.action in seen:
                continue
            seen.add(d.action)
            steps.append(Step(d.action, d.due_at, citation_json(d.citation)))
    return steps
