"""JSON API of mobility: trips (file, read, decide), returns (declare, read, evidence), my
duties, an enterprise's returnee register, a park's risk areas (add, edit with history), the
liaison's grid and the park's visitor filings, the division lookup."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Path, Router, Schema, Status
from pydantic import field_validator

from parkguard.api.auth import SessionScope, scope
from parkguard.gate import tokens
from parkguard.lib.api_datetimes import LocalDateTime
from parkguard.lib.api_errors import (
    DB_ID_MAX,
    FieldErrors,
    error_at,
    field_errors,
    null_refused,
)
from parkguard.lib.free_text import FreeText, free_text_mask
from parkguard.mobility import impact, selectors, services, visitors
from parkguard.mobility.choices import EvidenceKind, TestResult, Transport, TripPurpose
from parkguard.mobility.divisions import division_search
from parkguard.mobility.models import IsolationRecord, ReturnDeclaration, RiskArea, Trip, Visitor
from parkguard.mobility.rules import risk_word_label
from parkguard.orgs.access import can, scope_of, visible
from parkguard.people.models import Person

router = Router(tags=["出行与返岗"])
SESSION = SessionScope(scope_of)
SEARCH_LIMIT = 20


class StopIn(Schema):
    division_code: str = Field(max_length=12, description="行政区划代码")
    first_day: dt.date
    last_day: dt.date
    transit: bool = Field(default=False, description="仅途经（返岗申报）")


class TripIn(Schema):
    purpose: TripPurpose
    departs_on: dt.date
    returns_on: dt.date
    stops: list[StopIn] = Field(max_length=20)
    note: str = Field(default="", max_length=200)


class TripPatch(Schema):
    """The itinerary as it now stands; a field left out keeps its value."""

    purpose: TripPurpose | None = None
    departs_on: dt.date | None = None
    returns_on: dt.date | None = None
    stops: list[StopIn] | None = Field(default=None, max_length=20)
    note: str | None = Field(default=None, max_length=200)


class TripOut(Schema):
    id: int
    status: str
    approver: str
    purpose: FreeText
    departs_on: dt.date
    returns_on: dt.date
    note: FreeText
    stops: list[dict[str, Any]]
    route: dict[str, Any]
    # Each itinerary the trip had before an update, oldest first (`Trip.previous`), and how
    # many there are: a leader's decision may name it (`DecisionIn.revision`).
    previous: list[dict[str, Any]]
    revision: int


class DecisionIn(Schema):
    approve: bool
    note: str = Field(default="", max_length=200)
    revision: int | None = Field(
        default=None, ge=0, le=DB_ID_MAX, description="所见行程的修改次数（TripOut.revision）"
    )


class CertIn(Schema):
    sampled_at: LocalDateTime
    result: TestResult = TestResult.NEGATIVE


class ReturnIn(Schema):
    arrived_at: LocalDateTime
    transport: Transport
    stays: list[StopIn] = Field(max_length=20)
    certificates: list[CertIn] = Field(default=[], max_length=10)
    trip_id: int | None = Field(default=None, ge=1, le=DB_ID_MAX)


class ReturnOut(Schema):
    id: int
    arrived_at: LocalDateTime
    closed_at: LocalDateTime | None
    plans: list[dict[str, Any]]
    entry_allowed: bool
    allowed_from: LocalDateTime | None
    reasons: list[str]


class EvidenceIn(Schema):
    kind: EvidenceKind
    obligation: str = Field(default="", max_length=200)
    done_at: LocalDateTime
    result: str = Field(default="", max_length=10)


def _trip(trip: Trip) -> dict[str, Any]:
    return {
        "id": trip.pk,
        "status": trip.status,
        "approver": trip.approver,
        "purpose": trip.purpose,
        "departs_on": trip.departs_on,
        "returns_on": trip.returns_on,
        "note": trip.note,
        "stops": [
            {
                "division_code": s.division_code,
                "division_name": s.division_name,
                "first_day": s.first_day,
                "last_day": s.last_day,
            }
            for s in trip.stops.all()
        ],
        "route": trip.route,
        "previous": [
            {
                **r,
                "note": free_text_mask(r["note"]),
                "decision_note": free_text_mask(r["decision_note"]),
            }
            for r in trip.previous
        ],
        "revision": len(trip.previous),
    }


def _return(declaration: ReturnDeclaration) -> dict[str, Any]:
    verdict = services.return_verdict(declaration=declaration, at=timezone.now())
    return {
        "id": declaration.pk,
        "arrived_at": declaration.arrived_at,
        "closed_at": declaration.closed_at,
        "plans": [
            {
                "pack_id": p.pack_id,
                "version": p.version,
                "state": p.state,
                "earliest_entry": p.earliest_entry,
                "plan": p.plan,
            }
            for p in declaration.plans.all()
        ],
        "entry_allowed": verdict.allowed,
        "allowed_from": verdict.allowed_from,
        "reasons": list(verdict.reasons),
    }


def _no_person() -> Status[dict[str, Any]]:
    return error_at(["body"], selectors.NO_PERSON, status=404)


@router.get("/mobility/divisions", response=list[dict[str, str]], summary="按名称查找行政区划代码")
def divisions(request: HttpRequest, q: str = "") -> Any:
    scope(request)
    return [
        {"code": d.code, "name": d.name, "kind": d.kind}
        for d in division_search(q[:50], limit=SEARCH_LIMIT)
    ]


@router.post(
    "/mobility/trips",
    response={201: TripOut, 404: FieldErrors, 422: FieldErrors},
    auth=SESSION,
    summary="本人出行报备（J-1.1；需审批的等待企业负责人审批，H-4.3）",
)
def trip_file(request: HttpRequest, payload: TripIn) -> Any:
    caller = scope(request)
    person = selectors.my_person(scope=caller)
    if person is None:
        return _no_person()
    try:
        trip = services.trip_file(
            scope=caller,
            person=person,
            purpose=payload.purpose,
            departs_on=payload.departs_on,
            returns_on=payload.returns_on,
            stops=[
                services.StopIn(s.division_code, s.first_day, s.last_day) for s in payload.stops
            ],
            note=payload.note,
            by=request.user,  # type: ignore[arg-type]
            at=timezone.now(),
        )
    except DjangoValidationError as exc:
        return field_errors(exc)
    return Status(201, _trip(trip))


@router.get("/mobility/trips/{trip_id}", response=TripOut, auth=SESSION, summary="出行报备详情")
def trip_get(request: HttpRequest, trip_id: int) -> Any:
    return _trip(selectors.trip_get(scope=scope(request), trip_id=trip_id))


@router.patch(
    "/mobility/trips/{trip_id}",
    response={200: TripOut, 422: FieldErrors},
    auth=SESSION,
    summary="本人修改行程（J-1.1；需审批的改了目的地或日期须重新审批，H-4.3）",
)
def trip_update(request: HttpRequest, trip_id: int, payload: TripPatch) -> Any:
    caller = scope(request)
    trip = selectors.trip_for_update(scope=caller, trip_id=trip_id)
    stops = (
        [services.StopIn(s.division_code, s.first_day, s.last_day) for s in payload.stops]
        if payload.stops is not None
        else [services.StopIn(s.division_code, s.first_day, s.last_day) for s in trip.stops.all()]
    )
    try:
        trip = services.trip_update(
            scope=caller,
            trip=trip,
            purpose=payload.purpose or trip.purpose,
            departs_on=payload.departs_on or trip.departs_on,
            returns_on=payload.returns_on or trip.returns_on,
            stops=stops,
            note=trip.note if payload.note is None else payload.note,
            by=request.user,  # type: ignore[arg-type]
            at=timezone.now(),
        )
    except DjangoValidationError as exc:
        return field_errors(exc)
    return _trip(trip)


@router.post(
    "/mobility/trips/{trip_id}/decision",
    response={200: TripOut, 422: FieldErrors},
    auth=SESSION,
    summary="企业负责人批准或不批准出行（H-4.3）",
)
def trip_decide(request: HttpRequest, trip_id: int, payload: DecisionIn) -> Any:
    caller = scope(request)
    trip = selectors.trip_get(scope=caller, trip_id=trip_id)
    try:
        trip = services.trip_decide(
            scope=caller,
            trip=trip,
            approve=payload.approve,
            note=payload.note,
            revision=payload.revision,
            by=request.user,  # type: ignore[arg-type]
            at=timezone.now(),
        )
    except DjangoValidationError as exc:
        return field_errors(exc)
    return _trip(trip)


@router.post(
    "/mobility/returns",
    response={201: ReturnOut, 404: FieldErrors, 422: FieldErrors},
    auth=SESSION,
    summary="本人返岗申报：按规则包生成计划与待办（J-1.1、H-4.4、B-2.2c）",
)
def return_declare(request: HttpRequest, payload: ReturnIn) -> Any:
    caller = scope(request)
    person = selectors.my_person(scope=caller)
    if person is None:
        return _no_person()
    trip = (
        selectors.trips_of(scope=caller, person=person).filter(pk=payload.trip_id).first()
        if payload.trip_id
        else None
    )
    try:
        declaration = services.return_declare(
            scope=caller,
            person=person,
            arrived_at=payload.arrived_at,
            stays=[
                services.StayDeclared(s.division_code, s.first_day, s.last_day, s.transit)
                for s in payload.stays
            ],
            transport=payload.transport,
            certificates=[(c.sampled_at, c.result) for c in payload.certificates],
            trip=trip,
            by=request.user,  # type: ignore[arg-type]
            at=timezone.now(),
        )
    except DjangoValidationError as exc:
        return field_errors(exc)
    return Status(201, _return(declaration))


@router.get(
    "/mobility/returns/{return_id}", response=ReturnOut, auth=SESSION, summary="返岗计划与进厂判断"
)
def return_get(request: HttpRequest, return_id: int) -> Any:
    return _return(selectors.return_get(scope=scope(request), return_id=return_id))


@router.post(
    "/mobility/returns/{return_id}/evidence",
    response={201: ReturnOut, 422: FieldErrors},
    auth=SESSION,
    summary="记录计划的完成情况（报告、检测、材料）",
)
def evidence_record(request: HttpRequest, return_id: int, payload: EvidenceIn) -> Any:
    caller = scope(request)
    declaration = selectors.return_get(scope=caller, return_id=return_id)
    try:
        services.plan_evidence_record(
            scope=caller,
            declaration=declaration,
            kind=payload.kind,
            obligation=payload.obligation,
            done_at=payload.done_at,
            result=payload.result,
            by=request.user,  # type: ignore[arg-type]
            at=timezone.now(),
        )
    except DjangoValidationError as exc:
        return field_errors(exc)
    return Status(201, _return(declaration))


class IsolationOut(Schema):
    id: int
    kind: str
    label: str
    starts_at: LocalDateTime
    ends_at: LocalDateTime
    planned_end: LocalDateTime
    earliest_end: LocalDateTime | None
    released_at: LocalDateTime | None
    previous: list[dict[str, Any]]


class IsolationChangeIn(Schema):
    ends_at: LocalDateTime
    reason: str = Field(default="", max_length=200)


class ReleaseIn(Schema):
    note: str = Field(default="", max_length=200)


def _isolation(record: IsolationRecord) -> dict[str, Any]:
    return {
        "id": record.pk,
        "kind": record.kind,
        "label": record.label,
        "starts_at": record.starts_at,
        "ends_at": record.ends_at,
        "planned_end": record.planned_end,
        "earliest_end": record.earliest_end,
        "released_at": record.released_at,
        "previous": record.previous,
    }


@router.get(
    "/mobility/isolations/{isolation_id}",
    response=IsolationOut,
    auth=SESSION,
    summary="隔离观察记录",
)
def isolation_get(request: HttpRequest, isolation_id: int) -> Any:
    return _isolation(selectors.isolation_get(scope=scope(request), isolation_id=isolation_id))


@router.post(
    "/mobility/isolations/{isolation_id}/change",
    response={200: IsolationOut, 422: FieldErrors},
    auth=SESSION,
    summary="延长或缩短隔离观察（须写理由；缩短不超出规则包允许的范围）",
)
def isolation_change(request: HttpRequest, isolation_id: int, payload: IsolationChangeIn) -> Any:
    caller = scope(request)
    record = selectors.isolation_get(scope=caller, isolation_id=isolation_id)
    try:
        services.isolation_change(
            scope=caller,
            record=record,
            ends_at=payload.ends_at,
            reason=payload.reason,
            by=request.user,  # type: ignore[arg-type]
            at=timezone.now(),
        )
    except DjangoValidationError as exc:
        return field_errors(exc)
    return _isolation(record)


@router.post(
    "/mobility/isolations/{isolation_id}/release",
    response={200: IsolationOut, 422: FieldErrors},
    auth=SESSION,
    summary="解除隔离观察（到期后）",
)
def isolation_release(request: HttpRequest, isolation_id: int, payload: ReleaseIn) -> Any:
    caller = scope(request)
    record = selectors.isolation_get(scope=caller, isolation_id=isolation_id)
    try:
        services.isolation_release(
            scope=caller,
            record=record,
            note=payload.note,
            by=request.user,  # type: ignore[arg-type]
            at=timezone.now(),
        )
    except DjangoValidationError as exc:
        return field_errors(exc)
    return _isolation(record)


@router.get(
    "/mobility/me/duties",
    response={200: list[dict[str, Any]], 404: FieldErrors},
    auth=SESSION,
    summary="我的待办：须完成的事项、截止时间与依据",
)
def my_duties(request: HttpRequest) -> Any:
    caller = scope(request)
    person = selectors.my_person(scope=caller)
    if person is None:
        return _no_person()
    return [
        {
            "label": d.label,
            "due_from": d.due_from,
            "due_by": d.due_by,
            "state": d.state,
            "why": d.why,
        }
        for d in selectors.duties_of(scope=caller, person=person)
    ]


@router.get(
    "/mobility/enterprises/{enterprise_id}/returnees",
    response=list[dict[str, Any]],
    auth=SESSION,
    summary="企业返岗人员登记册（H-4.4）",
)
def returnees(request: HttpRequest, enterprise_id: int) -> Any:
    caller = scope(request)
    enterprise = selectors.enterprise_for_mobility(scope=caller, enterprise_id=enterprise_id)
    return [
        {
            "id": r.pk,
            "person_id": r.person_id,
            "name": r.person.name,
            "arrived_at": r.arrived_at,
            "stays": [s["division_name"] for s in r.stays],
            "earliest_entry": [p.earliest_entry for p in r.plans.all()],
            "closed_at": r.closed_at,
        }
        for r in selectors.returnee_register(scope=caller, enterprise=enterprise)[:500]
    ]


class RiskAreaIn(Schema):
    division_code: str = Field(max_length=12)
    place: str = Field(default="", max_length=100)
    level: str = Field(max_length=20)
    effective_from: dt.date
    effective_to: dt.date | None = None
    source: str = Field(max_length=200)


@router.get(
    "/mobility/parks/{jurisdiction_id}/risk-areas",
    response=list[dict[str, Any]],
    auth=SESSION,
    summary="园区风险区域登记",
)
def risk_areas(request: HttpRequest, jurisdiction_id: int) -> Any:
    caller = scope(request)
    park = selectors.park_for_risk_areas(scope=caller, jurisdiction_id=jurisdiction_id)
    return list(
        selectors.risk_register(scope=caller, park=park).values(
            "id",
            "division_code",
            "division_name",
            "place",
            "level",
            "effective_from",
            "effective_to",
            "source",
        )[:1000]
    )


@router.post(
    "/mobility/parks/{jurisdiction_id}/risk-areas",
    response={201: dict[str, Any], 422: FieldErrors},
    auth=SESSION,
    summary="登记一处风险区域",
)
def risk_area_add(request: HttpRequest, jurisdiction_id: int, payload: RiskAreaIn) -> Any:
    caller = scope(request)
    park = selectors.park_for_risk_areas(scope=caller, jurisdiction_id=jurisdiction_id)
    try:
        area = services.risk_area_save(
            scope=caller,
            park=park,
            row=services.RiskAreaIn(
                payload.division_code,
                payload.place,
                payload.level,
                payload.effective_from,
                payload.effective_to,
                payload.source,
            ),
            by=request.user,  # type: ignore[arg-type]
            at=timezone.now(),
        )
    except DjangoValidationError as exc:
        return field_errors(exc)
    return Status(201, {"id": area.pk, "division_name": area.division_name, "level": area.level})


class RiskAreaPatch(Schema):
    """Omit a field to leave it alone; only `effective_to` may be null (no end)."""

    place: str | None = Field(default=None, max_length=100, description="街道/社区（可为空）")
    level: str | None = Field(default=None, max_length=20, description="风险等级")
    effective_from: dt.date | None = Field(default=None, description="起始日期")
    effective_to: dt.date | None = Field(
        default=None, description="截止日期（提前结束时填结束的日期；null 为不设截止）"
    )
    source: str | None = Field(default=None, max_length=200, description="来源")
    reason: str = Field(
        default="", max_length=services.EDIT_REASON_MAX, description="修改理由（必填）"
    )

    _not_null = field_validator("place", "level", "effective_from", "source", mode="before")(
        null_refused
    )


class FieldChangeOut(Schema):
    field: str
    before: str
    after: str


class RiskAreaChangeOut(Schema):
    at: LocalDateTime
    by: str
    kind: str = Field(description="登记、修改或删除")
    reason: FreeText
    changes: list[FieldChangeOut]


class RiskAreaOut(Schema):
    id: int
    division_code: str
    division_name: str
    place: str
    level: str
    level_label: str
    effective_from: dt.date
    effective_to: dt.date | None
    source: str
    history: list[RiskAreaChangeOut] = Field(description="变更历史，最新的在前")


def _risk_area(area: RiskArea) -> dict[str, Any]:
    return {
        "id": area.pk,
        "division_code": area.division_code,
        "division_name": area.division_name,
        "place": area.place,
        "level": area.level,
        "level_label": risk_word_label(area.level),
        "effective_from": area.effective_from,
        "effective_to": area.effective_to,
        "source": area.source,
        "history": [
            {
                "at": h.at,
                "by": h.by,
                "kind": h.kind,
                "reason": h.reason,
                "changes": [
                    {"field": c.label, "before": c.before, "after": c.after} for c in h.changes
                ],
            }
            for h in selectors.risk_area_history(area=area)
        ],
    }


@router.get(
    "/mobility/risk-areas/{risk_area_id}",
    response=RiskAreaOut,
    auth=SESSION,
    summary="风险区域的一条登记及其变更历史（谁、何时、改了什么、理由）",
)
def risk_area_get(request: HttpRequest, risk_area_id: int) -> Any:
    return _risk_area(selectors.risk_area_get(scope=scope(request), risk_area_id=risk_area_id))


@router.patch(
    "/mobility/risk-areas/{risk_area_id}",
    response={200: RiskAreaOut, 422: FieldErrors},
    auth=SESSION,
    summary="修改风险区域的一条登记（须写理由；执行中的计划须预览并确认风险区域变化后才更新）",
)
def risk_area_edit(request: HttpRequest, risk_area_id: int, payload: RiskAreaPatch) -> Any:
    caller = scope(request)
    area = selectors.risk_area_get(scope=caller, risk_area_id=risk_area_id)
    given = payload.dict(exclude_unset=True)
    try:
        services.risk_area_edit(
            scope=caller,
            area=area,
            edit=services.RiskAreaEdit(
                given.get("place", area.place),
                given.get("level", area.level),
                given.get("effective_from", area.effective_from),
                given.get("effective_to", area.effective_to),
                given.get("source", area.source),
            ),
            reason=payload.reason,
            by=request.user,  # type: ignore[arg-type]
            at=timezone.now(),
        )
    except DjangoValidationError as exc:
        return field_errors(exc)
    return _risk_area(area)


class CommunityReturnOut(Schema):
    name: str
    enterprise: str
    arrived_at: LocalDateTime
    stays: list[str] = Field(description="旅居地点")
    closed: bool
    state: str = Field(description="管理中或已解除")


class FiledVisitorOut(Schema):
    enterprise: str
    arrives_at: LocalDateTime
    origin_name: str
    category: str


class CommunityOut(Schema):
    returns: list[CommunityReturnOut]
    visitors: list[FiledVisitorOut]


@router.get(
    "/mobility/community",
    response=CommunityOut,
    auth=SESSION,
    summary="社区联络员：居住在本社区（网格）的返岗人员与来访人员报备（B-2.2c、H-4.4）",
)
def community(request: HttpRequest) -> Any:
    caller = scope(request)
    return {
        "returns": selectors.community_return_rows(scope=caller),
        "visitors": selectors.community_visitor_rows(scope=caller),
    }


@router.get(
    "/mobility/parks/{jurisdiction_id}/visitors",
    response=list[FiledVisitorOut],
    auth=SESSION,
    summary="园区：本园区企业报备的来访人员（J-1.2.3）",
)
def park_visitors(request: HttpRequest, jurisdiction_id: int) -> Any:
    caller = scope(request)
    park = selectors.park_for_visitors(scope=caller, jurisdiction_id=jurisdiction_id)
    return selectors.park_visitor_rows(scope=caller, park=park)


class VisitorIn(Schema):
    host_id: int | None = Field(default=None, ge=1, le=DB_ID_MAX, description="接待人（员工编号）")
    purpose: str = Field(max_length=100)
    origin_code: str = Field(max_length=12)
    arrives_at: LocalDateTime


class VisitorOut(Schema):
    id: int
    state: str
    origin_name: str
    arrives_at: LocalDateTime
    category: str
    filed: bool
    buffer_needed: bool
    buffer: str | None
    earliest_entry: LocalDateTime | None
    pass_valid_from: LocalDateTime | None = Field(
        description="临时通行证有效起（未签发或已作废为空）"
    )
    pass_valid_until: LocalDateTime | None = Field(description="临时通行证有效止")
    link_token: str | None = Field(description="来访人员填写链接的令牌（仅登记人和防疫专员可见）")


class VisitorFillIn(Schema):
    name: str = Field(max_length=50)
    phone: str = Field(max_length=11)
    stays: list[StopIn] = Field(max_length=20)
    certificates: list[CertIn] = Field(default=[], max_length=10)


class VisitorPassIn(Schema):
    departs_at: LocalDateTime | None = Field(description="预计离开时间（通行证有效止）")


class VisitorPassOut(Schema):
    visitor_id: int
    code: str = Field(description="通行证二维码的内容（门岗扫码查验）")
    valid_from: LocalDateTime
    valid_until: LocalDateTime
    negative_sampled_at: LocalDateTime | None


def _visitor(visitor: Visitor, token: str | None) -> dict[str, Any]:
    issued = visitors.visitor_pass(visitor)
    return {
        "id": visitor.pk,
        "state": visitor.state,
        "origin_name": visitor.origin_name,
        "arrives_at": visitor.arrives_at,
        "category": visitor.category,
        "filed": visitor.filed,
        "buffer_needed": visitor.buffer_needed,
        "buffer": visitor.buffer.name if visitor.buffer else None,
        "earliest_entry": visitor.earliest_entry,
        "pass_valid_from": issued.valid_from if issued else None,
        "pass_valid_until": issued.valid_until if issued else None,
        "link_token": token,
    }


@router.post(
    "/mobility/visitors",
    response={201: VisitorOut, 404: FieldErrors, 422: FieldErrors},
    auth=SESSION,
    summary="登记来访人员（接待人本人，或防疫专员指定接待人；J-1.2）",
)
def visitor_register(request: HttpRequest, payload: VisitorIn) -> Any:
    caller = scope(request)
    host = (
        visible(caller, Person).filter(pk=payload.host_id).first()
        if payload.host_id
        else selectors.my_person(scope=caller)
    )
    try:
        visitor = visitors.visitor_register(
            scope=caller,
            host=host,
            purpose=payload.purpose,
            origin_code=payload.origin_code,
            arrives_at=payload.arrives_at,
            by=request.user,  # type: ignore[arg-type]
            at=timezone.now(),
        )
    except DjangoValidationError as exc:
        return field_errors(exc)
    return Status(201, _visitor(visitor, visitors.visitor_link(visitor)))


@router.get(
    "/mobility/visitors/{visitor_id}", response=VisitorOut, auth=SESSION, summary="来访人员"
)
def visitor_get(request: HttpRequest, visitor_id: int) -> Any:
    caller = scope(request)
    visitor = selectors.visitor_get(scope=caller, visitor_id=visitor_id)
    mine = can(caller, "manage_visitors", visitor.host) and visitor.state == "registered"
    return _visitor(visitor, visitors.visitor_link(visitor) if mine else None)


@router.post(
    "/mobility/visitors/{visitor_id}/pass",
    response={201: VisitorPassOut, 422: FieldErrors},
    auth=SESSION,
    summary="签发来访人员临时通行证（防疫专员；重新签发作废原通行证）",
)
def visitor_pass_issue(request: HttpRequest, visitor_id: int, payload: VisitorPassIn) -> Any:
    caller = scope(request)
    visitor = selectors.visitor_get(scope=caller, visitor_id=visitor_id)
    try:
        issued = visitors.visitor_pass_issue(
            scope=caller,
            visitor=visitor,
            departs_at=payload.departs_at,
            at=timezone.now(),
            by=request.user,  # type: ignore[arg-type]
        )
    except DjangoValidationError as exc:
        return field_errors(exc)
    return Status(
        201,
        {
            "visitor_id": visitor.pk,
            "code": tokens.temporary_code(issued.serial),
            "valid_from": issued.valid_from,
            "valid_until": issued.valid_until,
            "negative_sampled_at": issued.negative_sampled_at,
        },
    )


@router.post(
    "/mobility/visitors/{visitor_id}/cancel",
    response={200: VisitorOut, 422: FieldErrors},
    auth=SESSION,
    summary="取消来访（接待人或防疫专员；通行证随之作废）",
)
def visitor_cancel(request: HttpRequest, visitor_id: int) -> Any:
    caller = scope(request)
    visitor = selectors.visitor_get(scope=caller, visitor_id=visitor_id)
    try:
        visitor = visitors.visitor_cancel(
            scope=caller,
            visitor=visitor,
            at=timezone.now(),
            by=request.user,  # type: ignore[arg-type]
        )
    except DjangoValidationError as exc:
        return field_errors(exc)
    return _visitor(visitor, None)


@router.get(
    "/mobility/enterprises/{enterprise_id}/visitors",
    response=list[VisitorOut],
    auth=SESSION,
    summary="企业来访人员",
)
def enterprise_visitors(request: HttpRequest, enterprise_id: int) -> Any:
    caller = scope(request)
    enterprise = selectors.enterprise_for_mobility(scope=caller, enterprise_id=enterprise_id)
    return [
        _visitor(v, None)
        for v in selectors.visitors_of_enterprise(scope=caller, enterprise=enterprise)[:500]
    ]


@router.get(
    "/mobility/visitor-links/{token}",
    response={200: dict[str, Any], 404: dict[str, Any], 422: FieldErrors, 429: dict[str, Any]},
    auth=None,
    summary="来访人员本人查看：须完成的事项、最早进厂时间、临时通行证（无须登录）",
)
def visitor_own(
    request: HttpRequest,
    # A signed link token is about a hundred characters; anything far longer is no token.
    token: str = Path(..., max_length=300),
) -> Any:
    try:
        visitor = visitors.visitor_from_token(token=token, at=timezone.now())
    except visitors.LinkBusy:
        return Status(429, {"detail": visitors.LINK_BUSY})
    if visitor is None:
        return Status(404, {"detail": visitors.LINK_INVALID})
    return {"state": visitor.state, **visitors.visitor_view(visitor)}


@router.post(
    "/mobility/visitor-links/{token}/details",
    response={201: dict[str, Any], 404: dict[str, Any], 422: FieldErrors, 429: dict[str, Any]},
    auth=None,
    summary="来访人员本人填写（无须登录；签名、有时效、限频的链接令牌）",
)
def visitor_fill(request: HttpRequest, token: str, payload: VisitorFillIn) -> Any:
    try:
        visitor = visitors.visitor_from_token(token=token, at=timezone.now())
    except visitors.LinkBusy:
        return Status(429, {"detail": visitors.LINK_BUSY})
    if visitor is None:
        return Status(404, {"detail": visitors.LINK_INVALID})
    try:
        visitors.visitor_fill(
            visitor=visitor,
            name=payload.name,
            phone=payload.phone,
            stays=[
                services.StayDeclared(s.division_code, s.first_day, s.last_day, s.transit)
                for s in payload.stays
            ],
            certificates=[(c.sampled_at, c.result) for c in payload.certificates],
            at=timezone.now(),
        )
    except DjangoValidationError as exc:
        return field_errors(exc)
    return Status(201, visitors.visitor_view(visitor))


class ChangeIn(Schema):
    kind: str = Field(
        max_length=12, description="version 新版本 / params 参数 / risk_areas 风险区域"
    )
    pack_id: str = Field(default="", max_length=100)
    version: int | None = Field(default=None, ge=1, le=DB_ID_MAX)
    params: dict[str, int | float | bool | str] = Field(default={})
    description: str = Field(default="", max_length=200)


def _change(payload: ChangeIn) -> impact.Change:
    return impact.Change(
        kind=payload.kind,
        pack_id=payload.pack_id,
        version=payload.version,
        params=payload.params,
        description=payload.description,
    )


@router.post(
    "/mobility/parks/{jurisdiction_id}/impact",
    response={200: dict[str, Any], 422: FieldErrors},
    auth=SESSION,
    summary="预览政策变化对执行中计划的影响",
)
def impact_preview(request: HttpRequest, jurisdiction_id: int, payload: ChangeIn) -> Any:
    caller = scope(request)
    park = selectors.park_for_impact(scope=caller, jurisdiction_id=jurisdiction_id)
    try:
        found = impact.impact_preview(
            scope=caller, park=park, change=_change(payload), at=timezone.now()
        )
    except DjangoValidationError as exc:
        return field_errors(exc)
    return {
        "summary": found.summary(),
        "rows": [
            {
                "person_id": r.person_id,
                "name": r.name,
                "appear": r.appear,
                "move": [list(m) for m in r.move],
                "disappear": r.disappear,
                "entry_before": r.entry_before,
                "entry_after": r.entry_after,
            }
            for r in found.rows
        ],
        "visitors": [
            {
                "visitor_id": v.visitor.pk,
                "enterprise": v.visitor.enterprise.name,
                "origin": v.visitor.origin_name,
                "arrives_at": v.visitor.arrives_at,
                "appear": v.appear,
                "move": [list(m) for m in v.move],
                "disappear": v.disappear,
                "entry_before": v.entry_before,
                "entry_after": v.entry_after,
                "pass_revoked": v.pass_revoked,
            }
            for v in found.visitors
        ],
    }


@router.post(
    "/mobility/parks/{jurisdiction_id}/impact/confirm",
    response={201: dict[str, Any], 422: FieldErrors},
    auth=SESSION,
    summary="确认政策变化：更新计划（旧计划保留）并通知相关人员",
)
def impact_confirm(request: HttpRequest, jurisdiction_id: int, payload: ChangeIn) -> Any:
    caller = scope(request)
    park = selectors.park_for_impact(scope=caller, jurisdiction_id=jurisdiction_id)
    try:
        record = impact.impact_confirm(
            scope=caller,
            park=park,
            change=_change(payload),
            by=request.user,  # type: ignore[arg-type]
            at=timezone.now(),
        )
    except DjangoValidationError as exc:
        return field_errors(exc)
    return Status(201, {"id": record.pk, "summary": record.summary})
