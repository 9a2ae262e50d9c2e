"""Reads of mobility: one's own trips, returns and duties; an enterprise's returnee register;
a community's returnees (B-2.2c 网格化, H-4.4); a park's risk-area register. Scoped first."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from parkguard.duties.choices import DutyState
from parkguard.duties.models import Duty
from parkguard.mobility.choices import TRIP_OPEN
from parkguard.mobility.models import (
    IsolationRecord,
    ObservationPoint,
    PolicyChange,
    ReturnDeclaration,
    RiskArea,
    Trip,
    Visitor,
)
from parkguard.mobility.rules import risk_word_label, risk_words
from parkguard.orgs.access import Scope, get_visible_or_404, require, visible
from parkguard.orgs.models import Enterprise, Jurisdiction
from parkguard.people.choices import EmploymentStatus
from parkguard.people.models import Person
from parkguard.people.sections import Section

NO_PERSON = "您的账号未关联员工档案，无法报备出行或申报返岗，请联系本企业防疫专员"


def my_person(*, scope: Scope) -> Person | None:
    if not scope.person_ids:
        return None
    return (
        visible(scope, Person)
        .select_related("enterprise__jurisdiction")
        .filter(pk__in=scope.person_ids)
        .order_by("pk")
        .first()
    )


def trips_of(*, scope: Scope, person: Person) -> QuerySet[Trip]:
    return visible(scope, Trip).filter(person=person).prefetch_related("stops")


def open_trips_of(*, scope: Scope, person: Person) -> QuerySet[Trip]:
    """The person's trips a return may end (`TRIP_OPEN`), latest first."""
    return (
        trips_of(scope=scope, person=person)
        .filter(status__in=TRIP_OPEN)
        .order_by("-departs_on", "-pk")
    )


def trip_returned_from(*, scope: Scope, person: Person, arrived_on: dt.date) -> Trip | None:
    """The filed trip a return arriving on `arrived_on` ends: the person's latest open one
    (`TRIP_OPEN`: filed, awaiting approval or approved) that had begun by then. None when
    there is none: a return from a trip never filed stands alone, and a trip filed for later
    stays open."""
    return open_trips_of(scope=scope, person=person).filter(departs_on__lte=arrived_on).first()


def returns_of(*, scope: Scope, person: Person) -> QuerySet[ReturnDeclaration]:
    return visible(scope, ReturnDeclaration).filter(person=person).prefetch_related("plans")


def trip_get(*, scope: Scope, trip_id: int) -> Trip:
    return get_visible_or_404(
        scope,
        Trip.objects.select_related("person", "enterprise__jurisdiction").prefetch_related("stops"),
        pk=trip_id,
    )


def trip_for_update(*, scope: Scope, trip_id: int) -> Trip:
    """A trip the caller sees (else 404) and may update (else 403: the traveller alone)."""
    trip = trip_get(scope=scope, trip_id=trip_id)
    require(scope, "update_trip", trip)
    return trip


def return_get(*, scope: Scope, return_id: int) -> ReturnDeclaration:
    return get_visible_or_404(
        scope,
        ReturnDeclaration.objects.select_related("person", "enterprise__jurisdiction"),
        pk=return_id,
    )


@dataclass(frozen=True)
class DutyLine:
    """One thing to do, by when, and why, in plain Chinese."""

    label: str
    due_from: dt.datetime
    due_by: dt.datetime
    state: str
    state_label: str
    why: str


def _why(citation: dict[str, Any]) -> str:
    if not citation:
        return ""
    return f"依据：{citation.get('document_number', '')} {citation.get('clause', '')}".strip()


# How many done duties the list keeps below the open ones (the latest by deadline).
DONE_SHOWN = 5


def duties_of(*, scope: Scope, person: Person) -> list[DutyLine]:
    """Everything the person must do by when: the duties of their returns and the routine
    tests alike (an employee's 我的待办), open first by deadline, then the latest done."""
    rows = visible(scope, Duty).filter(person=person)
    open_rows = list(rows.filter(state__in=[DutyState.OVERDUE, DutyState.DUE]))
    done_rows = list(rows.filter(state=DutyState.DONE).order_by("-due_by", "-pk")[:DONE_SHOWN])
    order: dict[str, int] = {DutyState.OVERDUE: 0, DutyState.DUE: 1}
    open_rows.sort(key=lambda d: (order[d.state], d.due_by, d.pk))
    return [
        DutyLine(
            d.label or d.get_kind_display(),
            d.due_from,
            d.due_by,
            d.state,
            d.get_state_display(),
            _why(d.citation),
        )
        for d in open_rows + done_rows
    ]


def enterprise_for_mobility(*, scope: Scope, enterprise_id: int) -> Enterprise:
    enterprise = get_visible_or_404(
        scope, Enterprise.objects.select_related("jurisdiction"), pk=enterprise_id
    )
    require(scope, "oversee_health", enterprise)
    return enterprise


