"""Writes of zones and incidents. Every service asks `orgs.access.require()` first, validates
everything before it writes, and is one transaction: a refused write changes nothing."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from parkguard.audit.services import audit_record
from parkguard.gate.models import Gate
from parkguard.health.models import Alert
from parkguard.mobility.choices import IsolationKind
from parkguard.mobility.models import IsolationRecord
from parkguard.mobility.services import isolation_record_open
from parkguard.notify.choices import Kind
from parkguard.notify.privacy import name_mask
from parkguard.notify.services import notify_send
from parkguard.orgs.access import SYSTEM, Scope, require
from parkguard.orgs.choices import COMMUNITY_ROLES, JURISDICTION_ROLES
from parkguard.orgs.models import Enterprise, Membership
from parkguard.people.choices import EmploymentStatus
from parkguard.people.models import Person
from parkguard.response import rules, selectors
from parkguard.response.choices import (
    HELD_COLOURS,
    OBSERVATION_EVIDENCE,
    OBSERVATION_SOURCE,
    SEVERITY,
    BlockType,
    ContactDegree,
    ContactState,
    Evidence,
    JunctionDirection,
    JunctionKind,
    MoveState,
    TimelineKind,
    ZoneColour,
)
from parkguard.response.models import (
    Area,
    Contact,
    Incident,
    Junction,
    LinkageTask,
    PersonZone,
    SitePlan,
    TimelineEntry,
    ZoneMove,
)
from parkguard.response.owners import Owner
from parkguard.response.svg import SvgRefused, svg_region_ids, svg_sanitise
from parkguard.status.choices import HoldKind
from parkguard.status.models import StatusHold
from parkguard.status.overrides import REASON_MIN, SELF_APPROVAL
from parkguard.status.services import status_hold_clear, status_hold_open

NAME_REQUIRED = "请填写区块名称"
NAME_TAKEN = "本企业已有同名区块"
BLOCK_INVALID = "请选择区块类型"
CAPACITY_INVALID = "容量须为正整数（人）"
COLOUR_INVALID = "请选择分区颜色"
REASON_REQUIRED = f"请写明理由（至少 {REASON_MIN} 个字），复核人和审计记录都会看到"
AREA_OTHER_ENTERPRISE = "该区块不属于此人所在企业或其所在园区"
NOT_PENDING = "该分区变动已复核过"
SELF_APPROVAL_MOVE = SELF_APPROVAL
NO_ZONE_RULE = "所选用的规则包没有为这类情况规定分区"
NO_ISOLATION_AREA = "本企业尚未划定临时隔离管控区域，请先在分区页设置"
ALREADY_REPORTED = "已报告过"
ALREADY_ISOLATED = "已记录隔离"
TASK_DONE_ALREADY = "该任务已完成"
INCIDENT_CLOSED = "该事件已结束"
TITLE_REQUIRED = "请填写事件简述"
CONTACT_REVIEWED = "该候选已核实过"
WINDOW_BACKWARDS = "排查时间窗的结束时间须晚于开始时间"
NO_TRACE_RULE = "所选用的规则包没有规定密接排查的时间间隔"
AREA_NOT_HERE = "该区块不属于本企业"
NO_SITE_PLAN = "请先上传本企业的厂区平面图"
PLACE_INVALID = "请在平面图上点选位置（横、纵坐标须在 0 到 100 之间）"
REGION_UNKNOWN = "平面图上没有这个区域，请从列表中选择"
JUNCTION_SAME_AREA = "接合部须连接两个不同的区块"
JUNCTION_OTHER_ENTERPRISE = "接合部两端的区块须都属于本企业"
JUNCTION_KIND_INVALID = "请选择接合部类型"
JUNCTION_TAKEN = "这两个区块之间已有同类型的接合部"
JUNCTION_NOT_HERE = "该接合部不属于本企业"
JUNCTION_GATE_NOT_HERE = "请选择本企业的出入口或场所码"


def _audit(
    *,
    by: User | None,
    action: str,
    target: object,
    person: Person,
    at: dt.datetime,
    reason: str = "",
    detail: dict[str, object] | None = None,
) -> None:
    audit_record(
        actor=by,
        action=action,
        at=at,
        target=target,
        enterprise_id=person.enterprise_id,
        jurisdiction_id=person.enterprise.jurisdiction_id,
        reason=reason[:200],
        detail={"person_id": person.pk, **(detail or {})},
        subjects=[person.pk],
    )


# --- areas, junctions and site plans of an owner (an enterprise or a park) --------------
# The park's own zones (issue 14 §1, L-4.4: public roads, the park's hand-over and isolation
# points, buffer zones shared by enterprises, its physically separated zones) live in the same
# tables as an enterprise's (`response.owners`). Each service below takes an `Owner`, so one
# set of rules holds for both; the messages name the owner ("本企业" / "本园区").
PARK_NAME_TAKEN = "本园区已有同名区块"
PARK_AREA_NOT_HERE = "该区块不属于本园区"
PARK_NO_SITE_PLAN = "请先上传本园区的平面图"
PARK_JUNCTION_OTHER_OWNER = "接合部两端的区块须都属于本园区"
PARK_JUNCTION_NOT_HERE = "该接合部不属于本园区"


def _say(owner: Owner, enterprise: str, park: str) -> str:
    return park if owner.is_park else enterprise


def _owner_audit(
    *, owner: Owner, by: User | None, action: str, target: object, at: dt.datetime, **detail: Any
) -> None:
    if owner.is_park:
        detail["park"] = True
    audit_record(
        actor=by,
        action=action,
        at=at,
        target=target,
        enterprise_id=owner.enterprise_id,
        jurisdiction_id=owner.jurisdiction_id,
        detail=detail,
    )


@transaction.atomic
def area_create(
    *,
    scope: Scope,
    owner: Owner,
    name: str,
    block: str,
    capacity: int | None,
    zone: str = ZoneColour.GREEN,
    is_isolation: bool = False,
    by: User | None,
    at: dt.datetime,
) -> Area:
    """Map one area of the owner (Z-5.1b; a park's: a public road, a hand-over or isolation
    point, a shared buffer zone, L-4.4); an isolation area is managed as red (Z-5.1)."""
    require(scope, "manage_zones", owner.subject)
    errors: dict[str, str] = {}
    name = (name or "").strip()
    if not name:
        errors["name"] = NAME_REQUIRED
    elif Area.objects.filter(**owner.key, name=name[:80]).exists():
        errors["name"] = _say(owner, NAME_TAKEN, PARK_NAME_TAKEN)
    if block not in BlockType.values:
        errors["block"] = BLOCK_INVALID
    if not isinstance(capacity, int) or isinstance(capacity, bool) or capacity < 1:
        errors["capacity"] = CAPACITY_INVALID
    if zone not in ZoneColour.values:
        errors["zone"] = COLOUR_INVALID
    if errors or capacity is None:
        raise ValidationError(errors)
    area = Area.objects.create(
        **owner.key,
        name=name[:80],
        block=block,
        capacity=capacity,
        zone=ZoneColour.RED if is_isolation else zone,
        is_isolation=is_isolation,
        created_at=at,
    )
    _owner_audit(
        owner=owner,
        by=by,
        action="area_create",
        target=area,
        at=at,
        block=block,
        isolation=is_isolation,
    )
    return area


@transaction.atomic
def site_plan_upload(
    *,
    scope: Scope,
    owner: Owner,
    data: bytes,
    filename: str,
    by: User | None,
    at: dt.datetime,
) -> SitePlan:
    """Keep the owner's site plan: the SVG sanitised (`response.svg`), replacing the old one;
    areas already placed keep their places. A file that is not a plain SVG is refused with a
    field error and nothing changes."""
    require(scope, "manage_zones", owner.subject)
    try:
        svg = svg_sanitise(data)
    except SvgRefused as exc:
        raise ValidationError({"svg": exc.message}) from exc
    plan, _ = SitePlan.objects.update_or_create(
        **owner.key,
        defaults={
            "svg": svg,
            "filename": (filename or "")[:200],
            "uploaded_by": by,
            "uploaded_at": at,
        },
    )
    _owner_audit(
        owner=owner,
        by=by,
        action="site_plan_upload",
        target=plan,
        at=at,
        bytes=len(data),
        kept=len(svg),
    )
    return plan


@transaction.atomic
def area_place(
    *,
    scope: Scope,
    owner: Owner,
    area: Area,
    x: float | None,
    y: float | None,
    by: User | None,
    at: dt.datetime,
) -> Area:
    """Place an area of the owner on its site plan, at (x, y) in percent of the plan; None
    for both takes it off the plan. Another owner's area is refused."""
    require(scope, "manage_zones", owner.subject)
    if not owner.owns(area):
        raise ValidationError({"area": _say(owner, AREA_NOT_HERE, PARK_AREA_NOT_HERE)})
    if not SitePlan.objects.filter(**owner.key).exists():
        raise ValidationError({"area": _say(owner, NO_SITE_PLAN, PARK_NO_SITE_PLAN)})
    off = x is None and y is None
    if not off and not all(
        isinstance(v, int | float) and not isinstance(v, bool) and 0 <= v <= 100 for v in (x, y)
    ):
        raise ValidationError({"x": PLACE_INVALID})
    area.plan_x = None if off else round(float(x or 0), 2)
    area.plan_y = None if off else round(float(y or 0), 2)
    area.save(update_fields=["plan_x", "plan_y"])
    _owner_audit(
        owner=owner,
        by=by,
        action="area_place",
        target=area,
        at=at,
        x=area.plan_x,
        y=area.plan_y,
    )
    return area


