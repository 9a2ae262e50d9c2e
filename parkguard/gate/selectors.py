"""Reads of the gate: gates one may check at or keep, the access log, manual-path lookups."""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass

from django.db import connection
from django.db.models import QuerySet
from django.utils import timezone

from parkguard.gate.models import AccessCheck, Gate, PrintedPass, TemporaryPass
from parkguard.lib import hot_sql
from parkguard.notify.privacy import name_mask
from parkguard.orgs.access import Scope, can_row, grant_row_or_404, visible
from parkguard.orgs.models import Enterprise, Jurisdiction
from parkguard.people.choices import EmploymentStatus
from parkguard.people.models import Person
from parkguard.status.models import PersonStatus

MANUAL_MAX = 5
LOG_PAGE = 200


def gates_to_check(*, scope: Scope) -> QuerySet[Gate]:
    """Gates where the caller may check people (a guard's kiosks)."""
    return (
        visible(scope, Gate, "gate_check")
        .filter(active=True)
        .select_related("enterprise", "park")
        .order_by("enterprise__name", "name")
    )


_GATE_FIELDS = tuple(f.name for f in Gate._meta.concrete_fields)
# The person fields the check reads: who, where they stand, their route (Z-5.2d), and every
# scope path `can_row` decides the temperature permission on.
_PERSON_FIELDS = (
    "id",
    "name",
    "enterprise",
    "org_unit",
    "status",
    "dormitory",
    "workshop",
    "home_community",
)


def gate_for_check(*, scope: Scope, gate_id: int) -> Gate:
    """The active gate `gate_id` if `scope` may check people at it, else a 404: one
    pre-written read by primary key (lib/hot_sql.py), decided by `orgs.access` on the row
    (`grant_row_or_404`: the same grant `get_visible_or_404(scope, Gate, "gate_check")`
    applies, and the row is marked granted for the service's `require`)."""
    found = hot_sql.select_one(Gate, _GATE_FIELDS, "t.id = %s AND t.active = %s", [gate_id, True])
    return grant_row_or_404(scope, "gate_check", found[0] if found else None)


@dataclass(frozen=True)
class CheckedPerson:
    """The person at the gate, as the check needs them."""

    person: Person
    park_id: int  # the park of their enterprise
    may_record_temperature: bool  # whether this caller may record their temperature
    status: PersonStatus | None  # their status row (None: no row yet, i.e. no evidence)


_STATUS_FIELDS = tuple(f.name for f in PersonStatus._meta.concrete_fields)


@functools.cache
def _person_joins() -> tuple[str, str]:
    """The joins to the person's enterprise (for its park column) and to their status row
    (an outer join on its primary key), written once per process."""
    enterprise, status = Enterprise._meta, PersonStatus._meta
    quote = connection.ops.quote_name
    column = Person._meta.get_field("enterprise").column
    joins = (
        f"JOIN {quote(enterprise.db_table)} e "
        f"ON e.{quote(str(enterprise.pk.column))} = t.{quote(str(column))} "
        f"LEFT JOIN {quote(status.db_table)} s "
        f"ON s.{quote(str(status.pk.column))} = t.{quote(str(Person._meta.pk.column))}"
    )
    park = enterprise.get_field("jurisdiction").column
    return joins, f"e.{quote(str(park))}"


def person_for_check(*, scope: Scope, person_id: int) -> CheckedPerson | None:
    """The person a signed pass (or the guard) named, with their enterprise's park, their
    status row, and whether `scope` may record their temperature (`orgs.access.can_row` on
    the row's scope paths): one pre-written read by primary key, joining the enterprise and
    the status row (the gate's one read of it). No scope on the read itself: the check then
    refuses another enterprise's (or park's) person and logs it."""
    joins, park = _person_joins()
    found = hot_sql.select_joined(
        Person,
        _PERSON_FIELDS,
        "t.id = %s",
        [person_id],
        joins=joins,
        joined=[(PersonStatus, "s", _STATUS_FIELDS)],
        extra=[park],
    )
    if found is None:
        return None
    person, (status,), (park_id,) = found
    related = {"enterprise__jurisdiction": park_id}
    return CheckedPerson(
        person,
        park_id,
        can_row(scope, "record_temperature", person, related=related),
        status,  # type: ignore[arg-type]
    )


