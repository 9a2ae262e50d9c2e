"""Reads of zones and incidents, always through `orgs.access.visible()`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.db.models import Count, QuerySet
from django.http import Http404

from parkguard.gate.models import AccessCheck
from parkguard.notify.privacy import name_mask
from parkguard.orgs.access import NOT_FOUND, Scope, can, get_visible_or_404, require, visible
from parkguard.orgs.choices import ENTERPRISE_HOSTS
from parkguard.orgs.models import Enterprise, Jurisdiction
from parkguard.people.models import Person
from parkguard.people.sections import Section
from parkguard.response.choices import (
    ContactState,
    Evidence,
    IncidentState,
    JunctionDirection,
    MoveState,
    ZoneColour,
)
from parkguard.response.models import (
    Area,
    Contact,
    Incident,
    Junction,
    PersonZone,
    SitePlan,
    TimelineEntry,
    ZoneMove,
)
from parkguard.response.models import _minutes as minutes_between
from parkguard.response.owners import Owner

LIST_ROWS = 200
# Index-case passages per statement: one UNION branch each, well under SQLite's 500 compound
# terms and any bound-parameter limit.
TRACE_CHUNK = 200

# One branch per index passage: who passed that gate within the gap of it. Each branch is a
# range on (gate, at) that the index `access_gate_at_person` answers by itself (an index-only
# scan on PostgreSQL, a covering index on SQLite); UNION gives each (person, gate) pair once
# before the enterprise's people are looked up. Not a self-join on `i.at ± gap`: neither
# planner can estimate a range join, and PostgreSQL then hash-joins the whole log. The bounds
# are computed here, exactly, so SQLite's text timestamps need no date arithmetic.
_CO_BRANCH = "SELECT person_id, gate_id FROM {log} WHERE gate_id = %s AND at >= %s AND at <= %s"
_CO_SQL = """
SELECT m.person_id, m.gate_id FROM ({branches}) m
JOIN {people} p ON p.id = m.person_id
WHERE p.enterprise_id = %s AND m.person_id <> %s
"""


@dataclass(frozen=True)
class CoPassage:
    """Where a candidate passed within the gap of the index person, and when the index person
    first passed there in the window."""

    gate: str
    at: dt.datetime


def co_passages(
    *, person_id: int, enterprise_id: int, start: dt.datetime, end: dt.datetime, gap: dt.timedelta
) -> dict[int, CoPassage]:
    """People of the enterprise who passed a gate or place code within `gap` (inclusive) of one
    of the index person's passages there in [start, end] (the access log, L-3.1). Two reads:
    the index person's passages with the gates' names (index person, at), then one statement
    of one (gate, at) range per passage (`_CO_SQL`), each (person, gate) pair once. A candidate
    met at several gates is given the gate the index person passed first."""
    passages = sorted(
        AccessCheck.objects.filter(person_id=person_id, at__gte=start, at__lte=end)
        .order_by()
        .values_list("at", "gate_id", "gate__name")
    )
    if not passages:
        return {}
    index_first: dict[int, dt.datetime] = {}
    names: dict[int, str] = {}
    for when, gate_id, name in passages:
        index_first.setdefault(gate_id, when)
        names[gate_id] = name
    quote = connection.ops.quote_name
    branch = _CO_BRANCH.format(log=quote(AccessCheck._meta.db_table))
    adapt = connection.ops.adapt_datetimefield_value
    met: dict[int, int] = {}
    with connection.cursor() as cursor:
        for i in range(0, len(passages), TRACE_CHUNK):
            chunk = passages[i : i + TRACE_CHUNK]
            params: list[Any] = []
            for when, gate_id, _name in chunk:
                params += [gate_id, adapt(when - gap), adapt(when + gap)]
            sql = _CO_SQL.format(
                branches=" UNION ".join([branch] * len(chunk)),
                people=quote(Person._meta.db_table),
            )
            cursor.execute(sql, [*params, enterprise_id, person_id])
            for pk, gate_id in cursor.fetchall():
                seen = met.get(pk)
                if seen is None or index_first[gate_id] < index_first[seen]:
                    met[pk] = gate_id
    # One (immutable) answer per gate, shared by its candidates: a thousand candidates meet at
    # a handful of gates, and building a frozen dataclass each was a third of the read.
    where = {g: CoPassage(names[g], when) for g, when in index_first.items()}
    return {pk: where[g] for pk, g in met.items()}


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


def junctions_of(*, scope: Scope, enterprise: Enterprise) -> list[Junction]:
    """Where the enterprise's blocks meet, with both areas."""
    return list(
        visible(scope, Junction)
        .filter(enterprise=enterprise)
        .select_related("from_area", "to_area", "gate")
        .order_by("from_area__name", "to_area__name", "kind", "pk")
    )


