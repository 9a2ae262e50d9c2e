"""Reads that cross apps for the dashboards: enterprises with their headcount and size, the park.

Every queryset goes through `orgs.access.visible`; a fixed number of queries per page.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet

from parkguard.orgs import selectors as orgs_selectors
from parkguard.orgs.access import Scope, visible
from parkguard.orgs.models import Enterprise, Jurisdiction, OrgUnit
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


def enterprise_headcount(*, enterprise: Enterprise) -> int:
    return Person.objects.filter(enterprise=enterprise, status=EmploymentStatus.ACTIVE).count()


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


def enterprise_list(*, scope: Scope, search: str = "") -> QuerySet[Enterprise]:
    """Enterprises the caller may see, each with `headcount` of active staff."""
    return orgs_selectors.enterprise_list(scope=scope, search=search).annotate(
        headcount=Count("people", filter=ACTIVE)
    )


def unit_headcounts(*, scope: Scope, enterprise: Enterprise) -> dict[int, int]:
    """Active people per org unit of the enterprise, for the unit tree."""
    return dict(
        visible(scope, OrgUnit)
        .filter(enterprise=enterprise)
        .annotate(n=Count("people", filter=ACTIVE))
        .values_list("pk", "n")
    )


def enterprise_categories(*, enterprise: Enterprise) -> list[tuple[str, int]]:
    """Active staff per category (Z-5.2a), in the order of the categories."""
    counts = dict(
        enterprise.people.filter(status=EmploymentStatus.ACTIVE)
        .values_list("category")
        .annotate(n=Count("id"))
        .values_list("category", "n")
    )
    return [(label, counts[value]) for value, label in StaffCategory.choices if value in counts]