def gates_of(*, scope: Scope, enterprise: Enterprise) -> QuerySet[Gate]:
    return visible(scope, Gate, "manage_gates").filter(enterprise=enterprise).order_by("name")


def park_gates(*, scope: Scope, park: Jurisdiction) -> QuerySet[Gate]:
    return visible(scope, Gate, "manage_gates").filter(park=park, enterprise__isnull=True)


def enterprises_to_keep(*, scope: Scope) -> QuerySet[Enterprise]:
    """Enterprises whose gates and passes the caller keeps (officers, park admins)."""
    return visible(scope, Enterprise, "manage_gates").order_by("name")


def enterprises_logged(*, scope: Scope) -> QuerySet[Enterprise]:
    return visible(scope, Enterprise, "read_access_log").order_by("name")


@dataclass(frozen=True)
class LogFilter:
    on: dt.date
    gate_id: int | None = None
    allowed: bool | None = None
    direction: str = ""
    person_id: int | None = None


def access_log(
    *, scope: Scope, enterprise: Enterprise, filters: LogFilter
) -> QuerySet[AccessCheck]:
    """One enterprise's checks on a day (newest first), as far as the caller may read them."""
    start = dt.datetime.combine(filters.on, dt.time.min, tzinfo=timezone.get_current_timezone())
    rows = visible(scope, AccessCheck, "read_access_log").filter(
        enterprise=enterprise, at__gte=start, at__lt=start + dt.timedelta(days=1)
    )
    if filters.gate_id is not None:
        rows = rows.filter(gate_id=filters.gate_id)
    if filters.allowed is not None:
        rows = rows.filter(allowed=filters.allowed)
    if filters.direction:
        rows = rows.filter(direction=filters.direction)
    if filters.person_id is not None:
        rows = rows.filter(person_id=filters.person_id)
    return rows.select_related("gate", "person", "guard", "device", "temporary_pass").order_by(
        "-at", "-id"
    )


def contacts_at(
    *, scope: Scope, person_id: int, start: dt.datetime, end: dt.datetime
) -> QuerySet[AccessCheck]:
    """Contact tracing (L-3.1): where one person passed between two times (index person, at)."""
    return (
        visible(scope, AccessCheck, "read_access_log")
        .filter(person_id=person_id, at__gte=start, at__lt=end)
        .select_related("gate")
        .order_by("at")
    )


@dataclass(frozen=True)
class Candidate:
    person_id: int
    name: str
    id_masked: str
    unit: str


def manual_candidates(*, scope: Scope, gate: Gate, name: str, tail: str) -> list[Candidate]:
    """The manual path: people of the gate's enterprise with this name and ID tail, masked."""
    name, tail = name.strip(), tail.strip().upper()
    if not name or not tail:
        return []
    people = visible(scope, Person, "gate_check").filter(
        name=name, id_tail__endswith=tail, status=EmploymentStatus.ACTIVE
    )
    if gate.enterprise_id is not None:
        people = people.filter(enterprise_id=gate.enterprise_id)
    else:
        people = people.filter(enterprise__jurisdiction_id=gate.park_id)
    return [
        Candidate(p.pk, name_mask(p.name), p.id_masked, p.org_unit.name if p.org_unit else "")
        for p in people.select_related("org_unit").order_by("pk")[:MANUAL_MAX]
    ]


def printed_passes(*, scope: Scope, enterprise: Enterprise) -> QuerySet[PrintedPass]:
    return (
        visible(scope, PrintedPass, "manage_gates")
        .filter(person__enterprise=enterprise)
        .select_related("person")
    )


def temporary_passes(*, scope: Scope, enterprise: Enterprise) -> QuerySet[TemporaryPass]:
    return visible(scope, TemporaryPass, "manage_gates").filter(enterprise=enterprise)


def active_people(*, scope: Scope, enterprise: Enterprise) -> QuerySet[Person]:
    return (
        visible(scope, Person, "manage_gates")
        .filter(enterprise=enterprise, status=EmploymentStatus.ACTIVE)
        .order_by("name", "pk")
    )