@transaction.atomic
def area_bind(
    *,
    scope: Scope,
    owner: Owner,
    area: Area,
    region: str,
    by: User | None,
    at: dt.datetime,
) -> Area:
    """Bind an area of the owner to a named element of the owner's site plan (the id of a
    path, rect, polygon or group the sanitised plan has, `svg.svg_region_ids`): the map then
    draws the area as that region in its zone colour; a blank region unbinds it (a point
    again, where it is placed). Another owner's area, no plan, an unknown id: refused with a
    field error, nothing written."""
    require(scope, "manage_zones", owner.subject)
    if not owner.owns(area):
        raise ValidationError({"area": _say(owner, AREA_NOT_HERE, PARK_AREA_NOT_HERE)})
    plan = SitePlan.objects.filter(**owner.key).first()
    if plan is None:
        raise ValidationError({"area": _say(owner, NO_SITE_PLAN, PARK_NO_SITE_PLAN)})
    region = (region or "").strip()
    if region and region not in svg_region_ids(plan.svg):
        raise ValidationError({"region": REGION_UNKNOWN})
    area.plan_region = region
    area.save(update_fields=["plan_region"])
    _owner_audit(owner=owner, by=by, action="area_bind", target=area, at=at, region=region or None)
    return area


@transaction.atomic
def junction_create(
    *,
    scope: Scope,
    owner: Owner,
    from_area: Area,
    to_area: Area,
    kind: str,
    controlled: bool = False,
    note: str = "",
    gate: Gate | None = None,
    direction: str = "",
    by: User | None,
    at: dt.datetime,
) -> Junction:
    """Record where two blocks of the owner meet (Z-5.1b, L-4.4). Both areas must be the
    owner's (a park's junctions join only its own areas, not an enterprise's) and different;
    the same pair and kind once (either direction, as a one-way passage is recorded from where
    people may go to where they may not come back). The gate or place code that serves it, if
    any, must be the owner enterprise's (not the park's own checkpoint, not another
    enterprise's; a park's junction has none): tracing reads who passed the junction from it."""
    require(scope, "manage_zones", owner.subject)
    errors: dict[str, str] = {}
    if not (owner.owns(from_area) and owner.owns(to_area)):
        errors["to_area"] = _say(owner, JUNCTION_OTHER_ENTERPRISE, PARK_JUNCTION_OTHER_OWNER)
    elif from_area.pk == to_area.pk:
        errors["to_area"] = JUNCTION_SAME_AREA
    elif Junction.objects.filter(
        Q(from_area=from_area, to_area=to_area) | Q(from_area=to_area, to_area=from_area),
        kind=kind,
    ).exists():
        errors["to_area"] = JUNCTION_TAKEN
    if kind not in JunctionKind.values:
        errors["kind"] = JUNCTION_KIND_INVALID
    if gate is not None and (owner.is_park or gate.enterprise_id != owner.enterprise_id):
        errors["gate"] = JUNCTION_GATE_NOT_HERE
    direction, wrong_way = _junction_direction(kind=kind, direction=direction)
    if wrong_way:
        errors["direction"] = wrong_way
    if errors:
        raise ValidationError(errors)
    junction = Junction.objects.create(
        **owner.key,
        from_area=from_area,
        to_area=to_area,
        kind=kind,
        controlled=bool(controlled),
        direction=direction,
        note=(note or "").strip()[:200],
        gate=gate,
        created_at=at,
    )
    gate_detail = {} if owner.is_park else {"gate": gate.pk if gate is not None else None}
    _owner_audit(
        owner=owner,
        by=by,
        action="junction_create",
        target=junction,
        at=at,
        **{"from": from_area.pk, "to": to_area.pk, "kind": kind, "direction": direction},
        **gate_detail,
    )
    return junction


