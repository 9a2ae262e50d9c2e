"""Reads of the organisation app; the caller's scope always comes first."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet

from parkguard.orgs.access import Scope, visible
from parkguard.orgs.choices import ENTERPRISE_HOSTS, JURISDICTION_ROLES
from parkguard.orgs.models import Enterprise, Jurisdiction, OrgUnit
from parkguard.people.choices import EmploymentStatus, StaffCategory
from parkguard.people.models import Person
from parkguard.rules.params import large_enterprise_headcount

ACTIVE = Q(people__status=EmploymentStatus.ACTIVE)


def enterprise_list(*, scope: Scope, search: str = "") -> QuerySet[Enterprise]:
    """Enterprises the caller may see, each with `headcount` of active staff."""
    queryset = visible(scope, Enterprise).select_related("jurisdiction")
    if search:
        queryset = queryset.filter(Q(name__icontains=search) | Q(credit_code__icontains=search))
    return queryset.annotate(headcount=Count("people", filter=ACTIVE)).order_by("name")


def enterprise_headcount(*, enterprise: Enterprise) -> int:
    return Person.objects.filter(enterprise=enterprise, status=EmploymentStatus.ACTIVE).count()


def parks_of(*, scope: Scope) -> QuerySet[Jurisdiction]:
    """Parks (and towns acting as parks) the caller oversees through a park role."""
    if not (scope.superuser or scope.roles.intersection(JURISDICTION_ROLES) or scope.token_id):
        return Jurisdiction.objects.none()
    return (
        visible(scope, Jurisdiction)
        .filter(kind__in=ENTERPRISE_HOSTS, enterprises__isnull=False)
        .distinct()
        .order_by("name")
    )


@dataclass(frozen=True)
class ParkOverview:
    park: Jurisdiction
    enterprise_count: int
    whitelisted_count: int
    large_count: int
    large_threshold: int
    staff_total: int
    by_size: list[tuple[str, int]]
    by_category: list[tuple[str, int]]
    top_enterprises: Sequence[Enterprise]


def park_overview(*, scope: Scope, park: Jurisdiction) -> ParkOverview:
    """Counts for the park dashboard; a fixed number of queries whatever the headcount."""
    enterprises = list(
        visible(scope, Enterprise)
        .filter(jurisdiction__path__startswith=park.path)
        .annotate(headcount=Count("people", filter=ACTIVE))
        .order_by("-headcount", "name")
    )
    threshold = large_enterprise_headcount()
    half = threshold // 2
    buckets = [
        (f"{half}人以下", lambda n: n < half),
        (f"{half}–{threshold - 1}人", lambda n: half <= n < threshold),
        (f"{threshold}人及以上", lambda n: n >= threshold),
    ]
    by_size = [(label, sum(1 for e in enterprises if test(e.headcount))) for label, test in buckets]
    counts = dict(
        visible(scope, Person)
        .filter(enterprise__in=[e.pk for e in enterprises], status=EmploymentStatus.ACTIVE)
        .values_list("category")
        .annotate(n=Count("id"))
        .values_list("category", "n")
    )
    by_category = [(label, counts.get(value, 0)) for value, label in StaffCategory.choices]
    return ParkOverview(
        park=park,
        enterprise_count=len(enterprises),
        whitelisted_count=sum(1 for e in enterprises if e.whitelisted),
        large_count=sum(1 for e in enterprises if e.headcount >= threshold),
        large_threshold=threshold,
        staff_total=sum(n for _, n in by_category),
        by_size=by_size,
        by_category=by_category,
        top_enterprises=enterprises[:10],
    )


@dataclass
class UnitNode:
    unit: OrgUnit
    children: list[UnitNode]
    headcount: int


def org_unit_tree(*, scope: Scope, enterprise: Enterprise) -> list[UnitNode]:
    units = list(
        visible(scope, OrgUnit)
        .filter(enterprise=enterprise)
        .annotate(headcount=Count("people", filter=ACTIVE))
        .order_by("name")
    )
    nodes = {u.pk: UnitNode(unit=u, children=[], headcount=u.headcount) for u in units}
    roots: list[UnitNode] = []
    for unit in units:
        parent = nodes.get(unit.parent_id) if unit.parent_id else None
        (parent.children if parent else roots).append(nodes[unit.pk])
    return roots
