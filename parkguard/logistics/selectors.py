"""Reads of trucks; the caller's scope comes first."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q, QuerySet

from parkguard.logistics.choices import TruckState
from parkguard.logistics.models import DeclarationLink, Driver, TruckDeclaration, Vehicle
from parkguard.orgs.access import Scope, get_visible_or_404, require, visible
from parkguard.orgs.models import Enterprise


def enterprise_for_trucks(*, scope: Scope, enterprise_id: object) -> Enterprise:
    enterprise = get_visible_or_404(
        scope, Enterprise.objects.select_related("jurisdiction"), pk=enterprise_id
    )
    require(scope, "gate_trucks", enterprise)
    return enterprise


def truck_get(*, scope: Scope, truck_id: object) -> TruckDeclaration:
    # The gate's action, not "view": the guard who checks a truck in may not browse the
    # enterprise's records, and a second "view" filter would hide the truck from them.
    truck = get_visible_or_404(
        scope,
        TruckDeclaration.objects.select_related("enterprise__jurisdiction"),
        "gate_trucks",
        pk=truck_id,
    )
    return truck


def trucks_of_day(
    *, scope: Scope, enterprise: Enterprise, on: dt.date
) -> QuerySet[TruckDeclaration]:
    """Trucks declared for the day or later, every truck still inside, those gone that day."""
    return (
        visible(scope, TruckDeclaration, "gate_trucks")
        .filter(enterprise=enterprise)
        .filter(
            Q(state=TruckState.DECLARED, planned_arrival__date__gte=on)
            | Q(state=TruckState.INSIDE)
            | Q(left_at__date=on)
        )
        .prefetch_related("crew")
        .order_by("state", "planned_arrival")
    )


def truck_links(*, scope: Scope, enterprise: Enterprise) -> QuerySet[DeclarationLink]:
    return visible(scope, DeclarationLink).filter(enterprise=enterprise)[:20]


def vehicles(*, scope: Scope, enterprise: Enterprise) -> QuerySet[Vehicle]:
    return visible(scope, Vehicle).filter(enterprise=enterprise).order_by("plate")


def drivers(*, scope: Scope, enterprise: Enterprise) -> QuerySet[Driver]:
    return visible(scope, Driver).filter(enterprise=enterprise).order_by("name")
