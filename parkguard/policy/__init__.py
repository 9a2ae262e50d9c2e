"""ParkGuard's rule engine: notices as versioned, cited YAML packs, and pure functions over them.

Pure Python: no Django, no clock (every moment is an argument), no database. The Django
layer loads facts, calls one function below, and stores the result with its citations.

Packs
    load_registry(path=None) -> Registry
        Load every ``*.yaml`` pack in a directory (default: ``parkguard/policy/packs``).
        Raises PackError; each ``PackIssue`` names the file, the path inside it
        (``rules[3].measures[0].phases[1].test_days``), the line and a Chinese message.
    load_pack_text(text, *, file="<text>", parents=None) -> Pack
        One pack from text (preview of a pack being written).
    Registry.packs() -> tuple[Pack, ...]             every version of every pack
    Registry.get(pack_id, version) -> Pack
    Registry.in_force(pack_id, on: date) -> Pack     the published version in force
    Registry.all_in_force(on: date) -> tuple[Pack, ...]
    explain(pack) -> list[str]                       every rule in Chinese, with citations

Engine (keyword-only; ``params`` are the park's values for the pack's parameters)
    plan_arrival(*, pack, person, arrived_at, enterprise=None, params=None) -> Plan
        Obligations with due times, phases with start/end and test dates, earliest entry.
    evaluate_plan(*, plan, records, at) -> PlanStatus
        Each obligation done / due / overdue; entry allowed now, or from when and why not.
    entry_checks(*, pack, person, place, at, enterprise=None, params=None) -> GateChecks
    event_route(*, pack, event, enterprise=None, organiser=None, params=None) -> EventRoute
        Approval route (highest rank wins), apply-by deadline, plans, limits, filings.
    routine_schedule(*, pack, start, end, activities=..., anchor=None, person=None,
                     enterprise=None, params=None) -> tuple[ScheduleItem, ...]
        Routine tests (with sampling share), temperature checks, disinfection.
    sample_members(*, member_ids, share, cycle) -> tuple[str, ...]
    lockdown_deadlines(*, pack, ordered_at, params=None) -> tuple[Deadline, ...]
    incident_deadlines(*, pack, found_at, params=None) -> tuple[Deadline, ...]
    report_deadlines(*, pack, start, end, params=None, tz=None) -> tuple[Deadline, ...]
    symptom_lists(*, pack) -> tuple[SymptomList, ...]
    enterprise_size(*, pack, name, params=None) -> SizeBand | None
    is_of_size(*, pack, name, headcount, params=None) -> bool
        A size the pack declares (``LARGE``: J's 200人以上), the one decision on it.
    post_group(*, pack, name) / staff_group(*, pack, name) -> Group | None
    post_in_groups(post, groups) -> bool
        Post and staff groups the pack declares (``WIDE_CONTACT``, ``AGENCY_MANAGED``).
    zone_for(*, pack, person, at, params=None) -> ZoneDecision | None
    to_jsonable(result) -> JSON data

Facts (pydantic, usable as API request schemas): PersonFacts, Stay, Sample,
EnterpriseFacts, EventFacts, Records, NoticeRecord, PlanRequest.

Every result carries `Citation` objects: pack id, version, document number, requirement
ID and clause. Errors: `PackError` (a bad pack), `PolicyInputError` (bad input at
evaluation time, e.g. a park parameter that is required and missing); their messages are
the constants in `parkguard.policy.errors`.
"""

from __future__ import annotations

from parkguard.policy.arrival import day_date, evaluate_plan, plan_arrival
from parkguard.policy.deadlines import (
    incident_deadlines,
    lockdown_deadlines,
    report_deadlines,
    symptom_lists,
    zone_for,
)
from parkguard.policy.errors import PackError, PackIssue, PolicyInputError
from parkguard.policy.events import event_route
from parkguard.policy.explain import explain
from parkguard.policy.facts import (
    EnterpriseFacts,
    EventFacts,
    NoticeRecord,
    PersonFacts,
    PlanRequest,
    Records,
    Sample,
    Stay,
)
from parkguard.policy.gate import entry_checks
from parkguard.policy.loading import DEFAULT_PACKS_DIR, load_pack_text, load_registry
from parkguard.policy.pack import Pack
from parkguard.policy.registry import Registry
from parkguard.policy.results import (
    Citation,
    Deadline,
    EntryVerdict,
    EventRoute,
    GateChecks,
    Obligation,
    PhasePlan,
    Plan,
    PlanStatus,
    ScheduleItem,
    to_jsonable,
)
from parkguard.policy.schedules import (
    disinfection_schedule,
    routine_schedule,
    sample_members,
    temperature_schedule,
)
from parkguard.policy.vocabulary import (
    AGENCY_MANAGED,
    LARGE,
    WIDE_CONTACT,
    Group,
    SizeBand,
    enterprise_size,
    is_of_size,
    post_group,
    post_in_groups,
    staff_group,
)

__all__ = [
    "AGENCY_MANAGED",
    "DEFAULT_PACKS_DIR",
    "LARGE",
    "WIDE_CONTACT",
    "Citation",
    "Deadline",
    "EnterpriseFacts",
    "EntryVerdict",
    "EventFacts",
    "EventRoute",
    "GateChecks",
    "Group",
    "NoticeRecord",
    "Obligation",
    "Pack",
    "PackError",
    "PackIssue",
    "PersonFacts",
    "PhasePlan",
    "Plan",
    "PlanRequest",
    "PlanStatus",
    "PolicyInputError",
    "Records",
    "Registry",
    "Sample",
    "ScheduleItem",
    "SizeBand",
    "Stay",
    "day_date",
    "disinfection_schedule",
    "enterprise_size",
    "entry_checks",
    "evaluate_plan",
    "event_route",
    "explain",
    "incident_deadlines",
    "is_of_size",
    "load_pack_text",
    "load_registry",
    "lockdown_deadlines",
    "plan_arrival",
    "post_group",
    "post_in_groups",
    "report_deadlines",
    "routine_schedule",
    "sample_members",
    "staff_group",
    "symptom_lists",
    "temperature_schedule",
    "to_jsonable",
    "zone_for",
]