@transaction.atomic
def junction_delete(
    *, scope: Scope, owner: Owner, junction: Junction, by: User | None, at: dt.datetime
) -> None:
    """Remove a junction of the owner (a passage closed); another owner's is refused."""
    require(scope, "manage_zones", owner.subject)
    if not owner.owns(junction):
        raise ValidationError({"junction": _say(owner, JUNCTION_NOT_HERE, PARK_JUNCTION_NOT_HERE)})
    _owner_audit(
        owner=owner,
        by=by,
        action="junction_delete",
        target=junction,
        at=at,
        **{"from": junction.from_area_id, "to": junction.to_area_id, "kind": junction.kind},
    )
    junction.delete()


# --- people in zones --------------------------------------------------------------------
def current_colour(person: Person) -> str:
    row = PersonZone.objects.filter(pk=person.pk).values_list("colour", flat=True).first()
    return row or ZoneColour.GREEN


def _apply(move: ZoneMove, at: dt.datetime) -> None:
    """Make an applied move the person's current zone; orange/red hold the gate at once."""
    person = move.person
    PersonZone.objects.update_or_create(
        person=person,
        defaults={
            "enterprise_id": person.enterprise_id,
            "colour": move.colour,
            "area": move.area,
            "move": move,
            "since": at,
        },
    )
    status_hold_clear(person_ids=[person.pk], kind=HoldKind.ZONE, at=at)
    if move.colour in HELD_COLOURS:
        status_hold_open(
            person_ids=[person.pk],
            kind=HoldKind.ZONE,
            reason=f"{move.get_colour_display()}：{move.reason}"[:300],
            citation=move.citation,
            source=f"response.move:{move.pk}",
            at=at,
        )


def blue_area_for(person: Person) -> Area | None:
    """The enterprise's blue area (Z-5.1) a newcomer under observation goes to: the first one
    with room; None if it has none or all are full (the person is in blue awaiting an area,
    the zones page warns 等待安排蓝区区块, and the periodic job places them when room frees)."""
    areas = list(
        Area.objects.filter(
            enterprise_id=person.enterprise_id, zone=ZoneColour.BLUE, is_isolation=False
        ).order_by("pk")
    )
    if not areas:
        return None
    present = dict(
        PersonZone.objects.filter(area__in=areas)
        .values("area")
        .annotate(n=Count("pk"))
        .values_list("area", "n")
    )
    return next((a for a in areas if present.get(a.pk, 0) < a.capacity), None)


@transaction.atomic
def zone_move_by_evidence(
    *,
    scope: Scope,
    person: Person,
    evidence: str,
    source: str = "",
    note: str = "",
    by: User | None = None,
    at: dt.datetime,
) -> ZoneMove | None:
    """Move the person as the pack says for this evidence (Z-5.2f: symptom or fever → orange;
    a positive → red; pack v4, Z-5.1: a returnee's observation phase → blue, into the
    enterprise's blue area if it has one). Evidence never moves anyone to a milder zone; None
    if nothing moved. `note` says more about the evidence (an observation's end)."""
    require(scope, "manage_zones", person)
    if evidence not in Evidence.values:
        raise ValidationError({"evidence": NO_ZONE_RULE})
    found = rules.zone_for_evidence(park=person.enterprise.jurisdiction, evidence=evidence, at=at)
    if found is None:
        raise ValidationError({"evidence": NO_ZONE_RULE})
    if SEVERITY.index(found.colour) <= SEVERITY.index(current_colour(person)):
        return None
    area = None
    if found.colour == ZoneColour.RED:
        area = Area.objects.filter(enterprise_id=person.enterprise_id, is_isolation=True).first()
    elif found.colour == ZoneColour.BLUE:
        area = blue_area_for(person)
    move = ZoneMove.objects.create(
        person=person,
        colour=found.colour,
        area=area,
        evidence=evidence,
        reason=f"{Evidence(evidence).label}{note}：{found.meaning}"[:300],
        citation=found.citation,
        source=source[:80],
        state=MoveState.APPLIED,
        requested_by=by,
        requested_at=at,
        decided_at=at,
    )
    _apply(move, at)
    _audit(
        by=by,
        action="zone_move_evidence",
        target=move,
        person=person,
        at=at,
        detail={"colour": found.colour, "evidence": evidence},
    )
    return move


