"""What the engine returns: frozen dataclasses, each carrying its citations.

`to_jsonable` turns any of them into plain JSON data for the API and for storing a
result together with the pack version that produced it.
"""

from __future__ import annotations

import dataclasses
from datetime import date, datetime, time
from typing import Any, Literal

from parkguard.policy.citation import Citation
from parkguard.policy.pack import BoundRule

ObligationKind = Literal[
    "pre_departure_test", "notify", "certificate", "test", "any_of", "document"
]
EntryNeed = Literal["none", "sampled", "negative", "submitted", "approved"]
# not_needed: a test day of a phase that ended early on evidence.
Status = Literal["done", "due", "overdue", "not_needed"]


def cite(bound: BoundRule) -> Citation:
    return bound.citation


@dataclasses.dataclass(frozen=True, slots=True)
class Note:
    text: str
    citation: Citation


@dataclasses.dataclass(frozen=True, slots=True)
class Prohibited:
    action: str
    text: str
    citation: Citation


# --- arrival plans ----------------------------------------------------------------------
@dataclasses.dataclass(frozen=True, slots=True)
class Obligation:
    """Something the person (or enterprise) must do, with its time window."""

    key: str
    kind: ObligationKind
    title: str
    citation: Citation
    due_at: datetime | None = None
    window_start: datetime | None = None
    on_date: date | None = None
    phase: int | None = None
    day: int | None = None
    blocks_entry: EntryNeed = "none"
    options: tuple[tuple[Obligation, ...], ...] = ()
    option_labels: tuple[str, ...] = ()
    test_kind: str = "nat"
    anchor: str = "arrival"


@dataclasses.dataclass(frozen=True, slots=True)
class PhasePlan:
    """One isolation or monitoring phase with its calendar days and test dates."""

    index: int
    kind: str
    label: str
    start_at: datetime
    end_at: datetime | None  # None: the phase ends on a condition (``until``)
    first_day: date
    last_day: date | None
    days: int | None
    test_dates: tuple[date, ...]
    blocks_entry: bool
    citation: Citation
    # Evidence that ends the phase (early, or at all): what it is, in Chinese.
    end_condition: str | None = None
    ends_early: bool = False
    evidence_from_day: int | None = None
    evidence_test_kind: str = "nat"
    symptom_free_days: int | None = None


@dataclasses.dataclass(frozen=True, slots=True)
class Plan:
    """Everything an arriving person must do, and when they may first enter the plant."""

    pack_id: str
    version: int
    document_number: str
    arrived_at: datetime
    day_numbering: str
    pack_in_force: bool
    rules: tuple[Citation, ...]
    obligations: tuple[Obligation, ...]
    phases: tuple[PhasePlan, ...]
    earliest_entry: datetime | None
    prohibitions: tuple[Prohibited, ...]
    notes: tuple[Note, ...]
    params: tuple[tuple[str, Any], ...]
    choices: tuple[Any, ...] = ()  # ChoiceUse: per-case choices, who made them and why


@dataclasses.dataclass(frozen=True, slots=True)
class Reason:
    text: str
    citation: Citation | None = None


@dataclasses.dataclass(frozen=True, slots=True)
class ObligationStatus:
    obligation: Obligation
    status: Status
    done_at: datetime | None = None
    result: str | None = None
    late: bool = False


@dataclasses.dataclass(frozen=True, slots=True)
class EntryVerdict:
    """May the person enter now; if not, from when (None: not foreseeable) and why not."""

    allowed: bool
    allowed_from: datetime | None
    reasons: tuple[Reason, ...]


@dataclasses.dataclass(frozen=True, slots=True)
class PhaseStatus:
    """When a phase actually ends given the records (None: its condition is not met yet)."""

    index: int
    label: str
    end_at: datetime | None
    ended_early: bool


@dataclasses.dataclass(frozen=True, slots=True)
class PlanStatus:
    at: datetime
    items: tuple[ObligationStatus, ...]
    entry: EntryVerdict
    pack_id: str
    version: int
    phases: tuple[PhaseStatus, ...] = ()


# --- gate, events, schedules, deadlines -------------------------------------------------
@dataclasses.dataclass(frozen=True, slots=True)
class CheckItem:
    kind: str
    label: str
    status: Literal["pass", "fail", "manual"]
    detail: str
    citation: Citation
    within_hours: int | None = None


@dataclasses.dataclass(frozen=True, slots=True)
class GateChecks:
    place: str
    at: datetime
    checks: tuple[CheckItem, ...]
    refused: bool
    reasons: tuple[Reason, ...]
    pack_id: str
    version: int


@dataclasses.dataclass(frozen=True, slots=True)
class ApprovalStep:
    approver: str
    apply_by: datetime
    lead_days: int
    filing_with: tuple[str, ...]
    rank: int
    citation: Citation


@dataclasses.dataclass(frozen=True, slots=True)
class PlanDocument:
    name: str
    responsible: str | None
    contents: tuple[str, ...]
    citation: Citation


@dataclasses.dataclass(frozen=True, slots=True)
class EventRoute:
    """Who must approve an event, by when, what plan it needs, and what it may not do."""

    pack_id: str
    version: int
    allowed: bool
    approval: ApprovalStep | None
    approvals: tuple[ApprovalStep, ...]
    documents: tuple[PlanDocument, ...]
    violations: tuple[Reason, ...]
    prohibitions: tuple[Prohibited, ...]
    notes: tuple[Note, ...]
    filings: tuple[Deadline, ...]
    rules: tuple[Citation, ...]


@dataclasses.dataclass(frozen=True, slots=True)
class ScheduleItem:
    on: date
    activity: Literal["test", "temperature", "disinfection"]
    label: str
    citation: Citation
    group: str | None = None
    place: str | None = None
    slot: str | None = None
    share: float | None = None
    cycle: int | None = None
    stratify_by: tuple[str, ...] = ()
    full_coverage_days: int | None = None


@dataclasses.dataclass(frozen=True, slots=True)
class Deadline:
    action: str
    who: str | None
    due_at: datetime
    window_start: datetime | None
    citation: Citation


@dataclasses.dataclass(frozen=True, slots=True)
class SymptomList:
    symptoms: tuple[str, ...]
    action: str
    citation: Citation
    # A temperature at or above this (°C) is 发热; None if the pack sets no number.
    fever_from_c: float | None = None


@dataclasses.dataclass(frozen=True, slots=True)
class ZoneDecision:
    colour: str
    meaning: str
    citation: Citation


def to_jsonable(value: Any) -> Any:
    """Plain JSON data (dicts, lists, ISO strings) for any result of the engine."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, tuple | list):
        return [to_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    return value
