"""Reads of the organisation app; the caller's scope always comes first."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet

from parkguard.orgs.access import Scope, visible
from parkguard.orgs.choices import ENTERPRISE_HOSTS, JURISDICTION_ROLES
from parkguard.orgs.models import Enterprise, Jurisdiction, OrgUnit, SupervisionOffice
from parkguard.people.choices import EmploymentStatus, StaffCategory
from parkguard.people.models import Person
from parkguard.rules.params import LargeEnterprise, large_enterprise

ACTIVE = Q(people__status=EmploymentStatus.ACTIVE)


@dataclass(frozen=True)
class EnterpriseRow:
    """An enterprise, its active headcount, and whether its park's packs call it large."""

    enterprise: Enterprise
    headcount: int
    is_large: bool
    large_label: str  # the declared size's label ("200人以上企业"), shown when is_large


def enterprise_rows(enterprises: Iterable[Enterprise], *, on: dt.date) -> list[EnterpriseRow]:
    """Rows for enterprises annotated with `headcount`; one size lookup per park."""
    sizes: dict[int, LargeEnterprise] = {}
    rows = []
    for e in enterprises:
        if e.jurisdiction_id not in sizes:
            sizes[e.jurisdiction_id] = large_enterprise(park=e.jurisdiction, on=on)
        large = sizes[e.jurisdiction_id]
        headcount = getattr(e, "headcount", None)
        if headcount is None:
            headcount = enterprise_headcount(enterprise=e)
        rows.append(EnterpriseRow(e, headcount, large.includes(headcount), large.label))
    return rows


def enterprise_list(*, scope: Scope, search: str = "") -> QuerySet[Enterprise]:
    """Enterprises the caller may see, each with `headcount` of active staff."""
    queryset = visible(scope, Enterprise).select_related("jurisdiction", "supervision_office")
    if search:
        queryset = queryset.filter(Q(name__icontains=search) | Q(credit_code__icontains=search))
    return queryset.annotate(headcount=Count("people", filter=ACTIVE)).order_by("name")


def enterprise_headcount(*, enterprise: Enterprise) -> int:
    return Person.objects.filter(enterprise=enterprise, status=EmploymentStatus.ACTIVE).count()


def office_hosts(*, scope: Scope) -> QuerySet[Jurisdiction]:
    """Parks (and towns or streets acting as parks) whose supervising offices the caller sees."""
    return visible(scope, Jurisdiction).filter(kind__in=ENTERPRISE_HOSTS).order_by("name")


def supervision_offices(*, scope: Scope, jurisdiction: Jurisdiction) -> QuerySet[SupervisionOffice]:
    """A park's supervising offices (H-3), each with `enterprise_count` of those it supervises."""
    return (
        visible(scope, SupervisionOffice)
        .filter(jurisdiction=jurisdiction)
        .annotate(enterprise_count=Count("enterprises"))
        .order_by("order", "name")
    )


def offices_for_hosts(hosts: QuerySet[Jurisdiction]) -> QuerySet[SupervisionOffice]:
    """Offices an enterprise of one of these parks may name: the park's, or its town's."""
    paths = list(hosts.values_list("path", flat=True))
    ancestors = {int(pk) for path in paths for pk in path.strip("/").split("/") if pk}
    return (
        SupervisionOffice.objects.filter(jurisdiction_id__in=ancestors)
        .select_related("jurisdiction")
        .order_by("jurisdiction__name", "order", "name")
    )


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
    rows: list[EnterpriseRow]
    large_threshold: int | None  # where the chart draws its line; rows say which are large
    large_label: str  # empty when no pack the park follows declares a large size
    by_category: list[tuple[str, int]]

    @property
    def enterprise_count(self) -> int:
        return len(self.rows)

    @property
    def whitelisted_count(self) -> int:
        return sum(1 for r in self.rows if r.enterprise.whitelisted)

    @property
    def large_count(self) -> int:
        return sum(1 for r in self.rows if r.is_large)

    @property
    def staff_total(self) -> int:
        return sum(n for _, n in self.by_category)


def park_overview(*, scope: Scope, park: Jurisdiction, on: dt.date) -> ParkOverview:
    """Counts for the park dashboard; a fixed number of queries whatever the headcount."""
    enterprises = (
        visible(scope, Enterprise)
        .filter(jurisdiction__path__startswith=park.path)
        .select_related("jurisdiction")
        .annotate(headcount=Count("people", filter=ACTIVE))
        .order_by("-headcount", "name")
    )
    rows = enterprise_rows(enterprises, on=on)
    large = large_enterprise(park=park, on=on)
    counts = dict(
        visible(scope, Person)
        .filter(enterprise__in=[r.enterprise.pk for r in rows], status=EmploymentStatus.ACTIVE)
        .values_list("category")
        .annotate(n=Count("id"))
        .values_list("category", "n")
    )
    return ParkOverview(
        park=park,
        rows=rows,
        large_threshold=large.threshold,
        large_label=large.label,
        by_category=[(label, counts.get(value, 0)) for value, label in StaffCategory.choices],
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