def returnee_register(*, scope: Scope, enterprise: Enterprise) -> QuerySet[ReturnDeclaration]:
    """H-4.4 登记造册: every return of the enterprise's staff, latest first, with its plans."""
    return (
        visible(scope, ReturnDeclaration)
        .filter(enterprise=enterprise)
        .select_related("person", "person__org_unit")
        .prefetch_related("plans")
    )


def trips_of_enterprise(*, scope: Scope, enterprise: Enterprise) -> QuerySet[Trip]:
    return (
        visible(scope, Trip)
        .filter(enterprise=enterprise)
        .select_related("person")
        .prefetch_related("stops")
    )


def community_returnees(*, scope: Scope) -> QuerySet[ReturnDeclaration]:
    """The returns of people living in the liaison's communities (B-2.2c, H-4.4 网格化)."""
    if not scope.community_ids and not scope.superuser:
        return ReturnDeclaration.objects.none()
    return (
        visible(scope, ReturnDeclaration)
        .filter(person__home_community_id__in=scope.community_ids)
        .select_related("person", "enterprise", "person__home_community")
        .prefetch_related("plans")
    )


# How many rows the liaison's and the park's lists show (page and API alike).
LIST_LIMIT = 200


@dataclass(frozen=True)
class CommunityReturnRow:
    """One returnee living in the liaison's grid, as the page shows them: no ID, no phone."""

    name: str
    enterprise: str
    arrived_at: dt.datetime
    stays: list[str]
    closed: bool
    state: str


@dataclass(frozen=True)
class FiledVisitorRow:
    """One visitor filed with the community or the park (J-1.2.3): no name, no phone."""

    enterprise: str
    arrives_at: dt.datetime
    origin_name: str
    category: str


def community_return_rows(*, scope: Scope) -> list[CommunityReturnRow]:
    """The liaison's returnees (B-2.2c, H-4.4 网格化): the page's rows and the API's."""
    return [
        CommunityReturnRow(
            name=r.person.name,
            enterprise=r.enterprise.name,
            arrived_at=r.arrived_at,
            stays=[s["division_name"] for s in r.stays],
            closed=r.closed_at is not None,
            state="已解除" if r.closed_at else "管理中",
        )
        for r in community_returnees(scope=scope)[:LIST_LIMIT]
    ]


def _visitor_rows(visitors: QuerySet[Visitor]) -> list[FiledVisitorRow]:
    return [
        FiledVisitorRow(
            enterprise=v.enterprise.name,
            arrives_at=v.arrives_at,
            origin_name=v.origin_name,
            category=v.category,
        )
        for v in visitors[:LIST_LIMIT]
    ]


def community_visitor_rows(*, scope: Scope) -> list[FiledVisitorRow]:
    """Visitors filed with the liaison's communities; none for a caller with no community."""
    if not scope.community_ids:
        return []
    return _visitor_rows(visitors_filed(scope=scope))


def park_visitor_rows(*, scope: Scope, park: Jurisdiction) -> list[FiledVisitorRow]:
    """Visitors the park's enterprises filed with it (J-1.2.3): the page's rows and the API's."""
    return _visitor_rows(visitors_filed(scope=scope).filter(enterprise__jurisdiction=park))


def park_for_risk_areas(*, scope: Scope, jurisdiction_id: int) -> Jurisdiction:
    park = get_visible_or_404(scope, Jurisdiction, pk=jurisdiction_id)
    require(scope, "manage_risk_areas", park)
    return park


def risk_register(*, scope: Scope, park: Jurisdiction) -> QuerySet[RiskArea]:
    return visible(scope, RiskArea).filter(jurisdiction=park)


def risk_area_get(*, scope: Scope, risk_area_id: int) -> RiskArea:
    """An entry of a register the caller keeps (who may add may edit: `manage_risk_areas`)."""
    area = get_visible_or_404(
        scope, RiskArea.objects.select_related("jurisdiction"), pk=risk_area_id
    )
    require(scope, "manage_risk_areas", area)
    return area


@dataclass(frozen=True)
class FieldChange:
    label: str
    before: str
    after: str


@dataclass(frozen=True)
class RiskAreaChange:
    """One step of an entry's history: who, when, what (each field before and after), why."""

    at: dt.datetime
    by: str
    kind: str
    reason: str
    changes: list[FieldChange]


_HISTORY_KINDS = {"+": "登记", "~": "修改", "-": "删除"}
_HISTORY_FIELDS = ("division_name", "place", "level", "effective_from", "effective_to", "source")
_HISTORY_LABELS = {f.name: str(f.verbose_name) for f in RiskArea._meta.concrete_fields}


def _shown(field: str, value: object) -> str:
    if field == "level":
        return risk_word_label(str(value))
    if value is None or value == "":
        return "今" if field == "effective_to" else "—"
    return value.isoformat() if isinstance(value, dt.date) else str(value)