@transaction.atomic
def zone_move_request(
    *,
    scope: Scope,
    person: Person,
    colour: str,
    reason: str,
    area: Area | None = None,
    by: User,
    at: dt.datetime,
) -> ZoneMove:
    """Propose a manual move; it takes effect only when another person approves it."""
    require(scope, "manage_zones", person)
    errors: dict[str, str] = {}
    reason = (reason or "").strip()
    if len(reason) < REASON_MIN:
        errors["reason"] = REASON_REQUIRED
    if colour not in ZoneColour.values:
        errors["colour"] = COLOUR_INVALID
    if area is not None and not _area_admits(area, person):
        errors["area"] = AREA_OTHER_ENTERPRISE
    if errors:
        raise ValidationError(errors)
    move = ZoneMove.objects.create(
        person=person,
        colour=colour,
        area=area,
        reason=reason[:300],
        state=MoveState.PENDING,
        requested_by=by,
        requested_at=at,
    )
    _audit(
        by=by,
        action="zone_move_request",
        target=move,
        person=person,
        at=at,
        reason=reason,
        detail={"colour": colour},
    )
    return move


@transaction.atomic
def zone_move_decide(
    *, scope: Scope, move: ZoneMove, approve: bool, by: User, at: dt.datetime
) -> ZoneMove:
    """A second person approves (the move takes effect now) or refuses; never the proposer."""
    require(scope, "manage_zones", move.person)
    move = ZoneMove.objects.select_for_update().select_related("person__enterprise").get(pk=move.pk)
    if move.state != MoveState.PENDING:
        raise ValidationError({"__all__": NOT_PENDING})
    if move.requested_by_id == by.pk:
        raise ValidationError({"__all__": SELF_APPROVAL_MOVE})
    move.approved_by, move.decided_at = by, at
    move.state = MoveState.APPLIED if approve else MoveState.REFUSED
    move.save(update_fields=["approved_by", "decided_at", "state"])
    if approve:
        _apply(move, at)
    action = "zone_move_approve" if approve else "zone_move_refuse"
    _audit(by=by, action=action, target=move, person=move.person, at=at, reason=move.reason)
    return move


def observations_open(at: dt.datetime) -> QuerySet[IsolationRecord]:
    """The observation phases (Z-5.1 blue: home health monitoring, an enterprise observation
    point) under way at `at`: started, not yet at their end, not released."""
    return IsolationRecord.objects.filter(
        kind__in=list(OBSERVATION_EVIDENCE),
        released_at__isnull=True,
        starts_at__lte=at,
        ends_at__gt=at,
    )


def _observation_note(record: IsolationRecord) -> str:
    return f"（{record.label}，至 {timezone.localtime(record.ends_at):%Y-%m-%d %H:%M}）"


def _observation_of(move: ZoneMove) -> IsolationRecord | None:
    pk = move.source.removeprefix(OBSERVATION_SOURCE).split(":")[0]
    if not pk.isdigit():
        return None
    return IsolationRecord.objects.filter(pk=int(pk)).first()


@transaction.atomic
def zone_observation_end(*, zone: PersonZone, at: dt.datetime) -> ZoneMove | None:
    """Back to green (Z-5.1) when the observation phase that put the person in blue has
    ended (its end passed or it was released) and no other is under way; None otherwise. Only
    a blue that an observation record gave: a manual blue, or a stricter zone, stays."""
    zone = (
        PersonZone.objects.select_for_update()
        .select_related("move", "person__enterprise")
        .get(pk=zone.pk)
    )
    if zone.colour != ZoneColour.BLUE or not zone.move.source.startswith(OBSERVATION_SOURCE):
        return None
    if observations_open(at).filter(person_id=zone.person_id).exists():
        return None
    record = _observation_of(zone.move)
    ended = ""
    if record is not None:
        when = record.released_at or record.ends_at
        ended = f"（{record.label}，{timezone.localtime(when):%Y-%m-%d %H:%M}"
        ended += " 解除）" if record.released_at else " 期满）"
    move = ZoneMove.objects.create(
        person=zone.person,
        colour=ZoneColour.GREEN,
        area=None,
        evidence=zone.move.evidence,
        reason=f"观察阶段结束{ended}：转回绿区"[:300],
        citation=zone.move.citation,
        source=f"{zone.move.source}:end"[:80],
        state=MoveState.APPLIED,
        requested_at=at,
        decided_at=at,
    )
    _apply(move, at)
    _audit(
        by=None,
        action="zone_move_observation_end",
        target=move,
        person=zone.person,
        at=at,
        detail={"colour": ZoneColour.GREEN, "from_source": zone.move.source},
    )
    return move


