"""JSON API of testing: a lab posts results with its device token (`POST /health/results`);
officers plan rounds, take tubes and record results with their session."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest
from django.utils import timezone
from ninja import Field, Router, Schema, Status

from parkguard.api.auth import SessionScope, scope
from parkguard.lib.api_datetimes import LocalDateTime
from parkguard.lib.api_errors import DB_ID_MAX, FieldErrors, error_at, field_errors
from parkguard.orgs.access import (
    NOT_ALLOWED,
    NOT_FOUND,
    get_visible_or_404,
    require,
    scope_of,
    visible,
)
from parkguard.orgs.models import Enterprise, OrgUnit
from parkguard.sampling import importing, labfile, selectors, services
from parkguard.sampling.choices import Column, Result, RoundGroup, RoundKind, SampleKind
from parkguard.sampling.models import Lab, Sample, SamplingRound

router = Router(tags=["核酸与抗原检测"])
SESSION = SessionScope(scope_of)
NO_LAB = "请指定检测机构（lab_id），或使用检测机构的设备令牌"
MAX_ROWS = 5000  # rows per API post (larger batches: upload a file)


class ResultRow(Schema):
    barcode: str = Field(max_length=40, description="条码号（样本编号）")
    result: str = Field(max_length=20, description="检测结果：阴性/阳性/无效（或 negative…）")
    sampled_at: str | None = Field(default=None, max_length=40, description="采样时间")
    tested_at: str | None = Field(default=None, max_length=40, description="检测时间")
    id_number: str | None = Field(
        default=None, max_length=18, description="身份证号（条码未登记时按其摘要匹配）"
    )


class ResultsIn(Schema):
    results: list[ResultRow] = Field(max_length=MAX_ROWS)
    dry_run: bool = Field(default=False, description="试导入：只检查，不写入")
    lab_id: int | None = Field(
        default=None, ge=1, le=DB_ID_MAX, description="检测机构（会话登录时）"
    )
    enterprise_id: int | None = Field(
        default=None, ge=1, le=DB_ID_MAX, description="只导入本企业的样本（会话登录时必填）"
    )


class ResultsOut(Schema):
    import_id: int
    state: str
    written: int
    unchanged: int
    created: int
    unmatched: list[dict[str, Any]]


@router.post(
    "/health/results",
    response={200: ResultsOut, 403: FieldErrors, 422: FieldErrors},
    summary="上传检测结果（检测机构设备令牌，或企业防疫专员）",
)
def results_post(request: HttpRequest, payload: ResultsIn) -> Any:
    caller = scope(request)
    enterprise = None
    if payload.enterprise_id is not None:
        enterprise = get_visible_or_404(caller, Enterprise, pk=payload.enterprise_id)
    if caller.token_id is not None:
        lab = Lab.objects.filter(token_id=caller.token_id).first()
    elif payload.lab_id is not None and enterprise is not None:
        lab = selectors.labs_for(enterprise=enterprise).filter(pk=payload.lab_id).first()
    else:
        lab = None
    if lab is None:
        return error_at(["body", "lab_id"], NO_LAB, status=403)
    fields = [Column.BARCODE, Column.RESULT, Column.SAMPLED_AT, Column.TESTED_AT, Column.ID_NUMBER]
    rows = [
        (i, [r.barcode, r.result, r.sampled_at or "", r.tested_at or "", r.id_number or ""])
        for i, r in enumerate(payload.results, start=1)
    ]
    try:
        batch, report = importing.results_import(
            scope=caller,
            lab=lab,
            enterprise=enterprise,
            layout=labfile.layout_for_api(fields),
            rows=rows,
            dry_run=payload.dry_run,
            at=timezone.now(),
            by=None if caller.token_id else request.user,  # type: ignore[arg-type]
        )
    except PermissionDenied as refused:
        return error_at(["body"], str(refused) or NOT_ALLOWED, status=403)
    if report.errors:
        return Status(
            422,
            {
                "detail": [
                    {"loc": ["body", "results", e["row"] - 1], "msg": e["message"]}
                    for e in report.errors
                ]
            },
        )
    return {
        "import_id": batch.pk,
        "state": batch.state,
        "written": report.written,
        "unchanged": report.unchanged,
        "created": report.created,
        "unmatched": report.unmatched,
    }


class RoundIn(Schema):
    name: str = Field(max_length=80)
    on: dt.date
    kind: RoundKind
    group: RoundGroup = RoundGroup.ALL
    org_unit_id: int | None = Field(default=None, ge=1, le=DB_ID_MAX)
    share: str | None = Field(default=None, max_length=10, description="抽检比例，如 0.2")
    pool_size: int | None = Field(default=None, ge=1, le=DB_ID_MAX, description="混管人数上限")


class RoundOut(Schema):
    id: int
    name: str
    on: dt.date
    kind: str
    pool_size: int
    share: str | None
    citation: dict[str, Any]
    headcount: int


def _round_out(row: SamplingRound) -> dict[str, Any]:
    return {
        "id": row.pk,
        "name": row.name,
        "on": row.on,
        "kind": row.kind,
        "pool_size": row.pool_size,
        "share": str(row.share) if row.share is not None else None,
        "citation": row.citation,
        "headcount": row.members.count(),
    }


def _enterprise(caller: Any, enterprise_id: int) -> Enterprise:
    enterprise = get_visible_or_404(
        caller, Enterprise.objects.select_related("jurisdiction"), pk=enterprise_id
    )
    require(caller, "manage_samples", enterprise)
    return enterprise


@router.get(
    "/sampling/enterprises/{enterprise_id}/rounds",
    response=list[RoundOut],
    auth=SESSION,
    summary="企业的检测轮次",
)
def rounds(request: HttpRequest, enterprise_id: int) -> Any:
    caller = scope(request)
    enterprise = _enterprise(caller, enterprise_id)
    return [_round_out(r) for r in selectors.rounds_of(scope=caller, enterprise=enterprise)[:100]]


@router.post(
    "/sampling/enterprises/{enterprise_id}/rounds",
    response={201: RoundOut, 422: FieldErrors},
    auth=SESSION,
    summary="安排检测轮次",
)
def round_create(request: HttpRequest, enterprise_id: int, payload: RoundIn) -> Any:
    caller = scope(request)
    enterprise = _enterprise(caller, enterprise_id)
    unit = None
    if payload.org_unit_id is not None:
        unit = OrgUnit.objects.filter(enterprise=enterprise, pk=payload.org_unit_id).first()
    try:
        row = services.round_plan(
            scope=caller,
            enterprise=enterprise,
            name=payload.name,
            on=payload.on,
            kind=payload.kind,
            group=payload.group,
            org_unit=unit,
            share=payload.share,
            pool_size=payload.pool_size,
            at=timezone.now(),
            by=request.user,  # type: ignore[arg-type]
        )
    except DjangoValidationError as exc:
        return field_errors(exc)
    return Status(201, _round_out(row))


class MemberOut(Schema):
    id: int
    name: str


class SampleOut(Schema):
    id: int
    barcode: str
    kind: str
    result: str
    taken_at: LocalDateTime
    result_at: LocalDateTime | None
    members: list[MemberOut]


class RoundDetailOut(RoundOut):
    samples: list[SampleOut]
    on_retest: list[MemberOut]


def _sample_out(s: Sample) -> dict[str, Any]:
    return {
        "id": s.pk,
        "barcode": s.barcode,
        "kind": s.kind,
        "result": s.result,
        "taken_at": s.taken_at,
        "result_at": s.result_at,
        "members": [{"id": m.person_id, "name": m.person.name} for m in s.memberships.all()],
    }


def _round(caller: Any, round_id: int) -> SamplingRound:
    row = get_visible_or_404(
        caller, SamplingRound.objects.select_related("enterprise"), pk=round_id
    )
    require(caller, "manage_samples", row)
    return row


@router.get(
    "/sampling/rounds/{round_id}",
    response=RoundDetailOut,
    auth=SESSION,
    summary="检测轮次：各管及其人员、结果、待复核人员",
)
def round_get(request: HttpRequest, round_id: int) -> Any:
    row = _round(scope(request), round_id)
    view = selectors.round_view(round=row)
    return {
        **_round_out(row),
        "samples": [_sample_out(s) for s in view.samples],
        "on_retest": [{"id": h["person"].pk, "name": h["person"].name} for h in view.on_retest],
    }


class SampleIn(Schema):
    barcode: str = Field(max_length=40)
    kind: SampleKind = SampleKind.POOL
    person_ids: list[int] = Field(max_length=1000)
    retest_of_id: int | None = Field(default=None, ge=1, le=DB_ID_MAX)


@router.post(
    "/sampling/rounds/{round_id}/samples",
    response={201: SampleOut, 422: FieldErrors},
    auth=SESSION,
    summary="登记一管（混管或单管）",
)
def sample_create(request: HttpRequest, round_id: int, payload: SampleIn) -> Any:
    caller = scope(request)
    row = _round(caller, round_id)
    retest = (
        Sample.objects.filter(pk=payload.retest_of_id, round=row).first()
        if payload.retest_of_id
        else None
    )
    try:
        sample = services.sample_take(
            scope=caller,
            round=row,
            barcode=payload.barcode,
            kind=payload.kind,
            person_ids=payload.person_ids,
            retest_of=retest,
            at=timezone.now(),
            by=request.user,  # type: ignore[arg-type]
        )
    except DjangoValidationError as exc:
        return field_errors(exc)
    sample = Sample.objects.prefetch_related("memberships__person").get(pk=sample.pk)
    return Status(201, _sample_out(sample))


class ResultIn(Schema):
    result: Result


@router.post(
    "/sampling/samples/{sample_id}/result",
    response={200: SampleOut, 422: FieldErrors},
    auth=SESSION,
    summary="登记一管的结果",
)
def sample_result(request: HttpRequest, sample_id: int, payload: ResultIn) -> Any:
    caller = scope(request)
    sample = visible(caller, Sample).filter(pk=sample_id).first()
    if sample is None:
        raise Http404(NOT_FOUND)
    try:
        services.sample_result_record(
            scope=caller,
            sample=sample,
            result=payload.result,
            at=timezone.now(),
            by=request.user,  # type: ignore[arg-type]
        )
    except DjangoValidationError as exc:
        return field_errors(exc)
    sample = Sample.objects.prefetch_related("memberships__person").get(pk=sample.pk)
    return _sample_out(sample)
