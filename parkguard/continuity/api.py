"""JSON API of production continuity (browser sessions only: the lists name people)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest
from django.utils import timezone
from ninja import Field, Router, Schema, Status

from parkguard.api.auth import SessionScope, scope
from parkguard.continuity import selectors, services
from parkguard.continuity.choices import PostKind, Utility
from parkguard.continuity.models import LoopPlan, UtilityFault
from parkguard.lib.api_datetimes import LocalDateTime
from parkguard.lib.api_errors import DB_ID_MAX, FieldErrors, field_errors
from parkguard.lib.free_text import FreeText
from parkguard.orgs.access import NOT_FOUND, get_visible_or_404, scope_of
from parkguard.orgs.models import Enterprise
from parkguard.response.models import Incident

router = Router(tags=["闭环生产与生产保障"], auth=SessionScope(scope_of))


class LoopMemberOut(Schema):
    id: int
    person_id: int
    name: str
    dormitory: str
    workshop: str


class LoopOut(Schema):
    enterprise_id: int
    active: bool
    plan_id: int | None
    started_at: LocalDateTime | None
    reason: FreeText
    inside: int
    outside: int
    members: list[LoopMemberOut]


class StartIn(Schema):
    reason: str = Field(max_length=200)
    incident_id: int | None = Field(default=None, ge=1, le=DB_ID_MAX)
    person_ids: list[int] | None = Field(
        default=None, description="不填则为所有登记了宿舍和车间的在岗人员"
    )


class EndIn(Schema):
    reason: str = Field(max_length=200)


class LoopDayIn(Schema):
    on: dt.date
    meals_served: int = Field(ge=0, le=services.COUNT_MAX)
    beds_provided: int = Field(ge=0, le=services.COUNT_MAX)
    medical_requests: int = Field(default=0, ge=0, le=services.COUNT_MAX)
    medical_met: int = Field(default=0, ge=0, le=services.COUNT_MAX)
    note: str = Field(default="", max_length=200)


class DayOut(Schema):
    on: dt.date
    headcount: int
    meals_needed: int
    meals_served: int
    beds_needed: int
    beds_provided: int
    medical_requests: int
    medical_met: int
    short: bool


class PostIn(Schema):
    name: str = Field(max_length=60)
    kind: PostKind
    minimum: int = Field(ge=0, le=services.POST_MINIMUM_MAX)


class PostOut(Schema):
    id: int
    name: str
    kind: str
    minimum: int


class GapOut(Schema):
    post_id: int
    post: str
    on: dt.date
    on_duty: int
    backups: int
    minimum: int
    short: int
    away: list[str]


class GapsOut(Schema):
    days: int
    basis: str
    gaps: list[GapOut]


class FaultIn(Schema):
    utility: Utility
    location: str = Field(max_length=100)
    description: str = Field(max_length=300)
    enterprise_id: int | None = Field(default=None, ge=1, le=DB_ID_MAX)


class FaultOut(Schema):
    id: int
    utility: str
    enterprise_id: int | None
    location: str
    description: FreeText
    state: str
    reported_at: LocalDateTime
    due_at: LocalDateTime | None
    assignee: str
    assigned_at: LocalDateTime | None
    repaired_at: LocalDateTime | None
    minutes_to_repair: int | None
    overdue: bool


class AssignIn(Schema):
    assignee: str = Field(max_length=100)


class RepairIn(Schema):
    note: str = Field(max_length=200)


def _loop_json(caller: Any, enterprise: Enterprise) -> dict[str, Any]:
    plan = selectors.loop_current(scope=caller, enterprise=enterprise)
    summary = selectors.loop_summary(plan=plan) if plan else None
    members = selectors.loop_members(scope=caller, plan=plan) if plan else []
    return {
        "enterprise_id": enterprise.pk,
        "active": plan is not None,
        "plan_id": plan.pk if plan else None,
        "started_at": plan.started_at if plan else None,
        "reason": plan.reason if plan else "",
        "inside": summary.inside if summary else 0,
        "outside": summary.outside if summary else 0,
        "members": [
            {
                "id": m.pk,
                "person_id": m.person_id,
                "name": m.person.name,
                "dormitory": m.dormitory,
                "workshop": m.workshop,
            }
            for m in members
        ],
    }


@router.get(
    "/continuity/enterprises/{enterprise_id}/loop",
    response=LoopOut,
    summary="闭环生产状态与闭环内人员",
)
def loop(request: HttpRequest, enterprise_id: int) -> Any:
    caller = scope(request)
    enterprise = selectors.enterprise_for_continuity(scope=caller, enterprise_id=enterprise_id)
    return _loop_json(caller, enterprise)


@router.post(
    "/continuity/enterprises/{enterprise_id}/loop/start",
    response={201: LoopOut, 422: FieldErrors},
    summary="启动闭环生产",
)
def loop_start(request: HttpRequest, enterprise_id: int, payload: StartIn) -> Any:
    caller = scope(request)
    enterprise = selectors.enterprise_for_continuity(scope=caller, enterprise_id=enterprise_id)
    incident = (
        get_visible_or_404(caller, Incident, pk=payload.incident_id)
        if payload.incident_id
        else None
    )
    try:
        services.closed_loop_start(
            scope=caller,
            enterprise=enterprise,
            reason=payload.reason,
            person_ids=payload.person_ids,
            incident=incident,
            at=timezone.now(),
            by=request.user,  # type: ignore[arg-type]
        )
    except DjangoValidationError as exc:
        return field_errors(exc)
    return Status(201, _loop_json(caller, enterprise))


@router.post(
    "/continuity/loops/{plan_id}/end",
    response={200: LoopOut, 422: FieldErrors},
    summary="解除闭环生产",
)
def loop_end(request: HttpRequest, plan_id: int, payload: EndIn) -> Any:
    caller = scope(request)
    plan = get_visible_or_404(caller, LoopPlan.objects.select_related("enterprise"), pk=plan_id)
    try:
        services.closed_loop_end(
            scope=caller,
            plan=plan,
            reason=payload.reason,
            at=timezone.now(),
            by=request.user,  # type: ignore[arg-type]
        )
    except DjangoValidationError as exc:
        return field_errors(exc)
    return _loop_json(caller, plan.enterprise)


@router.post(
    "/continuity/loops/{plan_id}/days",
    response={201: DayOut, 422: FieldErrors},
    summary="登记闭环期间当日用餐、住宿、就医保障",
)
def loop_day(request: HttpRequest, plan_id: int, payload: LoopDayIn) -> Any:
    caller = scope(request)
    plan = get_visible_or_404(caller, LoopPlan.objects.select_related("enterprise"), pk=plan_id)
    try:
        day = services.loop_day_record(
            scope=caller,
            plan=plan,
            **payload.dict(),
            at=timezone.now(),
            by=request.user,  # type: ignore[arg-type]
        )
    except DjangoValidationError as exc:
        return field_errors(exc)
    fields = DayOut.model_fields
    return Status(201, {**{k: getattr(day, k) for k in fields if k != "short"}, "short": day.short})


@router.post(
    "/continuity/enterprises/{enterprise_id}/key-posts",
    response={201: PostOut, 422: FieldErrors},
    summary="登记关键岗位或关键工序",
)
def post_create(request: HttpRequest, enterprise_id: int, payload: PostIn) -> Any:
    caller = scope(request)
    enterprise = selectors.enterprise_for_continuity(scope=caller, enterprise_id=enterprise_id)
    try:
        post = services.key_post_create(
            scope=caller, enterprise=enterprise, **payload.dict(), at=timezone.now()
        )
    except DjangoValidationError as exc:
        return field_errors(exc)
    return Status(
        201, {"id": post.pk, "name": post.name, "kind": post.kind, "minimum": post.minimum}
    )


@router.get(
    "/continuity/enterprises/{enterprise_id}/key-posts/gaps",
    response=GapsOut,
    summary="关键岗位未来几天的缺员预警",
)
def post_gaps(request: HttpRequest, enterprise_id: int) -> Any:
    caller = scope(request)
    enterprise = selectors.enterprise_for_continuity(scope=caller, enterprise_id=enterprise_id)
    today = timezone.localdate()
    horizon = selectors.gap_horizon(enterprise=enterprise, on=today)
    days = horizon.value if horizon else 1
    gaps = selectors.key_post_gaps(scope=caller, enterprise=enterprise, start=today, days=days)
    return {
        "days": days,
        "basis": horizon.basis if horizon else "",
        "gaps": [
            {
                "post_id": g.post.pk,
                "post": g.post.name,
                "on": g.on,
                "on_duty": g.on_duty,
                "backups": g.backups,
                "minimum": g.minimum,
                "short": g.short,
                "away": g.away,
            }
            for g in gaps
        ],
    }


def _fault_json(fault: UtilityFault) -> dict[str, Any]:
    now = timezone.now()
    return {
        "id": fault.pk,
        "utility": fault.utility,
        "enterprise_id": fault.enterprise_id,
        "location": fault.location,
        "description": fault.description,
        "state": fault.state,
        "reported_at": fault.reported_at,
        "due_at": fault.due_at,
        "assignee": fault.assignee,
        "assigned_at": fault.assigned_at,
        "repaired_at": fault.repaired_at,
        "minutes_to_repair": fault.minutes_to_repair(),
        "overdue": bool(selectors.faults_overdue(rows=[fault], at=now)),
    }


@router.get(
    "/continuity/parks/{jurisdiction_id}/faults", response=list[FaultOut], summary="园区水电气故障"
)
def faults(request: HttpRequest, jurisdiction_id: int) -> Any:
    caller = scope(request)
    park = selectors.park_for_continuity(scope=caller, jurisdiction_id=jurisdiction_id)
    return [_fault_json(f) for f in selectors.faults(scope=caller, park=park)[:500]]


@router.post(
    "/continuity/parks/{jurisdiction_id}/faults",
    response={201: FaultOut, 422: FieldErrors},
    summary="报修水电气故障",
)
def fault_report(request: HttpRequest, jurisdiction_id: int, payload: FaultIn) -> Any:
    caller = scope(request)
    enterprise: Enterprise | None = None
    if payload.enterprise_id:
        # An enterprise's officer reports for their enterprise without seeing the whole park.
        enterprise = selectors.enterprise_for_continuity(
            scope=caller, enterprise_id=payload.enterprise_id
        )
        if enterprise.jurisdiction_id != jurisdiction_id:
            raise Http404(NOT_FOUND)
        park = enterprise.jurisdiction
    else:
        park = selectors.park_for_continuity(scope=caller, jurisdiction_id=jurisdiction_id)
    try:
        fault = services.fault_report(
            scope=caller,
            park=park,
            enterprise=enterprise,
            utility=payload.utility,
            location=payload.location,
            description=payload.description,
            at=timezone.now(),
            by=request.user,  # type: ignore[arg-type]
        )
    except DjangoValidationError as exc:
        return field_errors(exc)
    return Status(201, _fault_json(fault))


@router.post(
    "/continuity/faults/{fault_id}/assign",
    response={200: FaultOut, 422: FieldErrors},
    summary="派修",
)
def fault_assign(request: HttpRequest, fault_id: int, payload: AssignIn) -> Any:
    caller = scope(request)
    fault = get_visible_or_404(caller, UtilityFault, pk=fault_id)
    try:
        fault = services.fault_assign(
            scope=caller,
            fault=fault,
            assignee=payload.assignee,
            at=timezone.now(),
            by=request.user,  # type: ignore[arg-type]
        )
    except DjangoValidationError as exc:
        return field_errors(exc)
    return _fault_json(fault)


@router.post(
    "/continuity/faults/{fault_id}/repair",
    response={200: FaultOut, 422: FieldErrors},
    summary="登记修复",
)
def fault_repair(request: HttpRequest, fault_id: int, payload: RepairIn) -> Any:
    caller = scope(request)
    fault = get_visible_or_404(caller, UtilityFault, pk=fault_id)
    try:
        fault = services.fault_repair(
            scope=caller,
            fault=fault,
            note=payload.note,
            at=timezone.now(),
            by=request.user,  # type: ignore[arg-type]
        )
    except DjangoValidationError as exc:
        return field_errors(exc)
    return _fault_json(fault)