@transaction.atomic
def zone_blue_place(*, zone: PersonZone, at: dt.datetime) -> ZoneMove | None:
    """Someone in blue by observation with no area (the enterprise had no blue area) goes to
    the blue area the enterprise has since set up; None while it still has none."""
    zone = (
        PersonZone.objects.select_for_update()
        .select_related("move", "person__enterprise")
        .get(pk=zone.pk)
    )
    if zone.colour != ZoneColour.BLUE or zone.area_id is not None:
        return None
    area = blue_area_for(zone.person)
    if area is None:
        return None
    move = ZoneMove.objects.create(
        person=zone.person,
        colour=ZoneColour.BLUE,
        area=area,
        evidence=zone.move.evidence,
        reason=f"安排至蓝区区块 {area.name}（{zone.move.reason}）"[:300],
        citation=zone.move.citation,
        source=zone.move.source,
        state=MoveState.APPLIED,
        requested_at=at,
        decided_at=at,
    )
    _apply(move, at)
    _audit(
        by=None,
        action="zone_move_evidence",
        target=move,
        person=zone.person,
        at=at,
        detail={"colour": ZoneColour.BLUE, "area_id": area.pk},
    )
    return move


def zones_follow_observations(*, at: dt.datetime) -> int:
    """Z-5.1 blue, both ways: an observation phase under way moves the returnee into blue (as
    the pack says: v4 and later), an ended one back to green; someone waiting for a blue area
    goes to the one the enterprise has since set up. Returns how many moved."""
    moved = 0
    blue = PersonZone.objects.filter(
        colour=ZoneColour.BLUE, move__source__startswith=OBSERVATION_SOURCE
    )
    for zone in blue.exclude(person_id__in=observations_open(at).values("person_id")):
        moved += zone_observation_end(zone=zone, at=at) is not None
    # Whoever waits for a blue area (none set up, or all full) is placed before newcomers take
    # the room an ended observation freed: first come, first placed.
    with_blue = Area.objects.filter(
        zone=ZoneColour.BLUE, is_isolation=False, enterprise__isnull=False
    ).values("enterprise_id")
    for zone in blue.filter(area__isnull=True, enterprise_id__in=with_blue).order_by("since", "pk"):
        moved += zone_blue_place(zone=zone, at=at) is not None
    # Pre-checked: whoever is in blue or stricter already is not moved (one query, not one
    # engine call per record per minute).
    held = set(
        PersonZone.objects.exclude(colour=ZoneColour.GREEN).values_list("person_id", flat=True)
    )
    # Whether the packs a park follows give an observation phase a zone at all, asked once per
    # park and phase kind (none before v4: nothing to try for each record).
    zoned: dict[tuple[int, str], bool] = {}
    for record in observations_open(at).exclude(person_id__in=held).order_by("starts_at", "pk"):
        if record.person_id in held:
            continue
        person = Person.objects.select_related("enterprise__jurisdiction").get(pk=record.person_id)
        key = (person.enterprise.jurisdiction_id, record.kind)
        if key not in zoned:
            found = rules.zone_for_evidence(
                park=person.enterprise.jurisdiction,
                evidence=OBSERVATION_EVIDENCE[record.kind],
                at=at,
            )
            zoned[key] = found is not None
        if not zoned[key]:
            continue
        try:
            with transaction.atomic():
                move = zone_move_by_evidence(
                    scope=SYSTEM,
                    person=person,
                    evidence=OBSERVATION_EVIDENCE[record.kind],
                    source=f"{OBSERVATION_SOURCE}{record.pk}",
                    note=_observation_note(record),
                    at=at,
                )
        except ValidationError:
            continue  # the packs followed that day give observation no zone (before v4)
        if move is not None:
            held.add(record.person_id)
            moved += 1
    return moved


def zones_follow_evidence(*, at: dt.datetime) -> int:
    """Move everyone whose open evidence has not moved them yet: an open symptom or fever alert,
    an open positive hold (Z-5.2f, Z-5.1), as the pack says; a returnee's observation phase
    into blue and back to green when it ends (Z-5.1, pack v4). Run every minute by a task, so a
    person moves without anyone opening a page; the gate already holds them on the evidence
    (blue holds nobody). Evidence the packs give no zone, or that would not make the zone
    stricter, moves nobody. Returns how many moved."""
    pending: list[tuple[int, str, str]] = [
        (person_id, kind, f"health.alert:{pk}")
        for pk, person_id, kind in Alert.objects.filter(closed_at__isnull=True).values_list(
            "pk", "person_id", "kind"
        )
    ]
    pending += [
        (person_id, Evidence.POSITIVE, source)
        for person_id, source in StatusHold.objects.filter(
            kind=HoldKind.POSITIVE, cleared_at__isnull=True
        ).values_list("person_id", "source")
    ]
    moved = 0
    for person_id, evidence, source in pending:
        if ZoneMove.objects.filter(person_id=person_id, source=source).exists():
            continue
        person = Person.objects.select_related("enterprise__jurisdiction").get(pk=person_id)
        try:
            with transaction.atomic():
                move = zone_move_by_evidence(
                    scope=SYSTEM, person=person, evidence=evidence, source=source, at=at
                )
        except ValidationError:
            continue
        if move is None:
            continue
        moved += 1
        # The person's open incidents record the move on their timeline (a positive → red).
        for incident in Incident.objects.filter(person=person, closed_at__isnull=True):
            _log(
                incident,
                TimelineKind.ZONE,
                f"转入{move.get_colour_display()}（{move.reason}）",
                None,
                at,
            )
    return moved + zones_follow_observations(at=at)


# --- incidents and the three first times (Z-4.2) ----------------------------------------
def _log(incident: Incident, kind: str, text: str, by: User | None, at: dt.datetime) -> None:
    TimelineEntry.objects.create(incident=incident, kind=kind, text=text[:300], by=by, at=at)


