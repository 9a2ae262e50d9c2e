"""Reads of the organisation app; the caller's scope always comes first."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet

from parkguard.orgs.access import Scope, visible
from parkguard.orgs.choices import ENTERPRISE_HOSTS, JURISDICTION_ROLES, JurisdictionKind
from parkguard.orgs.models import Enterprise, Jurisdiction, OrgUnit, SupervisionOffice


def enterprise_list(*, scope: Scope, search: str = "") -> QuerySet[Enterprise]:
    """Enterprises the caller may see, by name."""
    queryset = visible(scope, Enterprise).select_related("jurisdiction", "supervision_office")
    if search:
        queryset = queryset.filter(Q(name__icontains=search) | Q(credit_code__icontains=search))
    return queryset.order_by("name")


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


def county_root_path(*, enterprise: Enterprise) -> str:
    """The path prefix of the enterprise's county: its people live in communities under it."""
    return "/{}/".format(enterprise.jurisdiction.path.split("/")[1])


def enterprise_places(*, enterprise: Enterprise) -> QuerySet[Jurisdiction]:
    """Communities and grids an enterprise's people may live in: those of its own county."""
    return Jurisdiction.objects.filter(
        path__startswith=county_root_path(enterprise=enterprise),
        kind__in=[JurisdictionKind.COMMUNITY, JurisdictionKind.GRID],
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


@dataclass
class UnitNode:
    unit: OrgUnit
    children: list[UnitNode]
    headcount: int | None


def org_unit_tree(
    *, scope: Scope, enterprise: Enterprise, headcounts: dict[int, int] | None = None
) -> list[UnitNode]:
    """The enterprise's units as a tree; `headcounts` (unit id → people) come from the ledger."""
    units = list(visible(scope, OrgUnit).filter(enterprise=enterprise).order_by("name"))
    nodes = {
        u.pk: UnitNode(
            unit=u,
            children=[],
            headcount=None if headcounts is None else headcounts.get(u.pk, 0),
        )
        for u in units
    }
    roots: list[UnitNode] = []
    for unit in units:
        parent = nodes.get(unit.parent_id) if unit.parent_id else None
        (parent.children if parent else roots).append(nodes[unit.pk])
    return roots
