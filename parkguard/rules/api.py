"""JSON API of the rule packs: list them, explain one, and every engine function (plan,
evaluate, route, schedule, deadlines, gate, zone, diff) for given facts, with citations."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Router, Schema
from ninja.responses import Status
from pydantic import ValidationError as PydanticError

from parkguard.api.auth import scope
from parkguard.lib.api_datetimes import LocalDateTime, LocalTimes
from parkguard.lib.api_errors import FieldErrors, error_at, field_errors, translate
from parkguard.orgs.access import get_visible_or_404
from parkguard.orgs.models import Jurisdiction
from parkguard.orgs.selectors import parks_of
from parkguard.policy import Pack, PackIssue, PlanRequest, PolicyInputError, Records, explain
from parkguard.policy.diff import diff_packs
from parkguard.policy.requests import (
    DeadlinesRequest,
    EvaluateRequest,
    GateRequest,
    RouteRequest,
    ScheduleRequest,
    ZoneRequest,
)
from parkguard.rules import selectors, services
from parkguard.rules.models import UploadedPack
from parkguard.rules.registry import registry
from parkguard.rules.selectors import DRAFT_LABEL, input_error

PACK_TEXT_MAX = 512 * 1024  # characters of one pack file: a request-size bound, not policy

router = Router(tags=["规则包"])


class PackOut(Schema):
    id: str
    version: int
    title: str
    document_number: str
    issuer: str
    jurisdiction: str
    effective_from: dt.date
    effective_to: dt.date | None
    status: str
    day_numbering: str = Field(description="日序约定，如 arrival_day_is_1：到达当日为第1天")
    in_force_today: bool
    requirements: list[str] = Field(description="规则包引用的要求编号（REQUIREMENTS.md）")
    rule_count: int
    parameters: dict[str, Any] = Field(description="留给园区设定的参数及其说明")


class PackDetailOut(PackOut):
    explanation: list[str] = Field(description="逐条规则的中文说明与出处")


class PlanIn(LocalTimes, PlanRequest):
    """The facts of a person's arrival; with `records` and `at`, the plan's status too."""

    records: Records | None = Field(None, description="已记录的检测与申报（用于评估计划完成情况）")
    at: LocalDateTime | None = Field(None, description="评估时刻（与 records 一同提供）")


class EvaluateIn(LocalTimes, EvaluateRequest):
    pass


class RouteIn(LocalTimes, RouteRequest):
    pass


class ScheduleIn(LocalTimes, ScheduleRequest):
    pass


class DeadlinesIn(LocalTimes, DeadlinesRequest):
    pass


class GateIn(LocalTimes, GateRequest):
    pass


class ZoneIn(LocalTimes, ZoneRequest):
    pass


def _input_refused(exc: PolicyInputError, *prefix: str) -> Status[dict[str, Any]]:
    """The engine's refusal of a field as a 422 at that field, below `prefix` in the body."""
    return error_at([*prefix, *[p for p in exc.path.split(".") if p]], input_error(exc))


def _pack_out(pack: Pack, cls: type[PackOut] = PackOut, **extra: Any) -> Any:
    meta = pack.meta
    return cls(
        id=meta.id,
        version=meta.version,
        title=meta.title,
        document_number=meta.document_number,
        issuer=meta.issuer,
        jurisdiction=meta.jurisdiction,
        effective_from=meta.effective_from,
        effective_to=meta.effective_to,
        status=meta.status,
        day_numbering=meta.day_numbering,
        in_force_today=registry().is_in_force(pack, timezone.localdate()),
        requirements=list(pack.requirements()),
        rule_count=len(pack.rules),
        parameters={k: v.model_dump(exclude_none=True) for k, v in pack.parameters.items()},
        **extra,
    )


@router.get("/policy/packs", response=list[PackOut], summary="全部规则包（各版本）")
def pack_list(request: HttpRequest) -> list[PackOut]:
    return [_pack_out(p) for p in registry().packs()]


@router.get(
    "/policy/packs/{pack_id}",
    response={200: PackDetailOut, 404: FieldErrors},
    summary="规则包在某日生效的版本及逐条说明",
)
def pack_detail(request: HttpRequest, pack_id: str, on: dt.date | None = None) -> Any:
    try:
        pack = selectors.pack_for(pack_id=pack_id, version=None, on=on or timezone.localdate())
    except PolicyInputError as exc:
        return error_at(["path", "pack_id"], input_error(exc), status=404)
    return _pack_out(pack, PackDetailOut, explanation=explain(pack))


