"""JSON API of zones and incidents (session only): areas, people in zones, manual moves with
a second approver, incidents with the three first times, contact tracing and review."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from ninja import Field, Router, Schema, Status

from parkguard.api.auth import SessionScope, scope
from parkguard.gate.models import Gate
from parkguard.lib.api_datetimes import LocalDateTime
from parkguard.lib.api_errors import DB_ID_MAX, FieldErrors, field_errors
from parkguard.lib.free_text import FreeText
from parkguard.notify.privacy import name_mask
from parkguard.orgs.access import get_visible_or_404, scope_of, visible
from parkguard.people.models import Person
from parkguard.response import selectors, services
from parkguard.response.choices import BlockType, JunctionDirection, JunctionKind, ZoneColour
from parkguard.response.models import Area, Contact, Incident, Junction, LinkageTask, ZoneMove
from parkguard.response.owners import Owner
from parkguard.response.svg import svg_region_ids

router = Router(tags=["分区与疫情事件"])
SESSION = SessionScope(scope_of)
LIST_MAX = 200


class ResponseAreaIn(Schema):
    name: str = Field(max_length=80, description="区块名称")
    block: BlockType = Field(description="区块类型（Z-5.1b）")
    capacity: int = Field(ge=1, le=DB_ID_MAX, description="容量（人）")
    zone: ZoneColour = Field(default=ZoneColour.GREEN, description="分区颜色")
    is_isolation: bool = Field(default=False, description="临时隔离管控区域（按红区管理）")


class ResponseAreaOut(Schema):
    id: int
    name: str
    block: str
    capacity: int
    zone: str
    is_isolation: bool
    present: int


class ResponseJunctionIn(Schema):
    from_area_id: int = Field(ge=1, le=DB_ID_MAX, description="起点区块")
    to_area_id: int = Field(ge=1, le=DB_ID_MAX, description="终点区块（单向通道由起点通往终点）")
    kind: JunctionKind = Field(description="接合部类型")
    controlled: bool = Field(default=False, description="有人值守或门禁管控")
    note: str = Field(default="", max_length=200, description="说明")
    gate_id: int | None = Field(
        default=None, ge=1, le=DB_ID_MAX, description="服务该接合部的本企业出入口或场所码（可选）"
    )
    direction: JunctionDirection | None = Field(
        default=None, description="通行方向（不填：单向通道为单向，其余为双向）"
    )


class ResponseJunctionOut(Schema):
    id: int
    from_area_id: int
    to_area_id: int
    kind: str
    direction: str = Field(description="both 双向 / forward 由起点通往终点")
    controlled: bool
    note: FreeText
    gate_id: int | None


class ResponsePlanAreaOut(Schema):
    id: int
    name: str
    block: str
    capacity: int
    zone: str
    is_isolation: bool
    present: int
    x: float | None = Field(description="平面图横坐标（宽度的百分比），未标注为空")
    y: float | None = Field(description="平面图纵坐标（高度的百分比），未标注为空")
    region: str = Field(description="绑定的平面图区域（图形编号），画成该区域；空为画成点")


class ResponsePlanOut(Schema):
    enterprise_id: int
    has_plan: bool
    svg_url: str | None = Field(description="已清理的平面图 SVG 地址，未上传为空")
    regions: list[str] = Field(description="平面图中可绑定的图形编号（path、rect、polygon、g）")
    areas: list[ResponsePlanAreaOut]
    junctions: list[ResponseJunctionOut]


class ResponsePersonZoneOut(Schema):
    person_id: int
    name: str = Field(description="打码姓名")
    colour: str
    area_id: int | None
    since: LocalDateTime
    reason: FreeText
    evidence: str = Field(
        description="转区的证据（如 home_monitoring 居家健康监测、positive 检测阳性；人工调整为空）"
    )
    awaiting_area: bool = Field(
        description="在蓝区但本企业尚无蓝区区块或蓝区区块已满（等待安排蓝区区块，Z-5.1）"
    )


class ResponseMoveIn(Schema):
    person_id: int = Field(ge=1, le=DB_ID_MAX, description="人员编号")
    colour: ZoneColour = Field(description="转入的分区")
    area_id: int | None = Field(default=None, ge=1, le=DB_ID_MAX, description="区块（可选）")
    reason: str = Field(max_length=300, description="理由（复核人与审计可见）")


class ResponseMoveDecisionIn(Schema):
    approve: bool = Field(description="true 批准并生效 / false 驳回")
    note: str = Field(default="", max_length=300, description="复核意见（可选）")


class ResponseMoveOut(Schema):
    id: int
    person_id: int
    colour: str
    area_id: int | None
    reason: FreeText
    state: str
    requested_at: LocalDateTime
    decided_at: LocalDateTime | None


class ResponseIncidentIn(Schema):
    person_id: int = Field(ge=1, le=DB_ID_MAX, description="指示人员编号")
    title: str = Field(max_length=120, description="事件简述")


class ResponseTimelineOut(Schema):
    kind: str
    at: LocalDateTime
    text: FreeText


class ResponseTaskOut(Schema):
    id: int
    label: str
    due_at: LocalDateTime
    done_at: LocalDateTime | None


class ResponseContactOut(Schema):
    id: int
    person_id: int
    name: str = Field(description="打码姓名（如 张*）")
    degree: str
    basis: str
    state: str


class ResponseIncidentOut(Schema):
    id: int
    enterprise_id: int
    person_id: int
    person_name: str = Field(description="指示人员的打码姓名")
    title: str
    state: str
    detected_at: LocalDateTime
    reported_at: LocalDateTime | None
    isolated_at: LocalDateTime | None
    minutes_to_report: int | None
    minutes_to_isolation: int | None
    timeline: list[ResponseTimelineOut]
    tasks: list[ResponseTaskOut]
    contacts: list[ResponseContactOut]


class ResponseAreaBindIn(Schema):
    area_id: int = Field(ge=1, le=DB_ID_MAX, description="区块")
    region: str = Field(
        default="", max_length=100, description="平面图图形编号（见平面图的 regions）；空为取消绑定"
    )


class ResponseContactReviewIn(Schema):
    confirm: bool = Field(description="true 确认密接（转入橙区）/ false 排除")


class ResponseEmptyIn(Schema):
    pass


def _junction_out(j: Junction) -> dict[str, Any]:
    return {
        "id": j.pk,
        "from_area_id": j.from_area_id,
        "to_area_id": j.to_area_id,
        "kind": j.kind,
        "direction": j.direction,
        "controlled": j.controlled,
        "note": j.note,
        "gate_id": j.gate_id,
    }


def _move_out(m: ZoneMove) -> dict[str, Any]:
    return {
        "id": m.pk,
        "person_id": m.person_id,
        "colour": m.colour,
        "area_id": m.area_id,
        "reason": m.reason,
        "state": m.state,
        "requested_at": m.requested_at,
        "decided_at": m.decided_at,
    }


def _incident_out(i: Incident) -> dict[str, Any]:
    return {
        "id": i.pk,
        "enterprise_id": i.enterprise_id,
        "person_id": i.person_id,
        "person_name": name_mask(i.person.name),
        "title": i.title,
        "state": i.state,
        "detected_at": i.detected_at,
        "reported_at": i.reported_at,
        "isolated_at": i.isolated_at,
        "minutes_to_report": i.minutes_to_report,
        "minutes_to_isolation": i.minutes_to_isolation,
        "timeline": [{"kind": t.kind, "at": t.at, "text": t.text} for t in i.timeline.all()],
        "tasks": [
            {"id": t.pk, "label": t.label, "due_at": t.due_at, "done_at": t.done_at}
            for t in i.tasks.all()
        ],
        "contacts": [
            {
                "id": c.pk,
                "person_id": c.person_id,
                "name": name_mask(c.person.name),
                "degree": c.degree,
                "basis": c.basis,
                "state": c.state,
            }
            for c in selectors.contacts_of(incident=i)
        ],
    }


@router.get(
    "/response/enterprises/{enterprise_id}/zones",
    response=list[ResponsePersonZoneOut],
    auth=SESSION,
    summary="不在绿区的人员",
)
def zone_list(request: HttpRequest, enterprise_id: int) -> Any:
    caller = scope(request)
    e = selectors.enterprise_for_response(scope=caller, enterprise_id=enterprise_id)
    return [
        {
            "person_id": z.person_id,
            "name": name_mask(z.person.name),
            "colour": z.colour,
            "area_id": z.area_id,
            "since": z.since,
            "reason": z.move.reason,
            "evidence": z.move.evidence,
            "awaiting_area": z.colour == ZoneColour.BLUE and z.area_id is None,
        }
        for z in selectors.people_in_zones(scope=caller, enterprise=e)[:LIST_MAX]
    ]


@router.post(
    "/response/moves",
    response={201: ResponseMoveOut, 422: FieldErrors},
    auth=SESSION,
    summary="申请人工调整分区（须另一人复核后生效）",
)
def move_request(request: HttpRequest, payload: ResponseMoveIn) -> Any:
    caller = scope(request)
    person = get_visible_or_404(caller, Person, pk=payload.person_id)
    area = None
    if payload.area_id is not None:
        area = selectors.area_for_move(scope=caller, area_id=payload.area_id)
    try:
        move = services.zone_move_request(
            scope=caller,
            person=person,
            colour=payload.colour,
            area=area,
            reason=payload.reason,
            by=request.user,  # type: ignore[arg-type]
            at=timezone.now(),
        )
    except DjangoValidationError as exc:
        return field_errors(exc)
    return Status(201, _move_out(move))


@router.post(
    "/response/moves/{move_id}/decision",
    response={200: ResponseMoveOut, 422: FieldErrors},
    auth=SESSION,
    summary="复核人工调整：批准（立即生效）或驳回；不能复核自己提出的",
)
def move_decide(request: HttpRequest, move_id: int, payload: ResponseMoveDecisionIn) -> Any:
    caller = scope(request)
    move = get_visible_or_404(caller, ZoneMove.objects.select_related("person"), pk=move_id)
    try:
        decided = services.zone_move_decide(
            scope=caller,
            move=move,
            approve=payload.approve,
            by=request.user,  # type: ignore[arg-type]
            at=timezone.now(),
        )
    except DjangoValidationError as exc:
        return field_errors(exc)
    return _move_out(decided)


@router.post(
    "/response/enterprises/{enterprise_id}/incidents",
    response={201: ResponseIncidentOut, 422: FieldErrors},
    auth=SESSION,
    summary="登记疫情事件（联动任务按规则包生成）",
)
def incident_open(request: HttpRequest, enterprise_id: int, payload: ResponseIncidentIn) -> Any:
    caller = scope(request)
    e = selectors.enterprise_for_response(scope=caller, enterprise_id=enterprise_id)
    person = get_visible_or_404(caller, Person, pk=payload.person_id, enterprise=e)
    try:
        found = services.incident_open(
            scope=caller,
            person=person,
            title=payload.title,
            by=request.user,  # type: ignore[arg-type]
            at=timezone.now(),
        )
    except DjangoValidationError as exc:
        return field_errors(exc)
    return Status(201, _incident_out(found))


@router.get(
    "/response/incidents/{incident_id}",
    response=ResponseIncidentOut,
    auth=SESSION,
    summary="疫情事件：时间线、三个“第一时间”的分钟数、联动任务、密接候选",
)
def incident_detail(request: HttpRequest, incident_id: int) -> Any:
    found = selectors.incident_detail(scope=scope(request), incident_id=incident_id)
    return _incident_out(found)


def _step(request: HttpRequest, incident_id: int, step: str) -> Any:
    caller = scope(request)
    found = selectors.incident_detail(scope=caller, incident_id=incident_id)
    by, at = request.user, timezone.now()
    try:
        if step == "report":
            services.incident_report(scope=caller, incident=found, by=by, at=at)  # type: ignore[arg-type]
        elif step == "isolate":
            services.incident_isolate(scope=caller, incident=found, by=by, at=at)  # type: ignore[arg-type]
        else:
            services.contacts_trace(scope=caller, incident=found, by=by, at=at)  # type: ignore[arg-type]
    except DjangoValidationError as exc:
        return field_errors(exc)
    found.refresh_from_db()
    return _incident_out(found)


@router.post(
    "/response/incidents/{incident_id}/report",
    response={200: ResponseIncidentOut, 422: FieldErrors},
    auth=SESSION,
    summary="第一时间报告：园区领导小组与街道社区（站内消息与群机器人）",
)
def incident_report(request: HttpRequest, incident_id: int, payload: ResponseEmptyIn) -> Any:
    return _step(request, incident_id, "report")


@router.post(
    "/response/incidents/{incident_id}/isolate",
    response={200: ResponseIncidentOut, 422: FieldErrors},
    auth=SESSION,
    summary="第一时间隔离：转入临时隔离管控区域并报请转运",
)
def incident_isolate(request: HttpRequest, incident_id: int, payload: ResponseEmptyIn) -> Any:
    return _step(request, incident_id, "isolate")


@router.post(
    "/response/incidents/{incident_id}/trace",
    response={200: ResponseIncidentOut, 422: FieldErrors},
    auth=SESSION,
    summary="密接排查：同一出入口/场所码 N 分钟内经过者、同一班组（N 与时间窗取自规则包）",
)
def incident_trace(request: HttpRequest, incident_id: int, payload: ResponseEmptyIn) -> Any:
    return _step(request, incident_id, "trace")


@router.post(
    "/response/tasks/{task_id}/done",
    response={200: ResponseTaskOut, 422: FieldErrors},
    auth=SESSION,
    summary="联动任务完成",
)
def task_done(request: HttpRequest, task_id: int, payload: ResponseEmptyIn) -> Any:
    caller = scope(request)
    task = get_visible_or_404(caller, LinkageTask, pk=task_id)
    try:
        done = services.linkage_task_done(
            scope=caller,
            task=task,
            by=request.user,  # type: ignore[arg-type]
            at=timezone.now(),
        )
    except DjangoValidationError as exc:
        return field_errors(exc)
    return {"id": done.pk, "label": done.label, "due_at": done.due_at, "done_at": done.done_at}


@router.post(
    "/response/contacts/{contact_id}/review",
    response={200: ResponseContactOut, 422: FieldErrors},
    auth=SESSION,
    summary="核实密接候选：确认（转入橙区）或排除",
)
def contact_review(request: HttpRequest, contact_id: int, payload: ResponseContactReviewIn) -> Any:
    caller = scope(request)
    contact = get_visible_or_404(caller, Contact, pk=contact_id)
    try:
        c = services.contact_review(
            scope=caller,
            contact=contact,
            confirm=payload.confirm,
            by=request.user,  # type: ignore[arg-type]
            at=timezone.now(),
        )
    except DjangoValidationError as exc:
        return field_errors(exc)
    return {"id": c.pk, "person_id": c.person_id, "basis": c.basis, "state": c.state}


# --- areas, junctions and the site plan of an owner (an enterprise, or a park) -------------
# One body per operation over an `Owner` (`selectors.owner_for` opens it as the caller may);
# the enterprise's and the park's URLs are thin handlers that name which owner.
class ResponseParkPlanOut(Schema):
    park_id: int
    has_plan: bool
    svg_url: str | None = Field(description="已清理的园区平面图 SVG 地址，未上传为空")
    regions: list[str] = Field(description="平面图中可绑定的图形编号（path、rect、polygon、g）")
    areas: list[ResponsePlanAreaOut]
    junctions: list[ResponseJunctionOut]


def _owner(caller: Any, enterprise_id: int | None = None, park_id: int | None = None) -> Owner:
    return selectors.owner_for(scope=caller, enterprise_id=enterprise_id, jurisdiction_id=park_id)


def _area_out(a: Area, n: int) -> dict[str, Any]:
    fields = ("id", "name", "block", "capacity", "zone", "is_isolation")
    return {f: getattr(a, f) for f in fields} | {"present": n}


def _plan_area_out(a: Area, n: int) -> dict[str, Any]:
    return _area_out(a, n) | {"x": a.plan_x, "y": a.plan_y, "region": a.plan_region}


def _areas(request: HttpRequest, owner: Owner) -> Any:
    return [_area_out(a, n) for a, n in selectors.owner_areas(scope=scope(request), owner=owner)]


def _plan(request: HttpRequest, owner: Owner) -> dict[str, Any]:
    caller = scope(request)
    plan = selectors.owner_site_plan(scope=caller, owner=owner)
    has_plan = plan is not None
    svg = "response_park_site_plan_svg" if owner.is_park else "response_site_plan_svg"
    key = "park_id" if owner.is_park else "enterprise_id"
    return {
        key: owner.subject.pk,
        "has_plan": has_plan,
        "svg_url": reverse(svg, args=[owner.subject.pk]) if has_plan else None,
        "regions": svg_region_ids(plan.svg) if plan is not None else [],
        "areas": [
            _plan_area_out(a, n) for a, n in selectors.owner_areas(scope=caller, owner=owner)
        ],
        "junctions": [
            _junction_out(j) for j in selectors.owner_junctions(scope=caller, owner=owner)
        ],
    }


def _area_create(request: HttpRequest, owner: Owner, payload: ResponseAreaIn) -> Any:
    try:
        a = services.area_create(
            scope=scope(request),
            owner=owner,
            name=payload.name,
            block=payload.block,
            capacity=payload.capacity,
            zone=payload.zone,
            is_isolation=payload.is_isolation,
            by=request.user,  # type: ignore[arg-type]
            at=timezone.now(),
        )
    except DjangoValidationError as exc:
        return field_errors(exc)
    return Status(201, _area_out(a, 0))


def _junction_create(request: HttpRequest, owner: Owner, payload: ResponseJunctionIn) -> Any:
    caller = scope(request)
    from_area = get_visible_or_404(caller, Area, pk=payload.from_area_id)
    to_area = get_visible_or_404(caller, Area, pk=payload.to_area_id)
    gate = None
    if payload.gate_id is not None:
        # A gate the caller cannot see gets the same field error as another enterprise's.
        gate = visible(caller, Gate).filter(pk=payload.gate_id).first()
        if gate is None:
            return field_errors(DjangoValidationError({"gate_id": services.JUNCTION_GATE_NOT_HERE}))
    try:
        j = services.junction_create(
            scope=caller,
            owner=owner,
            from_area=from_area,
            to_area=to_area,
            kind=payload.kind,
            controlled=payload.controlled,
            note=payload.note,
            gate=gate,
            direction=payload.direction or "",
            by=request.user,  # type: ignore[arg-type]
            at=timezone.now(),
        )
    except DjangoValidationError as exc:
        return field_errors(exc, names={"gate": "gate_id"})
    return Status(201, _junction_out(j))


def _area_bind(request: HttpRequest, owner: Owner, payload: ResponseAreaBindIn) -> Any:
    caller = scope(request)
    area = get_visible_or_404(caller, Area, pk=payload.area_id)
    try:
        a = services.area_bind(
            scope=caller,
            owner=owner,
            area=area,
            region=payload.region,
            by=request.user,  # type: ignore[arg-type]
            at=timezone.now(),
        )
    except DjangoValidationError as exc:
        return field_errors(exc, names={"area": "area_id"})
    present = dict(selectors.owner_areas(scope=caller, owner=owner)).get(a, 0)
    return _plan_area_out(a, present)


@router.get(
    "/response/enterprises/{enterprise_id}/areas",
    response=list[ResponseAreaOut],
    auth=SESSION,
    summary="本企业的区块、分区与在区人数",
)
def area_list(request: HttpRequest, enterprise_id: int) -> Any:
    return _areas(request, _owner(scope(request), enterprise_id=enterprise_id))


@router.post(
    "/response/enterprises/{enterprise_id}/areas",
    response={201: ResponseAreaOut, 422: FieldErrors},
    auth=SESSION,
    summary="登记区块（临时隔离管控区域按红区管理）",
)
def area_create(request: HttpRequest, enterprise_id: int, payload: ResponseAreaIn) -> Any:
    return _area_create(request, _owner(scope(request), enterprise_id=enterprise_id), payload)


@router.get(
    "/response/enterprises/{enterprise_id}/plan",
    response=ResponsePlanOut,
    auth=SESSION,
    summary="厂区平面图：区块位置、分区颜色、在区人数与接合部",
    url_name="response_plan",
)
def plan_detail(request: HttpRequest, enterprise_id: int) -> Any:
    return _plan(request, _owner(scope(request), enterprise_id=enterprise_id))


@router.post(
    "/response/enterprises/{enterprise_id}/junctions",
    response={201: ResponseJunctionOut, 422: FieldErrors},
    auth=SESSION,
    summary="登记区块接合部（两端须为本企业的两个不同区块）",
)
def junction_create(request: HttpRequest, enterprise_id: int, payload: ResponseJunctionIn) -> Any:
    return _junction_create(request, _owner(scope(request), enterprise_id=enterprise_id), payload)


@router.get(
    "/response/parks/{jurisdiction_id}/plan",
    response=ResponseParkPlanOut,
    auth=SESSION,
    summary="园区平面图：园区自有区块的位置、分区颜色、在区人数（企业专员只计本企业人员）与接合部",
    url_name="response_park_plan",
)
def park_plan_detail(request: HttpRequest, jurisdiction_id: int) -> Any:
    return _plan(request, _owner(scope(request), park_id=jurisdiction_id))


@router.get(
    "/response/parks/{jurisdiction_id}/areas",
    response=list[ResponseAreaOut],
    auth=SESSION,
    summary="园区自有区块（公共道路、园区交接点与隔离点、缓冲区）、分区与在区人数",
)
def park_area_list(request: HttpRequest, jurisdiction_id: int) -> Any:
    return _areas(request, _owner(scope(request), park_id=jurisdiction_id))


@router.post(
    "/response/parks/{jurisdiction_id}/areas",
    response={201: ResponseAreaOut, 422: FieldErrors},
    auth=SESSION,
    summary="登记园区自有区块（园区管理员；隔离点按红区管理）",
)
def park_area_create(request: HttpRequest, jurisdiction_id: int, payload: ResponseAreaIn) -> Any:
    return _area_create(request, _owner(scope(request), park_id=jurisdiction_id), payload)


@router.post(
    "/response/parks/{jurisdiction_id}/junctions",
    response={201: ResponseJunctionOut, 422: FieldErrors},
    auth=SESSION,
    summary="登记园区区块接合部（两端须为本园区自有的两个不同区块）",
)
def park_junction_create(
    request: HttpRequest, jurisdiction_id: int, payload: ResponseJunctionIn
) -> Any:
    return _junction_create(request, _owner(scope(request), park_id=jurisdiction_id), payload)


@router.post(
    "/response/enterprises/{enterprise_id}/plan/regions",
    response={200: ResponsePlanAreaOut, 422: FieldErrors},
    auth=SESSION,
    summary="把区块绑定到厂区平面图上的图形（按图形编号），地图上画成该区域；空为取消绑定",
)
def area_bind(request: HttpRequest, enterprise_id: int, payload: ResponseAreaBindIn) -> Any:
    return _area_bind(request, _owner(scope(request), enterprise_id=enterprise_id), payload)


@router.post(
    "/response/parks/{jurisdiction_id}/plan/regions",
    response={200: ResponsePlanAreaOut, 422: FieldErrors},
    auth=SESSION,
    summary="把园区自有区块绑定到园区平面图上的图形（按图形编号）；空为取消绑定",
)
def park_area_bind(request: HttpRequest, jurisdiction_id: int, payload: ResponseAreaBindIn) -> Any:
    return _area_bind(request, _owner(scope(request), park_id=jurisdiction_id), payload)


class ResponseJunctionEditIn(Schema):
    direction: JunctionDirection = Field(description="通行方向：both 双向 / forward 由起点通往终点")
    controlled: bool = Field(description="有人值守或门禁管控")
    gate_id: int | None = Field(
        default=None, ge=1, le=DB_ID_MAX, description="服务该接合部的本企业出入口或场所码（空为无）"
    )


@router.put(
    "/response/enterprises/{enterprise_id}/junctions/{junction_id}",
    response={200: ResponseJunctionOut, 422: FieldErrors},
    auth=SESSION,
    summary="修改接合部的出入口、通行方向和管控（两端与类型不变）",
)
def junction_update(
    request: HttpRequest, enterprise_id: int, junction_id: int, payload: ResponseJunctionEditIn
) -> Any:
    caller = scope(request)
    e = selectors.enterprise_for_response(scope=caller, enterprise_id=enterprise_id)
    junction = get_visible_or_404(caller, Junction, pk=junction_id)
    gate = None
    if payload.gate_id is not None:
        # A gate the caller cannot see gets the same field error as another enterprise's.
        gate = visible(caller, Gate).filter(pk=payload.gate_id).first()
        if gate is None:
            return field_errors(DjangoValidationError({"gate_id": services.JUNCTION_GATE_NOT_HERE}))
    try:
        j = services.junction_update(
            scope=caller,
            enterprise=e,
            junction=junction,
            gate=gate,
            direction=payload.direction,
            controlled=payload.controlled,
            by=request.user,  # type: ignore[arg-type]
            at=timezone.now(),
        )
    except DjangoValidationError as exc:
        return field_errors(exc, names={"gate": "gate_id"})
    return Status(200, _junction_out(j))