def junctions_by_area(junctions: list[Junction]) -> dict[int, list[tuple[Junction, Area]]]:
    """Each area's junctions with the area on the other side, for the area's row."""
    out: dict[int, list[tuple[Junction, Area]]] = {}
    for j in junctions:
        out.setdefault(j.from_area_id, []).append((j, j.to_area))
        out.setdefault(j.to_area_id, []).append((j, j.from_area))
    return out


def site_plan_of(*, scope: Scope, enterprise: Enterprise) -> SitePlan | None:
    return visible(scope, SitePlan).filter(enterprise=enterprise).first()


def people_in_zones(*, scope: Scope, enterprise: Enterprise) -> QuerySet[PersonZone]:
    """Everyone not in green now, most severe first."""
    return (
        visible(scope, PersonZone)
        .filter(enterprise=enterprise)
        .exclude(colour=ZoneColour.GREEN)
        .select_related("person", "area", "move")
        .order_by("-colour", "-since")
    )


def has_blue_area(*, enterprise: Enterprise) -> bool:
    """Whether the enterprise has set up a blue area (Z-5.1: newcomers under observation)."""
    return Area.objects.filter(
        enterprise=enterprise, zone=ZoneColour.BLUE, is_isolation=False
    ).exists()


def awaiting_blue_area(*, scope: Scope, enterprise: Enterprise) -> QuerySet[PersonZone]:
    """People in blue with no area to go to (等待安排蓝区区块): the enterprise has no blue
    area yet, or every one is full; the periodic job places them once one has room."""
    return people_in_zones(scope=scope, enterprise=enterprise).filter(
        colour=ZoneColour.BLUE, area__isnull=True
    )


@dataclass(frozen=True)
class ZoneOnFile:
    """A person's zone on their personal file: the colour, since when, the area (or that
    one is awaited), why (the move's reason and the pack's citation)."""

    colour: str
    label: str
    since: dt.datetime | None
    area: str
    awaiting_area: bool
    reason: str
    evidence: str
    citation: dict[str, Any]