@transaction.atomic
def incident_open(
    *,
    scope: Scope,
    person: Person,
    title: str,
    evidence: str = "",
    source: str = "",
    detected_at: dt.datetime | None = None,
    by: User | None,
    at: dt.datetime,
) -> Incident:
    """Open an incident (from an alert or by hand), with the pack's linkage tasks; with
    evidence, the person moves to the zone the pack gives it (Z-5.2f)."""
    require(scope, "manage_incidents", person)
    title = (title or "").strip()
    if not title:
        raise ValidationError({"title": TITLE_REQUIRED})
    detected = detected_at or at
    incident = Incident.objects.create(
        enterprise_id=person.enterprise_id,
        person=person,
        title=title[:120],
        source=source[:80],
        detected_at=detected,
        opened_by=by,
    )
    _log(incident, TimelineKind.OPENED, f"发现：{title}", by, at)
    for step in rules.linkage_steps(park=person.enterprise.jurisdiction, found_at=detected):
        LinkageTask.objects.create(
            incident=incident,
            label=step.label[:120],
            owner=by,
            due_at=step.due_at,
            citation=step.citation,
        )
    if evidence:
        try:
            move = zone_move_by_evidence(
                scope=scope,
                person=person,
                evidence=evidence,
                source=source or f"response.incident:{incident.pk}",
                by=by,
                at=at,
            )
        except ValidationError:
            move = None
        if move is not None:
            _log(
                incident,
                TimelineKind.ZONE,
                f"转入{move.get_colour_display()}（{move.reason}）",
                by,
                at,
            )
    _audit(by=by, action="incident_open", target=incident, person=person, at=at)
    return incident


def _open(incident: Incident) -> Incident:
    incident = (
        Incident.objects.select_for_update()
        .select_related("person__enterprise__jurisdiction")
        .get(pk=incident.pk)
    )
    if incident.closed_at is not None:
        raise ValidationError({"__all__": INCIDENT_CLOSED})
    return incident


@transaction.atomic
def incident_report(*, scope: Scope, incident: Incident, by: User | None, at: dt.datetime) -> int:
    """First time (1): report to the park's leading group and the person's community, through
    the inbox and the group robots. Returns the number of inbox messages written."""
    require(scope, "manage_incidents", incident)
    incident = _open(incident)
    if incident.reported_at is not None:
        raise ValidationError({"__all__": ALREADY_REPORTED})
    person = incident.person
    enterprise = person.enterprise
    park = enterprise.jurisdiction
    leaders = Membership.objects.filter(role__in=JURISDICTION_ROLES, jurisdiction=park)
    user_ids = set(leaders.values_list("user_id", flat=True))
    if person.home_community_id:
        user_ids |= set(
            Membership.objects.filter(
                role__in=COMMUNITY_ROLES, jurisdiction_id=person.home_community_id
            ).values_list("user_id", flat=True)
        )
    title = f"{enterprise.name}：{incident.title}"
    # The leading group (cadres, inspectors) and the liaisons may not reveal: masked here too.
    sent = notify_send(
        user_ids=user_ids,
        enterprise=enterprise,
        jurisdiction=park,
        kind=Kind.INCIDENT,
        title=title,
        body=f"{name_mask(person.name)}，发现于 {incident.detected_at:%m-%d %H:%M}。"
        "请按三个“第一时间”处置。",
        group_text=f"{enterprise.name}：{name_mask(person.name)}，{incident.title}",
        link=f"/response/incidents/{incident.pk}/",
        at=at,
    )
    incident.reported_at = at
    incident.save(update_fields=["reported_at"])
    _log(
        incident,
        TimelineKind.REPORTED,
        f"已报告园区疫情防控工作领导小组和街道社区（{sent} 人收到站内消息，并推送群机器人）",
        by,
        at,
    )
    _audit(by=by, action="incident_report", target=incident, person=person, at=at)
    return sent


@transaction.atomic
def incident_isolate(
    *, scope: Scope, incident: Incident, by: User | None, at: dt.datetime
) -> Incident:
    """First time (2): the person into the enterprise's isolation area (managed as red, at
    least orange for them) and the transfer request to the health department."""
    require(scope, "manage_incidents", incident)
    incident = _open(incident)
    if incident.isolated_at is not None:
        raise ValidationError({"__all__": ALREADY_ISOLATED})
    person = incident.person
    area = Area.objects.filter(enterprise_id=person.enterprise_id, is_isolation=True).first()
    if area is None:
        raise ValidationError({"__all__": NO_ISOLATION_AREA})
    colour = current_colour(person)
    if SEVERITY.index(colour) < SEVERITY.index(ZoneColour.ORANGE):
        colour = ZoneColour.ORANGE
    move = ZoneMove.objects.create(
        person=person,
        colour=colour,
        area=area,
        reason=f"第一时间隔离：转入{area.name}",
        source=f"response.incident:{incident.pk}",
        state=MoveState.APPLIED,
        requested_by=by,
        requested_at=at,
        decided_at=at,
    )
    _apply(move, at)
    incident.isolated_at = at
    incident.transfer_requested_at = at
    incident.save(update_fields=["isolated_at", "transfer_requested_at"])
    _log(incident, TimelineKind.ISOLATED, f"已转入临时隔离管控区域：{area.name}", by, at)
    _log(incident, TimelineKind.TRANSFER, "已报请卫生健康部门转运", by, at)
    _audit(by=by, action="incident_isolate", target=incident, person=person, at=at)
    return incident