def risk_area_history(*, area: RiskArea) -> list[RiskAreaChange]:
    """The entry's history, newest first, from its stored versions (django-simple-history):
    each version against the one before it."""
    versions = list(
        area.history.select_related("history_user").order_by("history_date", "history_id")
    )
    out: list[RiskAreaChange] = []
    before: Any = None
    for version in versions:
        changes = [
            FieldChange(
                _HISTORY_LABELS[f],
                _shown(f, getattr(before, f)) if before is not None else "",
                _shown(f, getattr(version, f)),
            )
            for f in _HISTORY_FIELDS
            if before is None or getattr(before, f) != getattr(version, f)
        ]
        user = version.history_user
        out.append(
            RiskAreaChange(
                at=version.history_date,
                by=(user.get_full_name() or user.username) if user else "系统",
                kind=_HISTORY_KINDS.get(version.history_type, version.history_type),
                reason=version.history_change_reason or "",
                changes=changes,
            )
        )
        before = version
    return out[::-1]


def park_risk_words(*, park: Jurisdiction) -> tuple[str, ...]:
    return risk_words(park)


def isolations_of_enterprise(*, scope: Scope, enterprise: Enterprise) -> QuerySet[IsolationRecord]:
    """The isolation and observation records not yet released."""
    return (
        visible(scope, IsolationRecord)
        .filter(enterprise=enterprise, released_at__isnull=True)
        .select_related("person")
        .order_by("ends_at")
    )


def isolation_get(*, scope: Scope, isolation_id: int) -> IsolationRecord:
    return get_visible_or_404(
        scope, IsolationRecord.objects.select_related("person"), pk=isolation_id
    )


def points_of(*, scope: Scope, enterprise: Enterprise) -> QuerySet[ObservationPoint]:
    return visible(scope, ObservationPoint).filter(enterprise=enterprise)


def visitor_get(*, scope: Scope, visitor_id: int) -> Visitor:
    """A visitor: for the enterprise, the host, the park; a community sees only filed ones."""
    queryset = visible(scope, Visitor).select_related("host", "enterprise", "buffer")
    if scope.community_ids:
        queryset = queryset.exclude(filed=False, enterprise__community_id__in=scope.community_ids)
    return get_visible_or_404(scope, queryset, pk=visitor_id)


def visitors_of_enterprise(*, scope: Scope, enterprise: Enterprise) -> QuerySet[Visitor]:
    return (
        visible(scope, Visitor)
        .filter(enterprise=enterprise)
        .select_related("host", "buffer", "temporary_pass")
        .order_by("arrives_at", "pk")
    )


def visitors_of_host(*, scope: Scope, person: Person) -> QuerySet[Visitor]:
    return visible(scope, Visitor).filter(host=person).order_by("-arrives_at", "pk")


def visitors_filed(*, scope: Scope) -> QuerySet[Visitor]:
    """Visitors filed with the caller's community or park (J-1.2.3)."""
    return (
        visible(scope, Visitor)
        .filter(filed=True)
        .select_related("enterprise", "host")
        .order_by("-arrives_at", "pk")
    )


def host_choices(*, scope: Scope, enterprise: Enterprise) -> list[tuple[int, str]]:
    people = visible(scope, Person).filter(enterprise=enterprise, status=EmploymentStatus.ACTIVE)
    return list(people.order_by("name", "pk").values_list("pk", "name")[:500])


def my_host(*, scope: Scope, enterprise: Enterprise, person_id: int | None) -> Person | None:
    """The host an officer picked (a person of the enterprise), or None."""
    if not person_id:
        return None
    return visible(scope, Person).filter(enterprise=enterprise, pk=person_id).first()


def park_for_visitors(*, scope: Scope, jurisdiction_id: int) -> Jurisdiction:
    park = get_visible_or_404(scope, Jurisdiction, pk=jurisdiction_id)
    require(scope, "oversee_health", park)
    return park


def park_for_impact(*, scope: Scope, jurisdiction_id: int) -> Jurisdiction:
    park = get_visible_or_404(scope, Jurisdiction, pk=jurisdiction_id)
    require(scope, "adopt", park)
    return park


def policy_changes(*, scope: Scope, park: Jurisdiction) -> QuerySet[PolicyChange]:
    return visible(scope, PolicyChange).filter(jurisdiction=park)


def return_section(scope: Scope, person: Person) -> Section | None:
    """The person's returns (plans, earliest entry) and isolation records on the personal
    file (`people.sections`; issue 12 §3): only what the caller's scope shows, none if empty."""
    returns = list(returns_of(scope=scope, person=person).order_by("-arrived_at")[:10])
    isolations = list(
        visible(scope, IsolationRecord).filter(person=person).order_by("-starts_at")[:10]
    )
    if not returns and not isolations:
        return None
    return Section("mobility/_file_returns.html", {"returns": returns, "isolations": isolations})
