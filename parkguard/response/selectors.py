"""Reads of zones and incidents, always through `orgs.access.visible()`."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, QuerySet

from parkguard.orgs.access import Scope, get_visible_or_404, require, visible
from parkguard.orgs.models import Enterprise, Jurisdiction
from parkguard.response.choices import ContactState, IncidentState, MoveState, ZoneColour
from parkguard.response.models import Area, Contact, Incident, PersonZone, ZoneMove

LIST_ROWS = 200


def enterprise_for_response(*, scope: Scope, enterprise_id: int) -> Enterprise:
    """404 if unseen, 403 if the caller may not open the enterprise's zones and incidents."""
    enterprise = get_visible_or_404(
        scope, Enterprise.objects.select_related("jurisdiction"), pk=enterprise_id
    )
    require(scope, "view_response", enterprise)
    return enterprise


def park_for_response(*, scope: Scope, jurisdiction_id: int) -> Jurisdiction:
    park = get_visible_or_404(scope, Jurisdiction, pk=jurisdiction_id)
    require(scope, "view_response", park)
    return park


def areas_of(*, scope: Scope, enterprise: Enterprise) -> list[tuple[Area, int]]:
    """The enterprise's areas, each with the people placed in it now."""
    heads = dict(
        visible(scope, PersonZone)
        .filter(enterprise=enterprise, area__isnull=False)
        .values("area_id")
        .annotate(n=Count("pk"))
        .values_list("area_id", "n")
    )
    areas = visible(scope, Area).filter(enterprise=enterprise)
    return [(a, heads.get(a.pk, 0)) for a in areas]


def people_in_zones(*, scope: Scope, enterprise: Enterprise) -> QuerySet[PersonZone]:
    """Everyone not in green now, most severe first."""
    return (
        visible(scope, PersonZone)
        .filter(enterprise=enterprise)
        .exclude(colour=ZoneColour.GREEN)
        .select_related("person", "area", "move")
        .order_by("-colour", "-since")
    )


def moves_of(*, scope: Scope, enterprise: Enterprise) -> QuerySet[ZoneMove]:
    return (
        visible(scope, ZoneMove)
        .filter(person__enterprise=enterprise)
        .select_related("person", "area", "requested_by", "approved_by")
    )


def pending_moves(*, scope: Scope, enterprise: Enterprise) -> QuerySet[ZoneMove]:
    return moves_of(scope=scope, enterprise=enterprise).filter(state=MoveState.PENDING)


def incidents_of(*, scope: Scope, enterprise: Enterprise) -> QuerySet[Incident]:
    return visible(scope, Incident).filter(enterprise=enterprise).select_related("person")


def incident_detail(*, scope: Scope, incident_id: int) -> Incident:
    incident = get_visible_or_404(
        scope,
        Incident.objects.select_related("person", "enterprise__jurisdiction"),
        pk=incident_id,
    )
    require(scope, "view_response", incident)
    return incident


def contacts_of(*, incident: Incident) -> QuerySet[Contact]:
    return incident.contacts.select_related("person").order_by("state", "id")


@dataclass
class ParkBoard:
    """The park's list: enterprises without an isolation area, incidents with their minutes."""

    without_isolation: list[Enterprise] = field(default_factory=list)
    incidents: list[Incident] = field(default_factory=list)
    open_incidents: int = 0
    report_minutes_total: int = 0
    isolation_minutes_total: int = 0
    reported: int = 0
    isolated: int = 0
    orange: int = 0
    red: int = 0


def park_board(*, scope: Scope, park: Jurisdiction) -> ParkBoard:
    board = ParkBoard()
    enterprises = visible(scope, Enterprise).filter(jurisdiction=park).order_by("name")
    with_isolation = set(
        visible(scope, Area)
        .filter(enterprise__jurisdiction=park, is_isolation=True)
        .values_list("enterprise_id", flat=True)
    )
    board.without_isolation = [e for e in enterprises if e.pk not in with_isolation]
    board.incidents = list(
        visible(scope, Incident)
        .filter(enterprise__jurisdiction=park)
        .select_related("enterprise", "person")[:LIST_ROWS]
    )
    for i in board.incidents:
        board.open_incidents += i.state == IncidentState.OPEN
        if i.minutes_to_report is not None:
            board.reported += 1
            board.report_minutes_total += i.minutes_to_report
        if i.minutes_to_isolation is not None:
            board.isolated += 1
            board.isolation_minutes_total += i.minutes_to_isolation
    zones = dict(
        visible(scope, PersonZone)
        .filter(enterprise__jurisdiction=park)
        .values("colour")
        .annotate(n=Count("pk"))
        .values_list("colour", "n")
    )
    board.orange, board.red = zones.get(ZoneColour.ORANGE, 0), zones.get(ZoneColour.RED, 0)
    return board


def proposed_contacts(*, incident: Incident) -> QuerySet[Contact]:
    return contacts_of(incident=incident).filter(state=ContactState.PROPOSED)