@transaction.atomic
def linkage_task_done(
    *, scope: Scope, task: LinkageTask, by: User | None, at: dt.datetime
) -> LinkageTask:
    """First time (3): one linkage task done."""
    require(scope, "manage_incidents", task.incident)
    task = LinkageTask.objects.select_for_update().select_related("incident").get(pk=task.pk)
    _open(task.incident)
    if task.done_at is not None:
        raise ValidationError({"__all__": TASK_DONE_ALREADY})
    task.done_at = at
    task.save(update_fields=["done_at"])
    _log(task.incident, TimelineKind.TASK_DONE, f"联动任务完成：{task.label}", by, at)
    return task


# --- contacts ---------------------------------------------------------------------------
@transaction.atomic
def contact_review(
    *, scope: Scope, contact: Contact, confirm: bool, by: User, at: dt.datetime
) -> Contact:
    """Staff confirm or dismiss a candidate. A confirmed contact moves to the zone the pack
    gives a close or secondary contact (orange, Z-5.1) and is put under the isolation plan
    the pack sets (close: centralised, secondary: at home, for the pack's days)."""
    require(scope, "manage_zones", contact.incident)
    contact = (
        Contact.objects.select_for_update()
        .select_related("person__enterprise__jurisdiction", "incident")
        .get(pk=contact.pk)
    )
    if contact.state != ContactState.PROPOSED:
        raise ValidationError({"__all__": CONTACT_REVIEWED})
    contact.state = ContactState.CONFIRMED if confirm else ContactState.DISMISSED
    contact.reviewed_by, contact.reviewed_at = by, at
    fields = ["state", "reviewed_by", "reviewed_at"]
    if confirm:
        person = contact.person
        close = contact.degree == ContactDegree.CLOSE
        evidence = Evidence.CLOSE_CONTACT if close else Evidence.SECONDARY_CONTACT
        zone_move_by_evidence(
            scope=scope,
            person=person,
            evidence=evidence,
            source=f"response.contact:{contact.pk}",
            by=by,
            at=at,
        )
        timing = rules.timing(park=person.enterprise.jurisdiction, on=at.date())
        days = timing.close_isolation_days if close else timing.secondary_isolation_days
        plan = ""
        if days is not None:
            kind = IsolationKind.CENTRALISED if close else IsolationKind.HOME
            field = "close_isolation_days" if close else "secondary_isolation_days"
            contact.isolation = isolation_record_open(
                person=person,
                kind=kind,
                label=f"{contact.get_degree_display()}{IsolationKind(kind).label}",
                starts_at=at,
                ends_at=at + dt.timedelta(days=days),
                citation=timing.clauses.get(field, {}),
            )
            fields.append("isolation")
            plan = f"，{IsolationKind(kind).label} {days} 天至 {contact.isolation.ends_at:%m-%d}"
        _log(
            contact.incident,
            TimelineKind.ZONE,
            f"确认{contact.get_degree_display()} {name_mask(person.name)}，转入橙区{plan}",
            by,
            at,
        )
    contact.save(update_fields=fields)
    _audit(
        by=by,
        action="contact_review",
        target=contact,
        person=contact.person,
        at=at,
        detail={"confirm": confirm, "degree": contact.degree},
    )
    return contact


def _hm(at: dt.datetime) -> str:
    """A passage's time as staff read it: local, to the minute."""
    return f"{timezone.localtime(at):%m-%d %H:%M}"


def junction_basis(meeting: selectors.JunctionMeeting, gap: int) -> str:
    """The candidate's basis in Chinese: "经 一号车间↔员工食堂 门禁接合部……"."""
    head = f"经 {meeting.junction}接合部"
    when = _hm(meeting.at)
    if meeting.same:
        return f"{head}，与指示人员前后 {gap} 分钟内经过（{when} 起）"
    where = f"经无管控的 {meeting.via} 相连的{meeting.area}" if meeting.via else meeting.area
    # A one-way junction: the index person was in its start area before, in its end area after.
    span = {selectors.BEFORE: "此前", selectors.AFTER: "此后"}.get(meeting.side, "前后")
    return f"{head}：指示人员 {when} 经过，此人{span} {gap} 分钟内进出{where}"