@router.post(
    "/policy/plan",
    response={200: dict[str, Any], 422: FieldErrors},
    summary="按规则包计算到达人员的防控计划（带出处）",
)
def plan(request: HttpRequest, payload: PlanIn) -> Any:
    """Facts in, plan out: obligations with due times, phases, test days, earliest entry.

    Every rule, obligation and phase carries its citation (pack, version, document number,
    requirement ID, clause). With `records` and `at`, `status` says what is done, due or
    overdue and whether the person may enter now.
    """
    facts = PlanRequest.model_validate(payload.model_dump(exclude={"records", "at"}))
    if not facts.params:
        # The caller's park's values for what the notice leaves to the locality.
        params = selectors.park_params(scope=scope(request), pack_id=facts.pack)
        facts = facts.model_copy(update={"params": params})
    try:
        return selectors.plan_preview(request=facts, records=payload.records, at=payload.at)
    except PolicyInputError as exc:
        return _input_refused(exc, "body", "payload")


# --- every engine function (issue 10 §2) ------------------------------------------------
def _with_park_params(request: HttpRequest, payload: Any) -> Any:
    """The caller's park's parameter values when the body gives none."""
    if getattr(payload, "params", None) or not hasattr(payload, "pack"):
        return payload
    params = selectors.park_params(scope=scope(request), pack_id=payload.pack)
    return payload.model_copy(update={"params": params})


def _engine(request: HttpRequest, command: str, payload: Any) -> Any:
    try:
        return selectors.engine_run_request(
            command=command, request=_with_park_params(request, payload)
        )
    except PolicyInputError as exc:
        return _input_refused(exc, "body", "payload")


_RESPONSES: dict[int, Any] = {200: dict[str, Any], 422: FieldErrors}


@router.post("/policy/evaluate", response=_RESPONSES, summary="计划完成情况与能否进厂（带出处）")
def evaluate(request: HttpRequest, payload: EvaluateIn) -> Any:
    """A plan and, given the recorded tests, notices and documents, its status at `at`."""
    return _engine(request, "evaluate", payload)


@router.post("/policy/route", response=_RESPONSES, summary="活动、外出、复工的审批路线（带出处）")
def route(request: HttpRequest, payload: RouteIn) -> Any:
    return _engine(request, "route", payload)


@router.post("/policy/schedule", response=_RESPONSES, summary="日常检测、测温、消杀排程（带出处）")
def schedule(request: HttpRequest, payload: ScheduleIn) -> Any:
    return _engine(request, "schedule", payload)


@router.post(
    "/policy/deadlines", response=_RESPONSES, summary="封控、疫情处置与每日报送时限（带出处）"
)
def deadlines(request: HttpRequest, payload: DeadlinesIn) -> Any:
    return _engine(request, "deadlines", payload)


@router.post("/policy/gate", response=_RESPONSES, summary="门岗查验项目（带出处）")
def gate(request: HttpRequest, payload: GateIn) -> Any:
    return _engine(request, "gate", payload)


@router.post("/policy/zone", response=_RESPONSES, summary="人员所属分区（带出处）")
def zone(request: HttpRequest, payload: ZoneIn) -> Any:
    return _engine(request, "zone", payload)


@router.get(
    "/policy/packs/{pack_id}/diff",
    response={200: dict[str, Any], 404: FieldErrors},
    summary="规则包两个版本之间的逐条差异（中文）",
)
def diff(request: HttpRequest, pack_id: str, old: int, new: int) -> Any:
    try:
        return selectors.engine_run(command="diff", body={"pack": pack_id, "old": old, "new": new})
    except PolicyInputError as exc:
        return error_at(["path", "pack_id"], input_error(exc), status=404)


# --- packs a park uploads, publishes and adopts (issue 10 §3) -----------------------------
class PackTextIn(Schema):
    file: str = Field("上传的规则包.yaml", max_length=200, description="文件名（用于错误定位）")
    text: str = Field(max_length=PACK_TEXT_MAX, description="规则包的 YAML 内容")


class IssueOut(Schema):
    file: str
    line: int | None = Field(description="行号（从 1 起）")
    path: str = Field(description="位置，如 rules[0].measures[1]")
    message: str = Field(description="中文说明（errors.py 中的常量）")
    detail: str


class PackCheckOut(Schema):
    valid: bool
    draft: bool = Field(True, description="草稿：只用于校验与预览，从不生效")
    label: str = DRAFT_LABEL
    pack: str | None = Field(None, description="id@version")
    issues: list[IssueOut]
    explanation: list[str]


class UploadOut(Schema):
    id: int
    pack: str = Field(description="id@version")
    title: str
    status: str = Field(description="draft 草稿（不生效）/ published 已发布")
    draft: bool
    label: str = Field(description="页面上的状态标签，草稿为“草稿，不生效”")
    digest: str = Field(description="发布后内容的 sha256 指纹；草稿为空")
    uploaded_by: str
    uploaded_at: LocalDateTime
    proposed_by: str | None
    proposed_at: LocalDateTime | None
    published_by: str | None
    published_at: LocalDateTime | None