def zone_on_file(*, scope: Scope, person: Person) -> ZoneOnFile | None:
    """The person's current zone for their personal file (None: the caller may not see
    zones): the person themself, or whoever may view the enterprise's zones (`view_response`).
    Green with no reason if nothing ever moved them."""
    if person.pk not in scope.person_ids and not can(scope, "view_response", person):
        return None
    zone = PersonZone.objects.filter(pk=person.pk).select_related("area", "move").first()
    if zone is None:
        return ZoneOnFile(ZoneColour.GREEN, ZoneColour.GREEN.label, None, "", False, "", "", {})
    evidence = zone.move.evidence
    return ZoneOnFile(
        colour=zone.colour,
        label=zone.get_colour_display(),
        since=zone.since,
        area=zone.area.name if zone.area else "",
        awaiting_area=zone.colour == ZoneColour.BLUE and zone.area_id is None,
        reason=zone.move.reason,
        evidence=Evidence(evidence).label if evidence in Evidence.values else "",
        citation=zone.move.citation,
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


def timeline_of(*, incident: Incident) -> list[TimelineEntry]:
    """The incident's timeline, each entry with the minutes since detection (`minutes`)."""
    entries = list(incident.timeline.select_related("by"))
    for entry in entries:
        entry.minutes = max(0, minutes_between(incident.detected_at, entry.at) or 0)
    return entries


CHAIN_DEPTH = 3


def chain_of(*, scope: Scope, incident: Incident) -> dict[str, list[dict[str, object]]]:
    """The chain of transmission around the incident, for an ECharts graph: its index person,
    the incident the index person was a confirmed contact of (upwards, as far as seen), and
    the candidates and confirmed contacts (downwards: a contact who became the index of an
    incident brings that incident's contacts), a few levels deep. Masked names only."""
    seen_incidents: set[int] = set()
    nodes: dict[int, dict[str, object]] = {}
    links: list[dict[str, object]] = []
    incidents = visible(scope, Incident)

    def node(person_id: int, name: str, role: str) -> None:
        if person_id not in nodes:
            nodes[person_id] = {"id": str(person_id), "name": name_mask(name), "role": role}

    # Upwards: who passed it to the index person (a confirmed contact of an earlier incident).
    top = incident
    for _ in range(CHAIN_DEPTH):
        parent = (
            visible(scope, Contact)
            .filter(person_id=top.person_id, state=ContactState.CONFIRMED)
            .exclude(incident_id__in=[*seen_incidents, top.pk])
            .select_related("incident__person")
            .order_by("incident__detected_at")
            .first()
        )
        if parent is None:
            break
        seen_incidents.add(top.pk)
        top = parent.incident
    seen_incidents.clear()
    level = [top]
    for _ in range(CHAIN_DEPTH):
        following: list[Incident] = []
        for current in level:
            if current.pk in seen_incidents:
                continue
            seen_incidents.add(current.pk)
            node(current.person_id, current.person.name, "index")
            contacts = (
                contacts_of(incident=current)
                .exclude(state=ContactState.DISMISSED)
                .select_related("person")
            )
            for c in contacts:
                node(c.person_id, c.person.name, c.state)
                links.append(
                    {
                        "source": str(current.person_id),
                        "target": str(c.person_id),
                        "degree": c.get_degree_display(),
                        "confirmed": c.state == ContactState.CONFIRMED,
                    }
                )
            confirmed = [c.person_id for c in contacts if c.state == ContactState.CONFIRMED]
            following += list(incidents.filter(person_id__in=confirmed).select_related("person"))
        level = following
    nodes[incident.person_id]["role"] = "this"
    return {"nodes": list(nodes.values()), "links": links}


# --- tracing through junctions (Z-5.1b, pack v3) ------------------------------------------
# One branch per (gate, index passage): who passed that gate within the gap, tagged with the
# branch's number so the answer says which junction and which index passage it came from.
_JUNCTION_BRANCH = (
    "SELECT person_id, {k} AS k FROM {log} WHERE gate_id = %s AND at >= %s AND at <= %s"
)
_JUNCTION_SQL = """
SELECT m.person_id, m.k FROM ({branches}) m
JOIN {people} p ON p.id = m.person_id
WHERE p.enterprise_id = %s AND m.person_id <> %s
"""


def junction_label(junction: Junction) -> str:
    """ "一号车间↔员工食堂 门禁" (a one-way passage with its arrow)."""
    arrow = "→" if junction.direction == JunctionDirection.FORWARD else "↔"
    return f"{junction.from_area.name}{arrow}{junction.to_area.name} {junction.get_kind_display()}"


@dataclass(frozen=True)
class JunctionMeeting:
    """How a candidate met the index person through a junction: the junction the index person
    passed (through its gate) and when; for a meeting in an area, the area the candidate
    passed into or out of, and the uncontrolled junction that joins it ("" for an area at
    an end of the index person's junction)."""

    junction: str
    at: dt.datetime
    same: bool
    area: str = ""
    via: str = ""
    side: str = "around"  # AROUND, BEFORE or AFTER the index passage (a meeting in an area)

    @property
    def rank(self) -> tuple[int, dt.datetime]:
        return (0 if self.same else 1 if not self.via else 2, self.at)


# Which side of an index passage a meeting in an area is looked for: both (a two-way junction:
# the index person may have come either way), before it (the start area of a one-way
# junction: the index person was there until passing) or after it (its end area).
AROUND, BEFORE, AFTER = "around", "before", "after"


def _reach(
    start: Junction, open_links: dict[int, list[tuple[int, Junction]]]
) -> dict[int, tuple[str, str]]:
    """The areas at the ends of `start` and every area joined to them through uncontrolled
    junctions (people mix there without a check), each with the label of the uncontrolled
    junction it was first reached by ("" for an end of `start`) and its side of the passage.
    A one-way `start` puts the index person in its start area before the passage and in its
    end area after; `open_links` follows one-way junctions only from start to end (nobody
    comes back upstream, so an area upstream is not joined)."""
    forward = start.direction == JunctionDirection.FORWARD
    ends = [(start.from_area_id, BEFORE if forward else AROUND)]
    ends.append((start.to_area_id, AFTER if forward else AROUND))
    reached: dict[int, tuple[str, str]] = {}
    for end, side in ends:
        local = {end: ""}
        frontier = [end]
        while frontier:
            area = frontier.pop()
            for other, link in open_links.get(area, []):
                if link.pk != start.pk and other not in local:
                    local[other] = local[area] or junction_label(link)
                    frontier.append(other)
        for area, via in local.items():
            seen = reached.get(area)
            if seen is None:
                reached[area] = (via, side)
            elif seen[1] != side:  # on both sides: any time around the passage
                reached[area] = (seen[0] if not seen[0] or via else via, AROUND)
    return reached


def junction_meetings(
    *, person_id: int, enterprise_id: int, start: dt.datetime, end: dt.datetime, gap: dt.timedelta
) -> dict[int, JunctionMeeting]:
    """People of the enterprise who met the index person through a junction (Z-5.1b): for each
    passage of the index person in [start, end] through a gate that serves a junction, those
    who passed the same gate within `gap` (inclusive: the same junction), or, within `gap`,
    a gate of another junction of an area at its ends or of an area joined to those by
    uncontrolled junctions (in that area at the same time). A controlled junction does not
    join its areas: people cross it only past its check. The index person's junction passages
    come from the index (person, at); one statement then asks every (gate, at) range, each
    answered by `access_gate_at_person` alone, as in `co_passages`. A candidate met in
    several ways is given the closest (same junction, then an end, then a joined area), then
    the earliest. A one-way junction (`direction`) is passed from its start area to its end
    area: a meeting in the start area (or an area joined to it) is looked for in the gap
    before the passage, in the end area in the gap after; an uncontrolled one-way junction
    joins areas only downstream. The gap is the pack's (v3 `trace_junction_gap_minutes`)."""
    junctions = list(
        Junction.objects.filter(enterprise_id=enterprise_id).select_related("from_area", "to_area")
    )
    by_gate: dict[int, list[Junction]] = {}
    area_gates: dict[int, set[int]] = {}
    open_links: dict[int, list[tuple[int, Junction]]] = {}
    for j in junctions:
        if j.gate_id is not None:
            by_gate.setdefault(j.gate_id, []).append(j)
            for area in (j.from_area_id, j.to_area_id):
                area_gates.setdefault(area, set()).add(j.gate_id)
        if not j.controlled:
            open_links.setdefault(j.from_area_id, []).append((j.to_area_id, j))
            if j.direction != JunctionDirection.FORWARD:
                open_links.setdefault(j.to_area_id, []).append((j.from_area_id, j))
    if not by_gate:
        return {}
    passages = sorted(
        AccessCheck.objects.filter(
            person_id=person_id, at__gte=start, at__lte=end, gate_id__in=list(by_gate)
        )
        .order_by()
        .values_list("at", "gate_id")
    )
    if not passages:
        return {}
    names = {a.pk: a.name for j in junctions for a in (j.from_area, j.to_area)}
    reach = {j.pk: _reach(j, open_links) for js in by_gate.values() for j in js}
    # (gate, index passage, side) -> the closest meaning it has.
    branches: dict[tuple[int, dt.datetime, str], JunctionMeeting] = {}

    def offer(gate_id: int, when: dt.datetime, meeting: JunctionMeeting) -> None:
        key = (gate_id, when, meeting.side)
        seen = branches.get(key)
        if seen is None or meeting.rank < seen.rank:
            branches[key] = meeting

    for when, gate_id in passages:
        for j in by_gate[gate_id]:
            label = junction_label(j)
            offer(gate_id, when, JunctionMeeting(label, when, same=True))
            for area, (via, side) in reach[j.pk].items():
                for other in area_gates.get(area, ()):
                    if other != gate_id:
                        meeting = JunctionMeeting(label, when, False, names[area], via, side)
                        offer(other, when, meeting)
    keys = list(branches)
    quote = connection.ops.quote_name
    log = quote(AccessCheck._meta.db_table)
    adapt = connection.ops.adapt_datetimefield_value
    met: dict[int, JunctionMeeting] = {}
    with connection.cursor() as cursor:
        for i in range(0, len(keys), TRACE_CHUNK):
            chunk = range(i, min(i + TRACE_CHUNK, len(keys)))
            params: list[Any] = []
            for k in chunk:
                gate_id, when, side = keys[k]
                low = when if side == AFTER else when - gap
                high = when if side == BEFORE else when + gap
                params += [gate_id, adapt(low), adapt(high)]
            sql = _JUNCTION_SQL.format(
                branches=" UNION ".join(_JUNCTION_BRANCH.format(k=k, log=log) for k in chunk),
                people=quote(Person._meta.db_table),
            )
            cursor.execute(sql, [*params, enterprise_id, person_id])
            for pk, k in cursor.fetchall():
                meeting = branches[keys[k]]
                seen = met.get(pk)
                if seen is None or meeting.rank < seen.rank:
                    met[pk] = meeting
    return met


# --- the park's own zones (issue 14 §1, L-4.4) ------------------------------------------
def park_for_zones(*, scope: Scope, jurisdiction_id: int) -> Jurisdiction:
    """The park whose own zones the caller may open (`view_park_zones`): its staff, and the
    officers of its enterprises (read-only); 404 for anyone else, another park's included."""
    return get_visible_or_404(
        scope,
        Jurisdiction.objects.filter(kind__in=ENTERPRISE_HOSTS),
        action="view_park_zones",
        pk=jurisdiction_id,
    )


def park_for_zone_edits(*, scope: Scope, jurisdiction_id: int) -> Jurisdiction:
    """The park, for a page that edits its own zones: 404 if unseen, 403 unless the caller may
    edit them (its admins); before any form is read, so a reader's post is refused outright."""
    park = park_for_zones(scope=scope, jurisdiction_id=jurisdiction_id)
    require(scope, "manage_zones", park)
    return park


def park_areas_of(*, scope: Scope, park: Jurisdiction) -> list[tuple[Area, int]]:
    """The park's own areas, each with the people placed in it now whom the caller sees: all of
    them for the park's staff, an enterprise officer's own people for the officer."""
    heads = dict(
        visible(scope, PersonZone)
        .filter(area__park=park)
        .values("area_id")
        .annotate(n=Count("pk"))
        .values_list("area_id", "n")
    )
    areas = visible(scope, Area, action="view_park_zones").filter(park=park)
    return [(a, heads.get(a.pk, 0)) for a in areas.order_by("block", "name", "pk")]


def park_junctions_of(*, scope: Scope, park: Jurisdiction) -> list[Junction]:
    return list(
        visible(scope, Junction, action="view_park_zones")
        .filter(park=park)
        .select_related("from_area", "to_area")
        .order_by("from_area__name", "to_area__name", "kind", "pk")
    )


def park_site_plan_of(*, scope: Scope, park: Jurisdiction) -> SitePlan | None:
    return visible(scope, SitePlan, action="view_park_zones").filter(park=park).first()


def park_areas_for_moves(*, scope: Scope, enterprise: Enterprise) -> list[Area]:
    """The own areas of the enterprise's park that a person of it may be moved into (a park
    isolation point, a shared buffer), as far as the caller may read them (`view_park_zones`):
    for the enterprise's zones page's manual-move list. None for a caller who may not."""
    return list(
        visible(scope, Area, action="view_park_zones")
        .filter(park_id=enterprise.jurisdiction_id, enterprise__isnull=True)
        .order_by("block", "name", "pk")
    )


def area_for_move(*, scope: Scope, area_id: int) -> Area:
    """An area a person may be moved into, as the caller sees it: an enterprise's area, or a
    park's own (a park isolation point) the caller may read; 404 otherwise. The service then
    checks it is the person's enterprise's or park's."""
    readable = visible(scope, Area) | visible(scope, Area, action="view_park_zones")
    found = readable.filter(pk=area_id).first()
    if found is None:
        raise Http404(NOT_FOUND)
    return found


# --- one path over an owner (an enterprise or a park) for the site plan and area edits -----
def owner_for(
    *,
    scope: Scope,
    enterprise_id: int | None = None,
    jurisdiction_id: int | None = None,
    edit: bool = False,
) -> Owner:
    """The owner a page or API call is about, as the caller may open it: an enterprise whose
    zones the caller may view (`enterprise_for_response`; its edits are refused by the service
    for a reader), or a park whose own zones the caller may view (`park_for_zones`), or edit
    (`park_for_zone_edits`, 403 before any form is read)."""
    if enterprise_id is not None:
        return Owner(enterprise=enterprise_for_response(scope=scope, enterprise_id=enterprise_id))
    if jurisdiction_id is None:
        raise Http404(NOT_FOUND)
    find = park_for_zone_edits if edit else park_for_zones
    return Owner(park=find(scope=scope, jurisdiction_id=jurisdiction_id))


def owner_areas(*, scope: Scope, owner: Owner) -> list[tuple[Area, int]]:
    if owner.enterprise is not None:
        return areas_of(scope=scope, enterprise=owner.enterprise)
    return park_areas_of(scope=scope, park=owner.subject)  # type: ignore[arg-type]


def owner_junctions(*, scope: Scope, owner: Owner) -> list[Junction]:
    if owner.enterprise is not None:
        return junctions_of(scope=scope, enterprise=owner.enterprise)
    return park_junctions_of(scope=scope, park=owner.subject)  # type: ignore[arg-type]


def owner_site_plan(*, scope: Scope, owner: Owner) -> SitePlan | None:
    if owner.enterprise is not None:
        return site_plan_of(scope=scope, enterprise=owner.enterprise)
    return park_site_plan_of(scope=scope, park=owner.subject)  # type: ignore[arg-type]


# --- people as the response screens show them (issue 14, masked names) ------------------
@dataclass(frozen=True)
class Shown:
    """A person on an incident, zone or tracing screen: the masked name (`name_mask`, as the
    gate and the group chats show it) and the masked ID number, never the full name; and
    whether the caller may open the person's file, whose full ID number is revealed only with
    a reason, audited (`people.services.person_id_reveal`; action "reveal")."""

    person_id: int
    name: str
    id_masked: str
    may_reveal: bool


def people_shown(*, scope: Scope, people: Iterable[Person]) -> dict[int, Shown]:
    """Each person masked, with one query for which of them the caller may reveal."""
    by_pk = {p.pk: p for p in people}
    revealable = set(
        visible(scope, Person, action="reveal")
        .filter(pk__in=list(by_pk))
        .values_list("pk", flat=True)
    )
    return {
        pk: Shown(pk, name_mask(p.name), p.id_masked, pk in revealable) for pk, p in by_pk.items()
    }


def shown_on(*, scope: Scope, rows: Iterable[Any]) -> list[Any]:
    """Rows with a `person` (contacts, zone rows, moves, incidents), each given `shown`: the
    masked person for the template, which never reads `person.name`."""
    found = list(rows)
    shown = people_shown(scope=scope, people=[r.person for r in found])
    for r in found:
        r.shown = shown[r.person_id]
    return found


def zone_section(scope: Scope, person: Person) -> Section | None:
    """The zone on the personal file (`people.sections`), for whoever `zone_on_file` allows."""
    found = zone_on_file(scope=scope, person=person)
    return None if found is None else Section("response/_file_zone.html", found)
