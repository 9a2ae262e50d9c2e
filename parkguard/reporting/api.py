"""JSON API of the daily report, the county roll-up and the command board (browser sessions
only: reports are read and signed by people)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Router, Schema, Status

from parkguard.api.auth import SessionScope, scope
from parkguard.lib.api_datetimes import LocalDateTime
from parkguard.lib.api_errors import FieldErrors, error_at, field_errors
from parkguard.lib.free_text import FreeText
from parkguard.orgs.access import Scope, get_visible_or_404, scope_of
from parkguard.orgs.models import Jurisdiction
from parkguard.reporting import selectors, services
from parkguard.reporting.models import ROW_FIGURES, DailyReport, DailyReportRow

router = Router(tags=["每日报告与指挥看板"], auth=SessionScope(scope_of))

Figure = Field(default=None, ge=0, le=services.FIGURE_MAX)


class ReportMissingOut(Schema):
    """No such unit for the caller, or no report of that day yet (one shape for both)."""

    detail: str


class RowOut(Schema):
    id: int
    enterprise_id: int
    enterprise: str
    status: str
    production_normal: bool
    figures: dict[str, int]
    prefill: dict[str, Any]
    notes: list[dict[str, FreeText]]
    correction_note: FreeText


class ReportOut(Schema):
    id: int
    jurisdiction_id: int
    on: dt.date
    state: str
    due_at: LocalDateTime | None
    submitted_at: LocalDateTime | None
    signer_name: str
    late: bool
    late_reason: FreeText
    zero: bool
    remarks: FreeText
    citation: dict[str, Any]
    totals: dict[str, int]
    rows: list[RowOut]


class ReportDayIn(Schema):
    on: dt.date | None = Field(default=None, description="报告日期，默认今天")


class RowIn(Schema):
    headcount: int | None = Figure
    declared: int | None = Figure
    abnormal: int | None = Figure
    test_due: int | None = Figure
    test_done: int | None = Figure
    positives: int | None = Figure
    open_incidents: int | None = Figure
    new_incidents: int | None = Figure
    trucks_expected: int | None = Figure
    trucks_inside: int | None = Figure
    trucks_left: int | None = Figure
    low_stock_items: int | None = Figure
    production_normal: bool | None = None
    note: str = Field(default="", max_length=300, description="更正说明：更正预填数据时必填")


class SubmitIn(Schema):
    on: dt.date | None = None
    late_reason: str = Field(default="", max_length=300, description="超过截止时间时必填")
    remarks: str = Field(default="", max_length=2000)


class UnitLineOut(Schema):
    jurisdiction_id: int
    name: str
    enterprises: int
    state: str
    due_at: LocalDateTime | None
    submitted_at: LocalDateTime | None
    late_reason: FreeText
    zero: bool
    totals: dict[str, int]


class RollupOut(Schema):
    jurisdiction_id: int
    on: dt.date
    counts: dict[str, int]
    totals: dict[str, int]
    units: list[UnitLineOut]


class TileOut(Schema):
    enterprise_id: int
    name: str
    unit_id: int
    status: str
    open_incidents: int
    notes: list[FreeText]


class TimerOut(Schema):
    where: str
    label: str
    due_at: LocalDateTime


class CommandBoardOut(Schema):
    jurisdiction_id: int
    at: LocalDateTime
    counts: dict[str, int]
    enterprises: list[TileOut]
    timers: list[TimerOut]
    open_incidents: int
    late_units: list[int]
    missing_units: list[int]


def _unit(caller: Scope, jurisdiction_id: int) -> Jurisdiction:
    return get_visible_or_404(caller, Jurisdiction, "view_reports", pk=jurisdiction_id)


def _report_json(report: DailyReport) -> dict[str, Any]:
    rows = list(selectors.report_rows(report=report))
    return {
        "id": report.pk,
        "jurisdiction_id": report.jurisdiction_id,
        "on": report.on,
        "state": report.state,
        "due_at": report.due_at,
        "submitted_at": report.submitted_at,
        "signer_name": report.signer_name,
        "late": report.late,
        "late_reason": report.late_reason,
        "zero": report.zero,
        "remarks": report.remarks,
        "citation": report.citation,
        "totals": selectors.report_totals(report=report),
        "rows": [_row_json(r) for r in rows],
    }


def _row_json(row: DailyReportRow) -> dict[str, Any]:
    return {
        "id": row.pk,
        "enterprise_id": row.enterprise_id,
        "enterprise": row.enterprise.name,
        "status": row.status,
        "production_normal": row.production_normal,
        "figures": {f: getattr(row, f) for f in ROW_FIGURES},
        "prefill": row.prefill,
        "notes": row.notes,
        "correction_note": row.correction_note,
    }


def _by(request: HttpRequest) -> User | None:
    user = request.user
    return user if isinstance(user, User) else None


def _today(on: dt.date | None) -> dt.date:
    return on or timezone.localdate()


@router.get(
    "/reports/units/{jurisdiction_id}",
    response={200: ReportOut, 404: ReportMissingOut},
    summary="镇街/园区某日的每日报告",
)
def report_get(request: HttpRequest, jurisdiction_id: int, on: dt.date | None = None) -> Any:
    caller = scope(request)
    unit = _unit(caller, jurisdiction_id)
    report = selectors.daily_report_get(scope=caller, unit=unit, on=_today(on))
    if report is None:
        return Status(404, {"detail": services.NOT_PREPARED})
    return _report_json(report)


@router.post(
    "/reports/units/{jurisdiction_id}/prepare",
    response={200: ReportOut, 422: FieldErrors},
    summary="按平台记录预填每日报告（草稿可重新预填）",
)
def report_prepare(request: HttpRequest, jurisdiction_id: int, payload: ReportDayIn) -> Any:
    caller = scope(request)
    unit = _unit(caller, jurisdiction_id)
    try:
        report = services.daily_report_prepare(
            scope=caller, unit=unit, on=_today(payload.on), at=timezone.now(), by=_by(request)
        )
    except DjangoValidationError as exc:
        return field_errors(exc)
    return _report_json(report)


@router.patch(
    "/reports/units/{jurisdiction_id}/rows/{row_id}",
    response={200: RowOut, 422: FieldErrors},
    summary="审核时更正一家企业的预填数据（须写更正说明）",
)
def row_correct(request: HttpRequest, jurisdiction_id: int, row_id: int, payload: RowIn) -> Any:
    caller = scope(request)
    unit = _unit(caller, jurisdiction_id)
    row = get_visible_or_404(
        caller, DailyReportRow.objects.select_related("report", "enterprise"), "view_reports",
        pk=row_id, report__jurisdiction=unit,
    )  # fmt: skip
    values = {k: v for k, v in payload.dict(exclude={"note"}).items() if v is not None}
    try:
        done = services.daily_report_row_correct(
            scope=caller, report=row.report, row=row, values=values, note=payload.note,
            by=_by(request),
        )  # fmt: skip
    except DjangoValidationError as exc:
        return field_errors(exc)
    return _row_json(done)


@router.post(
    "/reports/units/{jurisdiction_id}/submit",
    response={200: ReportOut, 422: FieldErrors},
    summary="签发报送每日报告（重复报送、逾期未写原因均拒绝）",
)
def report_submit(request: HttpRequest, jurisdiction_id: int, payload: SubmitIn) -> Any:
    caller = scope(request)
    unit = _unit(caller, jurisdiction_id)
    report = selectors.daily_report_get(scope=caller, unit=unit, on=_today(payload.on))
    if report is None:
        return error_at(["body", "on"], services.NOT_PREPARED)
    try:
        done = services.daily_report_submit(
            scope=caller, report=report, at=timezone.now(), by=_by(request),
            late_reason=payload.late_reason, remarks=payload.remarks,
        )  # fmt: skip
    except DjangoValidationError as exc:
        return field_errors(exc)
    return _report_json(done)


@router.get("/reports/rollup/{jurisdiction_id}", response=RollupOut, summary="县（镇）每日报告汇总")
def rollup(request: HttpRequest, jurisdiction_id: int, on: dt.date | None = None) -> Any:
    caller = scope(request)
    root = _unit(caller, jurisdiction_id)
    found = selectors.county_rollup(scope=caller, root=root, on=_today(on), at=timezone.now())
    return {
        "jurisdiction_id": root.pk,
        "on": found.on,
        "counts": found.counts,
        "totals": found.totals,
        "units": [
            {
                "jurisdiction_id": line.unit.pk,
                "name": line.unit.name,
                "enterprises": line.enterprises,
                "state": line.state,
                "due_at": line.due_at,
                "submitted_at": line.report.submitted_at if line.report else None,
                "late_reason": line.report.late_reason if line.report else "",
                "zero": bool(line.report and line.report.zero),
                "totals": line.totals,
            }
            for line in found.lines
        ],
    }


@router.get("/reports/board/{jurisdiction_id}", response=CommandBoardOut, summary="指挥看板")
def board(request: HttpRequest, jurisdiction_id: int) -> Any:
    caller = scope(request)
    root = _unit(caller, jurisdiction_id)
    found = selectors.command_board(scope=caller, root=root, at=timezone.now())
    return {
        "jurisdiction_id": root.pk,
        "at": found.at,
        "counts": found.counts,
        "enterprises": [t.__dict__ for _, tiles in found.groups for t in tiles],
        "timers": [{"where": w, "label": t.label, "due_at": t.due_at} for w, t in found.timers],
        "open_incidents": len(found.incidents),
        "late_units": [line.unit.pk for line in found.rollup.late],
        "missing_units": [line.unit.pk for line in found.rollup.missing],
    }