class UploadDetailOut(UploadOut):
    issues: list[IssueOut]
    explanation: list[str]
    in_force: str | None = Field(description="今日现行的已发布版本（id@version）")
    changes: list[dict[str, Any]] = Field(description="与现行版本的逐条差异（中文）")


class PreviewIn(Schema):
    command: Literal["plan", "evaluate", "route", "schedule", "deadlines", "gate", "zone"]
    body: dict[str, Any] = Field(description="与 /policy/<command> 相同的请求体（pack 可省略）")


class AdoptIn(Schema):
    pack_id: str = Field(max_length=100)
    params: dict[str, Any] = Field(
        default_factory=dict, description="园区参数，按规则包声明的类型校验"
    )


class AdoptionOut(Schema):
    pack_id: str
    params: dict[str, Any]
    adopted_at: LocalDateTime


def _issues(issues: tuple[PackIssue, ...]) -> list[dict[str, Any]]:
    return [
        {"file": i.file, "line": i.line, "path": i.path, "message": i.message, "detail": i.detail}
        for i in issues
    ]


def _name(user: Any) -> str | None:
    return (user.get_full_name() or user.username) if user is not None else None


def _upload_out(upload: UploadedPack, **extra: Any) -> dict[str, Any]:
    return {
        "id": upload.pk,
        "pack": upload.key,
        "title": upload.title,
        "status": upload.status,
        "draft": upload.is_draft,
        "label": DRAFT_LABEL if upload.is_draft else "已发布",
        "digest": upload.digest,
        "uploaded_by": _name(upload.uploaded_by) or "",
        "uploaded_at": upload.uploaded_at,
        "proposed_by": _name(upload.proposed_by),
        "proposed_at": upload.proposed_at,
        "published_by": _name(upload.published_by),
        "published_at": upload.published_at,
        **extra,
    }


def _park(request: HttpRequest, jurisdiction_id: int) -> tuple[Any, Jurisdiction]:
    s = scope(request)
    return s, get_visible_or_404(s, parks_of(scope=s), pk=jurisdiction_id)


def _issue_errors(issues: tuple[PackIssue, ...]) -> Status[dict[str, Any]]:
    return Status(
        422,
        {
            "detail": [
                {
                    "loc": ["body", "payload", "text"],
                    "msg": str(i),
                    "file": i.file,
                    "line": i.line,
                    "path": i.path,
                    "message": i.message,
                }
                for i in issues
            ]
        },
    )


_UPLOAD = "/parks/{jurisdiction_id}/packs/uploads"


@router.get(_UPLOAD, response=list[UploadOut], summary="本园区上传的规则包（草稿与已发布）")
def uploads(request: HttpRequest, jurisdiction_id: int) -> list[dict[str, Any]]:
    s, park = _park(request, jurisdiction_id)
    return [_upload_out(u) for u in selectors.uploads_for(scope=s, park=park)]


@router.post(
    "/parks/{jurisdiction_id}/packs/validate",
    response={200: PackCheckOut},
    summary="校验规则包（不保存）：错误带文件、行号、位置和中文说明",
)
def validate(request: HttpRequest, jurisdiction_id: int, payload: PackTextIn) -> Any:
    s, park = _park(request, jurisdiction_id)
    check = selectors.pack_draft_check(scope=s, park=park, file=payload.file, text=payload.text)
    return {
        "valid": check.pack is not None,
        "pack": check.pack.key if check.pack is not None else None,
        "issues": _issues(check.issues),
        "explanation": check.lines,
    }


@router.post(
    _UPLOAD,
    response={201: UploadOut, 422: FieldErrors},
    summary="上传规则包：通过校验则保存为草稿（不生效），否则 422 列出错误、不保存",
)
def upload_create(request: HttpRequest, jurisdiction_id: int, payload: PackTextIn) -> Any:
    s, park = _park(request, jurisdiction_id)
    try:
        upload = services.pack_upload(
            scope=s,
            park=park,
            file=payload.file,
            text=payload.text,
            by=request.user,  # type: ignore[arg-type]
            at=timezone.now(),
        )
    except services.UploadRefused as exc:
        return _issue_errors(exc.issues)
    return Status(201, _upload_out(upload))


