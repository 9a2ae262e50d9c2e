"""Reads of daily health: today's board, alerts, missed checks, sick leave, vaccination
coverage, the daily summary's figures. Set-based: the query count does not grow with staff."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import connection
from django.db.models import Count, Exists, Max, Model, OuterRef, Q, QuerySet

from parkguard.health.models import (
    Alert,
    DailySummary,
    Declaration,
    SickLeave,
    TemperatureReading,
    Vaccination,
)
from parkguard.health.rules import HealthRules, health_rules
from parkguard.lib import hot_sql
from parkguard.orgs.access import Scope, can, require, visible
from parkguard.orgs.models import Enterprise, Jurisdiction, OrgUnit
from parkguard.orgs.selectors import unit_paths
from parkguard.people.choices import EmploymentStatus
from parkguard.people.models import Person
from parkguard.status.sources import Evidence

UNASSIGNED = "未分配部门"
NO_PERSON = "您的账号未关联员工档案，无法进行健康申报，请联系本企业防疫专员"


def rules_for_enterprise(*, enterprise: Enterprise, on: dt.date) -> HealthRules:
    return health_rules(park=enterprise.jurisdiction, on=on)


_PERSON_FIELDS = tuple(f.name for f in Person._meta.concrete_fields)
_ENTERPRISE_FIELDS = tuple(f.name for f in Enterprise._meta.concrete_fields)
_PARK_FIELDS = tuple(f.name for f in Jurisdiction._meta.concrete_fields)
_UNIT_FIELDS = tuple(f.name for f in OrgUnit._meta.concrete_fields)


@functools.cache
def _my_person_joins(vendor: str) -> str:
    """`select_related("enterprise__jurisdiction", "org_unit")` as joins, written once per
    process and vendor (the unit is an outer join: a person may have none)."""
    quote = connection.ops.quote_name

    def column(model: type[Model], name: str) -> str:
        return quote(str(model._meta.get_field(name).column))  # type: ignore[union-attr]

    def join(kind: str, model: type[Model], alias: str, on: str) -> str:
        return (
            f"{kind} JOIN {quote(model._meta.db_table)} {alias} "
            f"ON {alias}.{quote(str(model._meta.pk.column))} = {on}"
        )

    return " ".join(
        (
            join("", Enterprise, "e", f"t.{column(Person, 'enterprise')}"),
            join("", Jurisdiction, "j", f"e.{column(Enterprise, 'jurisdiction')}"),
            join("LEFT", OrgUnit, "u", f"t.{column(Person, 'org_unit')}"),
        )
    )


def my_person(*, scope: Scope) -> Person | None:
    """The caller's own staff record (an employee login is linked to one), with its
    enterprise, park and unit. An employee's login is linked to one person: that read is one
    pre-written statement (lib/hot_sql.py, the daily declaration's path), the rare login
    linked to several takes the lowest id through the ORM."""
    if not scope.person_ids:
        return None
    if len(scope.person_ids) == 1:
        [pk] = scope.person_ids
        found = hot_sql.select_joined(
            Person,
            _PERSON_FIELDS,
            "t.id = %s",
            [pk],
            joins=_my_person_joins(connection.vendor),
            joined=[
                (Enterprise, "e", _ENTERPRISE_FIELDS),
                (Jurisdiction, "j", _PARK_FIELDS),
                (OrgUnit, "u", _UNIT_FIELDS),
            ],
        )
        if found is None:
            return None
        person, (enterprise, park, unit), _ = found
        enterprise.jurisdiction = park  # type: ignore[union-attr]
        person.enterprise = enterprise  # type: ignore[assignment]
        person.org_unit = unit  # type: ignore[assignment]
        return person
    return (
        Person.objects.select_related("enterprise__jurisdiction", "org_unit")
        .filter(pk__in=scope.person_ids)
        .order_by("pk")
        .first()
    )


def declaration_on(*, person: Person, on: dt.date) -> Declaration | None:
    return Declaration.objects.filter(person=person, on=on).first()


def declaration_before(*, person: Person, on: dt.date) -> Declaration | None:
    """The newest declaration before `on`: its answers pre-fill today's form."""
    return Declaration.objects.filter(person=person, on__lt=on).order_by("-on").first()


def enterprise_for_health(*, scope: Scope, enterprise_id: int) -> Enterprise:
    """The enterprise whose health pages the caller opens: 404 if unseen, 403 if not theirs."""
    from parkguard.orgs.access import get_visible_or_404

    enterprise = get_visible_or_404(
        scope, Enterprise.objects.select_related("jurisdiction"), pk=enterprise_id
    )
    require(scope, "oversee_health", enterprise)
    return enterprise


def _staff(scope: Scope, enterprise: Enterprise) -> QuerySet[Person]:
    """Active staff of the enterprise the caller may see (a team leader: their units)."""
    return visible(scope, Person).filter(enterprise=enterprise, status=EmploymentStatus.ACTIVE)


@dataclass
class UnitRow:
    unit_id: int | None
    name: str
    headcount: int = 0
    declared: int = 0

    @property
    def missing(self) -> int:
        return self.headcount - self.declared


@dataclass
class Board:
    on: dt.date
    units: list[UnitRow]
    missing_people: list[Person]
    headcount: int = 0
    declared: int = 0
    open_alerts: int = 0
    unit_paths: dict[int, str] = field(default_factory=dict)

    def missing_with_units(self) -> list[tuple[Person, str]]:
        """Who has not declared, each with their unit's full name ("" for none)."""
        return [(p, self.unit_paths.get(p.org_unit_id or 0, "")) for p in self.missing_people]

    @property
    def rate(self) -> int:
        return round(100 * self.declared / self.headcount) if self.headcount else 0


def declaration_board(*, scope: Scope, enterprise: Enterprise, on: dt.date) -> Board:
    """Who has and has not declared on `on`, per org unit (Z-5.2c). Four queries."""
    declared = Declaration.objects.filter(person=OuterRef("pk"), on=on)
    people = list(
        _staff(scope, enterprise)
        .annotate(has_declared=Exists(declared))
        .select_related("org_unit")
        .only("pk", "name", "org_unit__name", "org_unit_id", "post", "enterprise_id")
        .order_by("org_unit__name", "name", "pk")
    )
    paths = unit_paths(enterprise_ids=[enterprise.pk])
    rows: dict[int | None, UnitRow] = {}
    missing: list[Person] = []
    for person in people:
        unit_id = person.org_unit_id
        row = rows.setdefault(
            unit_id, UnitRow(unit_id, paths.get(unit_id, UNASSIGNED) if unit_id else UNASSIGNED)
        )
        row.headcount += 1
        if person.has_declared:
            row.declared += 1
        else:
            missing.append(person)
    open_alerts = (
        visible(scope, Alert).filter(person__enterprise=enterprise, closed_at__isnull=True).count()
    )
    units = sorted(rows.values(), key=lambda r: (r.unit_id is None, r.name))
    return Board(
        on=on,
        units=units,
        missing_people=missing,
        unit_paths=paths,
        headcount=len(people),
        declared=len(people) - len(missing),
        open_alerts=open_alerts,
    )


def declaration_rates(
    *, scope: Scope, enterprise: Enterprise, end: dt.date, days: int
) -> list[tuple[dt.date, int]]:
    """Declarations per day over the last `days` days, for the chart. One query."""
    start = end - dt.timedelta(days=days - 1)
    counts = dict(
        visible(scope, Declaration)
        .filter(person__enterprise=enterprise, on__range=(start, end))
        .values_list("on")
        .annotate(n=Count("id"))
        .values_list("on", "n")
    )
    return [
        (start + dt.timedelta(days=i), counts.get(start + dt.timedelta(days=i), 0))
        for i in range(days)
    ]


def alerts(*, scope: Scope, enterprise: Enterprise, open_only: bool) -> QuerySet[Alert]:
    queryset = visible(scope, Alert).filter(person__enterprise=enterprise)
    if open_only:
        queryset = queryset.filter(closed_at__isnull=True)
    return queryset.select_related("person", "person__org_unit", "closed_by")


@dataclass
class MissedCheck:
    person: Person
    taken: int
    required: int


def missed_checks(
    *, scope: Scope, enterprise: Enterprise, on: dt.date, rules: HealthRules
) -> list[MissedCheck]:
    """Active staff (not on sick leave) with fewer readings on `on` than the pack's checks per
    day (B-2.2b: 2). Empty when no followed pack sets a number. One query."""
    required = rules.checks_per_day
    if not required:
        return []
    off = SickLeave.objects.filter(person=OuterRef("pk"), returned_on__isnull=True)
    people = (
        _staff(scope, enterprise)
        .annotate(
            taken=Count("temperature_readings", filter=Q(temperature_readings__on=on)),
            off=Exists(off),
        )
        .filter(off=False, taken__lt=required)
        .select_related("org_unit")
        .order_by("org_unit__name", "name", "pk")
    )
    return [MissedCheck(p, p.taken, required) for p in people]


def readings(*, scope: Scope, enterprise: Enterprise, on: dt.date) -> QuerySet[TemperatureReading]:
    return (
        visible(scope, TemperatureReading)
        .filter(person__enterprise=enterprise, on=on)
        .select_related("person", "taken_by", "device")
    )


def sick_leaves(*, scope: Scope, enterprise: Enterprise) -> QuerySet[SickLeave]:
    """Open leave first, then the last returns."""
    return (
        visible(scope, SickLeave)
        .filter(person__enterprise=enterprise)
        .select_related("person", "person__org_unit", "recorded_by", "cleared_by")
        .order_by("returned_on", "-started_on", "-id")
    )


@dataclass
class Coverage:
    """Vaccination coverage (J-1.5b): active staff by doses received."""

    name: str
    headcount: int = 0
    by_doses: dict[int, int] = field(default_factory=dict)  # 0, 1, 2, 3 (3 = three or more)
    enterprise_id: int | None = None

    @property
    def vaccinated(self) -> int:
        return self.headcount - self.by_doses.get(0, 0)

    @property
    def rate(self) -> float:
        return round(100 * self.vaccinated / self.headcount, 1) if self.headcount else 0.0

    def share(self, doses: int) -> float:
        n = self.by_doses.get(doses, 0)
        return round(100 * n / self.headcount, 1) if self.headcount else 0.0


def _coverage_rows(queryset: QuerySet[Person], key: str) -> dict[Any, dict[int, int]]:
    rows: dict[Any, dict[int, int]] = {}
    for group, doses, n in (
        queryset.values_list(key, "vaccination_doses").annotate(n=Count("id")).order_by()
    ):
        bucket = rows.setdefault(group, {})
        band = min(int(doses), 3)
        bucket[band] = bucket.get(band, 0) + n
    return rows


def vaccination_coverage(
    *, scope: Scope, enterprise: Enterprise
) -> tuple[Coverage, list[Coverage]]:
    """The enterprise's coverage and each org unit's. One query."""
    units = unit_paths(enterprise_ids=[enterprise.pk])
    rows = _coverage_rows(_staff(scope, enterprise), "org_unit_id")
    total = Coverage(enterprise.name, enterprise_id=enterprise.pk)
    per_unit: list[Coverage] = []
    for unit_id, bucket in rows.items():
        item = Coverage(units.get(unit_id, UNASSIGNED), sum(bucket.values()), bucket)
        per_unit.append(item)
        total.headcount += item.headcount
        for band, n in bucket.items():
            total.by_doses[band] = total.by_doses.get(band, 0) + n
    per_unit.sort(key=lambda c: (c.name == UNASSIGNED, c.name))
    return total, per_unit


def park_vaccination_coverage(*, scope: Scope, park: Jurisdiction) -> list[Coverage]:
    """Coverage per enterprise of a park (J-1.5b), for the park's staff. One query."""
    names = dict(visible(scope, Enterprise).filter(jurisdiction=park).values_list("pk", "name"))
    people = visible(scope, Person).filter(
        enterprise_id__in=list(names), status=EmploymentStatus.ACTIVE
    )
    rows = _coverage_rows(people, "enterprise_id")
    out = [
        Coverage(names[e], sum(b.values()), b, enterprise_id=e)
        for e, b in rows.items()
        if e in names
    ]
    return sorted(out, key=lambda c: c.name)


def vaccinations(*, scope: Scope, person: Person) -> QuerySet[Vaccination]:
    return visible(scope, Vaccination).filter(person=person).order_by("dose")


def summary_figures(
    *, scope: Scope, enterprise: Enterprise, on: dt.date, rules: HealthRules
) -> dict[str, Any]:
    """The day's staff-health figures (Z-5.2c), as the signed summary stores them."""
    board = declaration_board(scope=scope, enterprise=enterprise, on=on)
    day_alerts = visible(scope, Alert).filter(person__enterprise=enterprise, opened_at__date=on)
    by_kind = dict(day_alerts.values_list("kind").annotate(n=Count("id")).values_list("kind", "n"))
    on_leave = (
        visible(scope, SickLeave)
        .filter(person__enterprise=enterprise, returned_on__isnull=True)
        .count()
    )
    missed = missed_checks(scope=scope, enterprise=enterprise, on=on, rules=rules)
    return {
        "on": on.isoformat(),
        "headcount": board.headcount,
        "declared": board.declared,
        "not_declared": board.headcount - board.declared,
        "fever_alerts": by_kind.get("fever", 0),
        "symptom_alerts": by_kind.get("symptom", 0),
        "open_alerts": board.open_alerts,
        "on_sick_leave": on_leave,
        "checks_per_day": rules.checks_per_day,
        "missed_checks": len(missed),
        "not_declared_names": [p.name for p in board.missing_people][:200],
    }


def summary_get(*, scope: Scope, enterprise: Enterprise, on: dt.date) -> DailySummary | None:
    return visible(scope, DailySummary).filter(enterprise=enterprise, on=on).first()


def can_manage(scope: Scope, enterprise: Enterprise) -> bool:
    return can(scope, "manage_health", enterprise)


def can_record(scope: Scope, enterprise: Enterprise) -> bool:
    return can(scope, "record_temperature", enterprise)


def status_evidence(person_ids: Sequence[int]) -> dict[int, Evidence]:
    """Contributor to the status rebuild: latest declaration date, newest reading. Two queries."""
    declared = dict(
        Declaration.objects.filter(person_id__in=person_ids)
        .values("person_id")
        .annotate(last=Max("on"))
        .values_list("person_id", "last")
    )
    newest: dict[int, tuple[Decimal, dt.datetime]] = {}
    for pid, value, taken_at in (
        TemperatureReading.objects.filter(person_id__in=person_ids)
        .order_by("person_id", "-taken_at", "-id")
        .values_list("person_id", "temperature", "taken_at")
    ):
        newest.setdefault(pid, (value, taken_at))
    out: dict[int, Evidence] = {}
    for pid in set(declared) | set(newest):
        reading = newest.get(pid)
        out[pid] = Evidence(
            declared_on=declared.get(pid),
            last_temperature=reading[0] if reading else None,
            last_temperature_at=reading[1] if reading else None,
        )
    return out


def can_oversee(scope: Scope, enterprise: Enterprise) -> bool:
    return can(scope, "oversee_health", enterprise)