@transaction.atomic
def contacts_trace(
    *,
    scope: Scope,
    incident: Incident,
    start: dt.datetime | None = None,
    end: dt.datetime | None = None,
    by: User | None,
    at: dt.datetime,
) -> int:
    """Propose candidates: people of the enterprise who passed the same gate or place code
    within the pack's N minutes of the index person in the window (close contacts), who met
    them through a junction (the same junction, or an area at its ends or joined by an
    uncontrolled junction, within the pack's junction gap: pack v3, Z-5.1b), who share
    their dormitory, or their team and shift (close or secondary, as the pack says; a pack
    that does not say traces no dormitory and counts the team as close). The window defaults
    to the pack's days before detection. Returns how many new."""
    require(scope, "manage_zones", incident)
    incident = _open(incident)
    person = incident.person
    timing = rules.timing(park=person.enterprise.jurisdiction, on=incident.detected_at.date())
    if timing.trace_gap_minutes is None or timing.trace_window_days is None:
        raise ValidationError({"__all__": NO_TRACE_RULE})
    end = end or incident.detected_at
    start = start or end - dt.timedelta(days=timing.trace_window_days)
    if end <= start:
        raise ValidationError({"end": WINDOW_BACKWARDS})
    passages = selectors.co_passages(
        person_id=person.pk,
        enterprise_id=person.enterprise_id,
        start=start,
        end=end,
        gap=dt.timedelta(minutes=timing.trace_gap_minutes),
    )
    gap = timing.trace_gap_minutes
    found: dict[int, tuple[str, list[str]]] = {
        pk: (
            ContactDegree.CLOSE,
            [f"在{p.gate}与指示人员前后 {gap} 分钟内经过（{_hm(p.at)} 起）"],
        )
        for pk, p in sorted(passages.items(), key=lambda kv: kv[1].at)
    }

    def add(pks: Iterable[int], close: bool | None, why: str) -> None:
        if close is None:  # the packs do not trace by this
            return
        for pk in pks:
            degree, bases = found.get(pk, (ContactDegree.SECONDARY, []))
            if close:
                degree = ContactDegree.CLOSE
            found[pk] = (degree, [*bases, why])

    # Through junctions (Z-5.1b), only as a pack that names the gap (v3) says.
    if timing.junction_gap_minutes is not None:
        meetings = selectors.junction_meetings(
            person_id=person.pk,
            enterprise_id=person.enterprise_id,
            start=start,
            end=end,
            gap=dt.timedelta(minutes=timing.junction_gap_minutes),
        )
        for pk, m in sorted(meetings.items(), key=lambda kv: kv[1].rank):
            close = timing.junction_close if m.same else timing.junction_area_close
            add([pk], close, junction_basis(m, timing.junction_gap_minutes))

    mates = Person.objects.filter(
        enterprise_id=person.enterprise_id, status=EmploymentStatus.ACTIVE
    ).exclude(pk=person.pk)
    if person.dormitory:
        add(
            mates.filter(dormitory=person.dormitory).values_list("pk", flat=True),
            timing.dormitory_close,
            f"同住宿舍 {person.dormitory}",
        )
    if person.org_unit_id:
        team = mates.filter(org_unit_id=person.org_unit_id)
        why = "同一班组"
        if person.shift:
            team, why = team.filter(shift=person.shift), f"同一班组、同一班次（{person.shift}）"
        # A pack of version 1 names no degree for a team: its mates count as close, as before.
        close = timing.shift_team_close
        add(team.values_list("pk", flat=True), True if close is None else close, why)
    existing = set(incident.contacts.values_list("person_id", flat=True))
    new = [
        Contact(
            incident=incident,
            person_id=pk,
            degree=degree,
            basis="；".join(bases)[:200],
            found_at=at,
        )
        for pk, (degree, bases) in sorted(found.items())
        if pk not in existing
    ]
    Contact.objects.bulk_create(new)
    closes = sum(c.degree == ContactDegree.CLOSE for c in new)
    _log(
        incident,
        TimelineKind.TRACED,
        f"密接排查：新增候选 {len(new)} 人（密接 {closes}、次密接 {len(new) - closes}），待核实",
        by,
        at,
    )
    _audit(
        by=by,
        action="contacts_trace",
        target=incident,
        person=person,
        at=at,
        detail={"new": len(new)},
    )
    return len(new)


# --- people in zones: which areas admit a person ---------------------------------------
def _area_admits(area: Area, person: Person) -> bool:
    """May a person be placed in this area: one of their enterprise's, or of its park's own."""
    if area.enterprise_id is not None:
        return area.enterprise_id == person.enterprise_id
    return area.park_id is not None and area.park_id == person.enterprise.jurisdiction_id


# --- junction direction and edit (issue 14: one-way passages, a junction's gate) -------------
JUNCTION_DIRECTION_INVALID = "请选择通行方向"
JUNCTION_ONE_WAY_BOTH = "单向通道只能由起点通往终点，请选择单向或改选其他类型"


def _junction_direction(*, kind: str, direction: str) -> tuple[str, str]:
    """The direction to store and the error, if any: none given is one way for a one-way
    passage and both ways for any other kind; a one-way passage both ways is refused."""
    if not direction:
        forward = kind == JunctionKind.ONE_WAY
        return (JunctionDirection.FORWARD if forward else JunctionDirection.BOTH), ""
    if direction not in JunctionDirection.values:
        return JunctionDirection.BOTH, JUNCTION_DIRECTION_INVALID
    if kind == JunctionKind.ONE_WAY and direction != JunctionDirection.FORWARD:
        return direction, JUNCTION_ONE_WAY_BOTH
    return direction, ""


@transaction.atomic
def junction_update(
    *,
    scope: Scope,
    enterprise: Enterprise,
    junction: Junction,
    gate: Gate | None,
    direction: str,
    controlled: bool,
    by: User | None,
    at: dt.datetime,
) -> Junction:
    """Change a junction's gate or place code, its direction and whether it is controlled,
    with the checks of `junction_create` (the enterprise's junction, a gate of the
    enterprise, a direction its kind allows); its two areas and kind stay (delete and add
    again for those). Audited with the values before and after."""
    require(scope, "manage_zones", enterprise)
    if junction.enterprise_id != enterprise.pk:
        raise ValidationError({"junction": JUNCTION_NOT_HERE})
    junction = Junction.objects.select_for_update().get(pk=junction.pk)
    errors: dict[str, str] = {}
    if gate is not None and gate.enterprise_id != enterprise.pk:
        errors["gate"] = JUNCTION_GATE_NOT_HERE
    direction, wrong_way = _junction_direction(kind=junction.kind, direction=direction)
    if wrong_way:
        errors["direction"] = wrong_way
    if errors:
        raise ValidationError(errors)
    before = {"gate": junction.gate_id, "direction": junction.direction}
    before["controlled"] = junction.controlled
    junction.gate, junction.direction, junction.controlled = gate, direction, bool(controlled)
    junction.save(update_fields=["gate", "direction", "controlled"])
    after = {"gate": junction.gate_id, "direction": direction, "controlled": junction.controlled}
    audit_record(
        actor=by,
        action="junction_update",
        at=at,
        target=junction,
        enterprise_id=enterprise.pk,
        jurisdiction_id=enterprise.jurisdiction_id,
        detail={"before": before, "after": after},
    )
    return junction