@router.get(
    _UPLOAD + "/{upload_id}",
    response=UploadDetailOut,
    summary="上传的规则包：状态（草稿标明）、逐条说明、与现行版本的差异",
)
def upload_detail(request: HttpRequest, jurisdiction_id: int, upload_id: int) -> Any:
    s, park = _park(request, jurisdiction_id)
    upload = selectors.upload_get(scope=s, park=park, upload_id=upload_id)
    check = selectors.upload_pack(upload=upload)
    current = changes = None
    if check.pack is not None:
        current = selectors.in_force_for(park=park, pack_id=check.pack.id, on=timezone.localdate())
        if current is not None:
            changes = diff_packs(current, check.pack)
    return _upload_out(
        upload,
        issues=_issues(check.issues),
        explanation=check.lines,
        in_force=current.key if current is not None else None,
        changes=[dataclasses.asdict(c) for c in changes or ()],
    )


@router.get(
    _UPLOAD + "/{upload_id}/diff",
    response=dict[str, Any],
    summary="上传的规则包与今日现行版本之间的逐条差异（中文）",
)
def upload_diff(request: HttpRequest, jurisdiction_id: int, upload_id: int) -> Any:
    s, park = _park(request, jurisdiction_id)
    upload = selectors.upload_get(scope=s, park=park, upload_id=upload_id)
    check = selectors.upload_pack(upload=upload)
    current = None
    if check.pack is not None:
        current = selectors.in_force_for(park=park, pack_id=check.pack.id, on=timezone.localdate())
    changes = diff_packs(current, check.pack) if current and check.pack else ()
    return {
        "old": current.key if current is not None else None,
        "new": upload.key,
        "draft": upload.is_draft,
        "changes": [dataclasses.asdict(c) for c in changes],
    }


@router.post(
    _UPLOAD + "/{upload_id}/preview",
    response={200: dict[str, Any], 422: FieldErrors},
    summary="用假设的人员或活动试算（按该上传版本计算，并与现行版本对照，带出处）",
)
def upload_preview(
    request: HttpRequest, jurisdiction_id: int, upload_id: int, payload: PreviewIn
) -> Any:
    s, park = _park(request, jurisdiction_id)
    upload = selectors.upload_get(scope=s, park=park, upload_id=upload_id)
    check = selectors.upload_pack(upload=upload)
    if check.pack is None:
        return _issue_errors(check.issues)
    try:
        return selectors.upload_preview(
            upload=upload, pack=check.pack, command=payload.command, body=payload.body
        )
    except PolicyInputError as exc:
        return _input_refused(exc, "body", "payload", "body")
    except PydanticError as exc:
        errors = translate(exc.errors())
        for error in errors:
            error["loc"] = ["body", "payload", "body", *error["loc"]]
        return Status(422, {"detail": errors})


@router.post(
    _UPLOAD + "/{upload_id}/propose",
    response={200: UploadOut, 422: FieldErrors},
    summary="提请发布草稿（须由本园区另一位管理员批准）",
)
def upload_propose(request: HttpRequest, jurisdiction_id: int, upload_id: int) -> Any:
    s, park = _park(request, jurisdiction_id)
    upload = selectors.upload_get(scope=s, park=park, upload_id=upload_id)
    try:
        upload = services.pack_propose(
            scope=s,
            upload=upload,
            by=request.user,  # type: ignore[arg-type]
            at=timezone.now(),
        )
    except ValidationError as exc:
        return field_errors(exc)
    return _upload_out(upload)


@router.post(
    _UPLOAD + "/{upload_id}/publish",
    response={200: UploadOut, 422: FieldErrors},
    summary="批准发布（提请人以外的本园区管理员）：内容加指纹并锁定",
)
def upload_publish(request: HttpRequest, jurisdiction_id: int, upload_id: int) -> Any:
    s, park = _park(request, jurisdiction_id)
    upload = selectors.upload_get(scope=s, park=park, upload_id=upload_id)
    try:
        upload = services.pack_publish(
            scope=s,
            upload=upload,
            by=request.user,  # type: ignore[arg-type]
            at=timezone.now(),
        )
    except ValidationError as exc:
        return field_errors(exc)
    return _upload_out(upload)


@router.post(
    "/parks/{jurisdiction_id}/packs/adopt",
    response={200: AdoptionOut, 422: FieldErrors},
    summary="采用规则包并设定园区参数（按规则包声明的类型校验，记入审计）",
)
def adopt(request: HttpRequest, jurisdiction_id: int, payload: AdoptIn) -> Any:
    s, park = _park(request, jurisdiction_id)
    try:
        adoption = services.pack_adopt(
            scope=s,
            park=park,
            pack_id=payload.pack_id,
            params=payload.params,
            by=request.user,  # type: ignore[arg-type]
            at=timezone.now(),
        )
    except ValidationError as exc:
        return field_errors(exc, names={"pack_id": "pack_id"})
    return adoption
