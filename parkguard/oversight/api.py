"""JSON API of oversight: the rectification ledger, and its replies and decisions (Z-6, J-2.4).

Evidence in a JSON reply is base64 photos, checked like uploads (size, type from the bytes).
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Router, Schema, Status

from parkguard.api.auth import SessionScope, scope
from parkguard.lib.api_datetimes import LocalDateTime
from parkguard.lib.api_errors import FieldErrors, error_at, field_errors
from parkguard.lib.free_text import FreeText
from parkguard.orgs.access import (
    NOT_ALLOWED,
    Scope,
    assessment_cadres,
    can,
    get_visible_or_404,
    scope_of,
)
from parkguard.orgs.models import Enterprise, Jurisdiction
from parkguard.oversight import assessment, selectors, services
from parkguard.oversight.choices import (
    ApplicationKind,
    ApplicationStatus,
    CaseChannel,
    CaseKind,
    ParticipantsOrigin,
    RectificationStatus,
)
from parkguard.oversight.models import (
    Application,
    HotlineCase,
    Inspection,
    Plan,
    Rectification,
)
from parkguard.oversight.photos import PHOTO_BAD_TYPE, photos_check

router = Router(tags=["督查整改"])
SESSION = SessionScope(scope_of)


class RectificationOut(Schema):
    id: int
    enterprise_id: int
    enterprise: str
    problem: str
    basis: dict[str, Any] = Field(description="依据：规则包、文件号、条款、要求编号")
    owner_name: str
    deadline: dt.date
    status: RectificationStatus
    overdue: bool
    refusals: int
    reported_at: LocalDateTime | None
    report_deadline: dt.date | None


class InspectionOut(Schema):
    id: int
    enterprise_id: int
    planned_on: dt.date
    status: str
    checklist: list[dict[str, Any]]


class ReplyIn(Schema):
    text: str = Field(max_length=2000, description="整改情况")
    evidence: list[str] = Field(
        default=[], max_length=6, description="佐证照片（base64 编码的 JPEG/PNG/WebP）"
    )


class RectificationDecisionIn(Schema):
    note: str = Field(default="", max_length=200, description="复核意见或退回理由")
    deadline: dt.date | None = Field(default=None, description="退回时新的整改期限；上报时的限期")


def _out(item: Rectification, today: dt.date) -> dict[str, Any]:
    return {
        "id": item.pk,
        "enterprise_id": item.enterprise_id,
        "enterprise": item.enterprise.name,
        "problem": item.finding.description,
        "basis": item.finding.citation,
        "owner_name": item.owner_name,
        "deadline": item.deadline,
        "status": item.status,
        "overdue": item.status != RectificationStatus.CLOSED and item.deadline < today,
        "refusals": item.refusals,
        "reported_at": item.reported_at,
        "report_deadline": item.report_deadline,
    }


T = TypeVar("T")


def _park(request: HttpRequest, jurisdiction_id: int) -> tuple[Scope, Jurisdiction]:
    """The caller and the park a list is of: a park the caller oversees, else 404."""
    caller = scope(request)
    return caller, get_visible_or_404(caller, Jurisdiction, "oversee", pk=jurisdiction_id)


def _listed(rows: Iterable[T], shape: Callable[[T], dict[str, Any]]) -> list[dict[str, Any]]:
    """A list answer: each row shaped for its schema."""
    return [shape(row) for row in rows]


def _item(request: HttpRequest, rectification_id: int) -> Rectification:
    return get_visible_or_404(
        scope(request),
        Rectification.objects.select_related("enterprise", "finding__inspection"),
        pk=rectification_id,
    )


@router.get(
    "/oversight/parks/{jurisdiction_id}/rectifications",
    response=list[RectificationOut],
    auth=SESSION,
    summary="园区整改台账",
)
def park_ledger(request: HttpRequest, jurisdiction_id: int, status: str = "") -> Any:
    caller, park = _park(request, jurisdiction_id)
    today = timezone.localdate()
    rows = selectors.ledger(scope=caller, park=park, status=status)[:1000]
    return _listed(rows, lambda r: _out(r, today))


@router.get(
    "/oversight/inspections/{inspection_id}",
    response=InspectionOut,
    auth=SESSION,
    summary="一次督查及其检查清单",
)
def inspection_get(request: HttpRequest, inspection_id: int) -> Any:
    visit = get_visible_or_404(scope(request), Inspection, pk=inspection_id)
    return {
        "id": visit.pk,
        "enterprise_id": visit.enterprise_id,
        "planned_on": visit.planned_on,
        "status": visit.status,
        "checklist": visit.checklist,
    }


@router.get(
    "/oversight/rectifications/{rectification_id}",
    response=RectificationOut,
    auth=SESSION,
    summary="一条整改项",
)
def rectification_get(request: HttpRequest, rectification_id: int) -> Any:
    return _out(_item(request, rectification_id), timezone.localdate())


def _photos(items: list[str]) -> list[Any]:
    files = []
    for text in items:
        try:
            files.append(ContentFile(base64.b64decode(text, validate=True)))
        except (binascii.Error, ValueError):
            raise ValidationError({"evidence": PHOTO_BAD_TYPE}) from None
    return photos_check(files, field="evidence")


@router.post(
    "/oversight/rectifications/{rectification_id}/reply",
    response={200: RectificationOut, 422: FieldErrors},
    auth=SESSION,
    summary="企业回复整改情况（须附佐证照片）",
)
def rectification_reply(request: HttpRequest, payload: ReplyIn, rectification_id: int) -> Any:
    item = _item(request, rectification_id)
    try:
        services.rectification_reply(
            scope=scope(request),
            rectification=item,
            text=payload.text,
            evidence=_photos(payload.evidence),
            at=timezone.now(),
            by=request.user,  # type: ignore[arg-type]
        )
    except ValidationError as exc:
        return field_errors(exc)
    item.refresh_from_db()
    return Status(200, _out(item, timezone.localdate()))


def _decision(
    request: HttpRequest, rectification_id: int, payload: RectificationDecisionIn, kind: str
) -> Any:
    item = _item(request, rectification_id)
    common: dict[str, Any] = {
        "scope": scope(request),
        "rectification": item,
        "at": timezone.now(),
        "by": request.user,
    }
    try:
        if kind == "close":
            services.rectification_close(note=payload.note, **common)
        elif kind == "reopen":
            services.rectification_reopen(reason=payload.note, deadline=payload.deadline, **common)
        else:
            services.rectification_report(note=payload.note, deadline=payload.deadline, **common)
    except ValidationError as exc:
        return field_errors(exc, names={"reason": "note"})
    item.refresh_from_db()
    return Status(200, _out(item, timezone.localdate()))


@router.post(
    "/oversight/rectifications/{rectification_id}/close",
    response={200: RectificationOut, 422: FieldErrors},
    auth=SESSION,
    summary="督查员复核销号",
)
def rectification_close(
    request: HttpRequest, payload: RectificationDecisionIn, rectification_id: int
) -> Any:
    return _decision(request, rectification_id, payload, "close")


@router.post(
    "/oversight/rectifications/{rectification_id}/reopen",
    response={200: RectificationOut, 422: FieldErrors},
    auth=SESSION,
    summary="督查员退回重新整改",
)
def rectification_reopen(
    request: HttpRequest, payload: RectificationDecisionIn, rectification_id: int
) -> Any:
    return _decision(request, rectification_id, payload, "reopen")


@router.post(
    "/oversight/rectifications/{rectification_id}/report",
    response={200: RectificationOut, 422: FieldErrors},
    auth=SESSION,
    summary="多次退回后上报专项工作组（J-2.4）",
)
def rectification_report(
    request: HttpRequest, payload: RectificationDecisionIn, rectification_id: int
) -> Any:
    return _decision(request, rectification_id, payload, "report")


# --- approvals ------------------------------------------------------------------------------
class ApplicationIn(Schema):
    kind: ApplicationKind = Field(
        description="business_event 商务活动、gathering 聚集性活动、resumption 复工复产"
    )
    title: str = Field(max_length=100)
    starts_at: LocalDateTime = Field(description="开始时间")
    headcount: int = Field(ge=0, le=1_000_000, description="人数")
    participants_origin: ParticipantsOrigin = Field(description="参与人员中最远的来源")
    plan: str = Field(default="", max_length=20000, description="防控方案和应急预案")


class ApplicationOut(Schema):
    id: int
    enterprise_id: int
    kind: str
    title: str
    starts_at: LocalDateTime
    headcount: int
    status: ApplicationStatus
    route: dict[str, Any] = Field(description="审批机关、申请期限、须附方案及全部依据")


class ApplicationDecisionIn(Schema):
    approve: bool
    note: str = Field(default="", max_length=200)


def _application_out(item: Application) -> dict[str, Any]:
    return {
        "id": item.pk,
        "enterprise_id": item.enterprise_id,
        "kind": item.kind,
        "title": item.title,
        "starts_at": item.starts_at,
        "headcount": item.headcount,
        "status": item.status,
        "route": item.route,
    }


@router.post(
    "/oversight/enterprises/{enterprise_id}/applications",
    response={201: ApplicationOut, 422: FieldErrors},
    auth=SESSION,
    summary="提交商务活动、聚集性活动或复工申请（按规则包确定审批路线）",
)
def application_submit(request: HttpRequest, enterprise_id: int, payload: ApplicationIn) -> Any:
    caller = scope(request)
    firm = get_visible_or_404(caller, Enterprise, pk=enterprise_id)
    try:
        item = services.application_submit(
            scope=caller,
            enterprise=firm,
            at=timezone.now(),
            by=request.user,  # type: ignore[arg-type]
            **payload.model_dump(),
        )
    except ValidationError as exc:
        return field_errors(exc)
    return Status(201, _application_out(item))


@router.get(
    "/oversight/applications/{application_id}",
    response=ApplicationOut,
    auth=SESSION,
    summary="一项申请及其审批路线",
)
def application_get(request: HttpRequest, application_id: int) -> Any:
    return _application_out(get_visible_or_404(scope(request), Application, pk=application_id))


@router.post(
    "/oversight/applications/{application_id}/decision",
    response={200: ApplicationOut, 422: FieldErrors},
    auth=SESSION,
    summary="审批路线上的审批人记录审批结果",
)
def application_decide(
    request: HttpRequest, application_id: int, payload: ApplicationDecisionIn
) -> Any:
    caller = scope(request)
    item = get_visible_or_404(caller, Application, pk=application_id)
    try:
        services.application_decide(
            scope=caller,
            application=item,
            approve=payload.approve,
            note=payload.note,
            at=timezone.now(),
            by=request.user,  # type: ignore[arg-type]
        )
    except ValidationError as exc:
        return field_errors(exc)
    item.refresh_from_db()
    return Status(200, _application_out(item))


# --- plans (Z-4.1) -----------------------------------------------------------------------
class PlanIn(Schema):
    title: str = Field(max_length=100, description="预案名称")
    sections: dict[str, str] = Field(
        description="各章节正文，键为规则包给出的章节编号，如 zhengyang-2022-20-plans:ent-warning"
    )


class PlanOut(Schema):
    id: int
    enterprise_id: int | None
    kind: str
    version: int
    title: str
    status: str
    sections: list[dict[str, Any]] = Field(description="章节：编号、标题、依据、正文")
    decision_note: FreeText


def _plan_out(item: Plan) -> dict[str, Any]:
    return {
        "id": item.pk,
        "enterprise_id": item.enterprise_id,
        "kind": item.kind,
        "version": item.version,
        "title": item.title,
        "status": item.status,
        "sections": item.sections,
        "decision_note": item.decision_note,
    }


@router.post(
    "/oversight/enterprises/{enterprise_id}/plans",
    response={201: PlanOut, 422: FieldErrors},
    auth=SESSION,
    summary="企业提交“一企一策”预案的新版本（缺少规则包规定的章节即拒绝）",
)
def plan_submit(request: HttpRequest, enterprise_id: int, payload: PlanIn) -> Any:
    caller = scope(request)
    firm = get_visible_or_404(caller, Enterprise, pk=enterprise_id)
    try:
        item = services.plan_submit(
            scope=caller,
            park=firm.jurisdiction,
            enterprise=firm,
            title=payload.title,
            texts=payload.sections,
            at=timezone.now(),
            by=request.user,  # type: ignore[arg-type]
        )
    except ValidationError as exc:
        return field_errors(exc)
    return Status(201, _plan_out(item))


@router.get("/oversight/plans/{plan_id}", response=PlanOut, auth=SESSION, summary="一份预案")
def plan_get(request: HttpRequest, plan_id: int) -> Any:
    return _plan_out(get_visible_or_404(scope(request), Plan, pk=plan_id))


@router.post(
    "/oversight/plans/{plan_id}/decision",
    response={200: PlanOut, 422: FieldErrors},
    auth=SESSION,
    summary="园区批准预案或退回修改（退回须写意见）",
)
def plan_decide(request: HttpRequest, plan_id: int, payload: ApplicationDecisionIn) -> Any:
    caller = scope(request)
    item = get_visible_or_404(caller, Plan, pk=plan_id)
    try:
        services.plan_decide(
            scope=caller,
            plan=item,
            approve=payload.approve,
            note=payload.note,
            at=timezone.now(),
            by=request.user,  # type: ignore[arg-type]
        )
    except ValidationError as exc:
        return field_errors(exc)
    item.refresh_from_db()
    return Status(200, _plan_out(item))


# --- readiness (J-2.5) ---------------------------------------------------------------------
class PointOut(Schema):
    text: FreeText
    met: bool
    applies: bool
    evidence: str
    link: str
    basis: str
    requirement: str


class ReadinessOut(Schema):
    enterprise_id: int
    enterprise: str
    whitelisted: bool
    met: int
    total: int
    percent: int
    points: list[PointOut]


@router.get(
    "/oversight/parks/{jurisdiction_id}/readiness",
    response=list[ReadinessOut],
    auth=SESSION,
    summary="“无疫工厂”评分：各企业每项的证据和依据，按达标率排序",
)
def park_readiness(request: HttpRequest, jurisdiction_id: int) -> Any:
    caller, park = _park(request, jurisdiction_id)
    now = timezone.now()
    rows = selectors.readiness_board(scope=caller, park=park, on=timezone.localdate(now), at=now)
    return _listed(rows, _readiness_out)


def _readiness_out(r: selectors.Readiness) -> dict[str, Any]:
    return {
        "enterprise_id": r.enterprise.pk,
        "enterprise": r.enterprise.name,
        "whitelisted": r.enterprise.whitelisted,
        "met": r.met,
        "total": r.total,
        "percent": r.percent,
        "points": [vars(p) for p in r.points],
    }


# --- hotline (B-3, L-3.1) ------------------------------------------------------------------
class CaseIn(Schema):
    kind: CaseKind = Field(description="report 举报、request 诉求、policy 政策咨询")
    channel: CaseChannel = Field(
        default=CaseChannel.PHONE, description="phone 热线电话、visit 来访"
    )
    caller_name: str = Field(default="", max_length=50)
    caller_phone: str = Field(default="", max_length=20)
    about_id: int | None = Field(default=None, description="所涉企业（本园区）")
    subject: str = Field(max_length=100)
    text: str = Field(max_length=5000)


class CaseOut(Schema):
    id: int
    jurisdiction_id: int
    enterprise_id: int | None
    kind: str
    subject: FreeText
    status: str
    received_at: LocalDateTime
    due_by: LocalDateTime | None
    overdue: bool
    minutes: int | None = Field(description="从受理到答复（未答复时到现在）的分钟数")
    answer: FreeText
    caller_phone: str = Field(description="联系电话（遮盖）")


class AnswerIn(Schema):
    answer: str = Field(max_length=5000)


def _case_out(case: HotlineCase) -> dict[str, Any]:
    row = selectors.case_row(case, timezone.now())
    return {
        "id": case.pk,
        "jurisdiction_id": case.jurisdiction_id,
        "enterprise_id": case.enterprise_id,
        "kind": case.kind,
        "subject": case.subject,
        "status": case.status,
        "received_at": case.received_at,
        "due_by": case.due_by,
        "overdue": row.overdue,
        "minutes": row.minutes,
        "answer": case.answer,
        "caller_phone": case.caller_phone_masked,
    }


@router.get(
    "/oversight/hotline", response=list[CaseOut], auth=SESSION, summary="热线与诉求（逾期标出）"
)
def hotline_list(request: HttpRequest, status: str = "", overdue: bool = False) -> Any:
    rows = selectors.hotline_cases(
        scope=scope(request), at=timezone.now(), status=status, overdue_only=overdue
    )
    return _listed(rows, lambda r: _case_out(r.case))


@router.post(
    "/oversight/parks/{jurisdiction_id}/hotline",
    response={201: CaseOut, 422: FieldErrors},
    auth=SESSION,
    summary="园区登记热线来电或来访（答复时限按规则包）",
)
def hotline_record(request: HttpRequest, jurisdiction_id: int, payload: CaseIn) -> Any:
    caller, park = _park(request, jurisdiction_id)
    about = (
        get_visible_or_404(caller, Enterprise, pk=payload.about_id, jurisdiction=park)
        if payload.about_id
        else None
    )
    try:
        case = services.case_record(
            scope=caller,
            park=park,
            enterprise=None,
            about=about,
            kind=payload.kind,
            channel=payload.channel,
            caller_name=payload.caller_name,
            caller_phone=payload.caller_phone,
            subject=payload.subject,
            text=payload.text,
            at=timezone.now(),
            by=request.user,  # type: ignore[arg-type]
        )
    except ValidationError as exc:
        return field_errors(exc)
    return Status(201, _case_out(case))


@router.get(
    "/oversight/hotline/{case_id}", response=CaseOut, auth=SESSION, summary="一件来电或诉求"
)
def hotline_get(request: HttpRequest, case_id: int) -> Any:
    return _case_out(get_visible_or_404(scope(request), HotlineCase, pk=case_id))


@router.post(
    "/oversight/hotline/{case_id}/answer",
    response={200: CaseOut, 422: FieldErrors},
    auth=SESSION,
    summary="承办人或园区管理员答复",
)
def hotline_answer(request: HttpRequest, case_id: int, payload: AnswerIn) -> Any:
    caller = scope(request)
    case = get_visible_or_404(caller, HotlineCase, pk=case_id)
    try:
        services.case_answer(
            scope=caller,
            case=case,
            answer=payload.answer,
            at=timezone.now(),
            by=request.user,  # type: ignore[arg-type]
        )
    except ValidationError as exc:
        return field_errors(exc)
    case.refresh_from_db()
    return Status(200, _case_out(case))


# --- the annual assessment of park cadres (Z-6) ----------------------------------------------
class AssessmentFigureOut(Schema):
    key: str
    label: str
    value: int
    requirement: str = Field(description="服务的条款（要求编号）")
    clause: str
    evidence: str = Field(description="所计记录的清单页面")


class AssessmentOut(Schema):
    cadre_id: int
    cadre: str
    year: int
    enterprises: list[str]
    figures: list[AssessmentFigureOut]
    on_time_percent: int | None
    readiness_trend: list[int | None] = Field(description="1–12 月包联企业“无疫工厂”评分均值")
    grade: str | None = Field(description="参考等次（园区采用考核规则包时）")
    grade_reasons: list[str]
    note: FreeText


def _assessment_out(r: Any) -> dict[str, Any]:
    return {
        "cadre_id": r.cadre.pk,
        "cadre": r.name,
        "year": r.year,
        "enterprises": [e.name for e in r.enterprises],
        "figures": [
            {
                "key": f.spec.key,
                "label": f.spec.label,
                "value": f.value,
                "requirement": f.spec.requirement,
                "clause": f.spec.clause,
                "evidence": f.link,
            }
            for f in r.figures
        ],
        "on_time_percent": r.on_time_percent,
        "readiness_trend": r.trend,
        "grade": r.grade.label if r.grade else None,
        "grade_reasons": r.grade.reasons if r.grade else [],
        "note": r.note,
    }


@router.get(
    "/oversight/parks/{jurisdiction_id}/assessment",
    response={200: list[AssessmentOut], 422: FieldErrors},
    auth=SESSION,
    summary="包企干部年度考核（干部只看到本人；园区管理员看到本园区全部干部）",
)
def park_assessment(request: HttpRequest, jurisdiction_id: int, year: str = "") -> Any:
    caller, park = _park(request, jurisdiction_id)
    cadres = assessment_cadres(caller, park)
    if not can(caller, "assess_cadres", park) and not cadres.exists():
        raise PermissionDenied(NOT_ALLOWED)
    today = timezone.localdate()
    try:
        chosen = assessment.year_parse(year, park=park, today=today)
    except ValueError as exc:
        return error_at(["query", "year"], str(exc))
    rows = assessment.assessment(scope=caller, park=park, cadres=cadres, year=chosen, today=today)
    return Status(200, _listed(rows, _assessment_out))
