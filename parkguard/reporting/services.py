"""Writes of the daily report (L-4.3, Z-5.2c, J-2.5): pre-fill from the platform's records,
corrections with a note, submission by the pack's deadline. Each asks `require()` first and
changes nothing when the input is refused (a ValidationError with the field's message)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from parkguard.audit.services import audit_record
from parkguard.notify.choices import Kind
from parkguard.notify.services import notify_send
from parkguard.orgs.access import Scope, require
from parkguard.orgs.choices import ENTERPRISE_HOSTS, JURISDICTION_ROLES
from parkguard.orgs.models import Jurisdiction, Membership
from parkguard.reporting.choices import ReportState
from parkguard.reporting.models import ROW_FIGURES, ROW_FLAGS, DailyReport, DailyReportRow
from parkguard.reporting.rules import report_due
from parkguard.reporting.selectors import enterprise_figures, report_totals

UNIT_NOT_HOST = "该辖区不直接管理企业，无需报送每日报告：请由其下辖的镇街或园区报送"
UNIT_NO_ENTERPRISES = "该镇街/园区尚无企业，无需报送每日报告"
DATE_FUTURE = "不能为尚未到来的日期填报每日报告"
ALREADY_SUBMITTED = "{unit} {on} 的每日报告已于 {at} 报送，不能重复报送或修改"
NOT_PREPARED = "请先预填并审核本日报告，再报送"
LATE_REASON_REQUIRED = "已超过报送截止时间（{due}），请填写逾期原因后再报送"
LATE_REASON_TOO_LONG = "逾期原因不超过 300 字"
REMARKS_TOO_LONG = "其他需要报告的情况不超过 2000 字"
FIGURE_INVALID = "请填写 0 到 {high} 之间的整数"
FLAG_INVALID = "请选择“是”或“否”"
FIELD_UNKNOWN = "不能更正此项：{name}"
CORRECTION_NOTE_REQUIRED = "更正了预填数据，请写明更正说明（依据、来源）"
CORRECTION_NOTE_TOO_LONG = "更正说明不超过 300 字"
ROW_OTHER_REPORT = "该企业行不属于此报告"
FIGURE_MAX = 1_000_000
SUBMITTED_TITLE = "每日报告：{unit} {on}{late}"
SUBMITTED_BODY = (
    "{unit} 已报送 {on} 每日报告{zero}：企业 {enterprises} 家，在岗 {headcount} 人，"
    "已申报 {declared} 人，健康异常 {abnormal} 人，阳性 {positives} 人，处置中事件 "
    "{open_incidents} 起，在园货车 {trucks_inside} 辆，物资不足 {low_stock_items} 项，"
    "生产不正常 {not_normal} 家。{late}"
)


def _guard_open(report: DailyReport) -> None:
    if report.state == ReportState.SUBMITTED:
        at = (
            timezone.localtime(report.submitted_at).strftime("%H:%M") if report.submitted_at else ""
        )
        raise ValidationError(
            {
                "__all__": ALREADY_SUBMITTED.format(
                    unit=report.jurisdiction.name, on=report.on.isoformat(), at=at
                )
            }
        )


@transaction.atomic
def daily_report_prepare(
    *, scope: Scope, unit: Jurisdiction, on: dt.date, at: dt.datetime, by: User | None
) -> DailyReport:
    """Create (or refresh, while a draft) the day's report of `unit`, one row per enterprise,
    pre-filled from the platform's records. A refresh keeps the rows the reviewer corrected."""
    require(scope, "prepare_report", unit)
    if unit.kind not in ENTERPRISE_HOSTS:
        raise ValidationError({"jurisdiction": UNIT_NOT_HOST})
    if on > timezone.localdate(at):
        raise ValidationError({"on": DATE_FUTURE})
    figures = enterprise_figures(unit=unit, on=on, at=at)
    if not figures:
        raise ValidationError({"jurisdiction": UNIT_NO_ENTERPRISES})
    report = DailyReport.objects.select_for_update().filter(jurisdiction=unit, on=on).first()
    due = report_due(unit=unit, on=on)
    if report is None:
        report = DailyReport(jurisdiction=unit, on=on)
    else:
        _guard_open(report)
    report.due_at = due.due_at if due is not None else None
    report.citation = due.citation if due is not None else {}
    report.prepared_at = at
    report.prepared_by = by
    report.save()
    kept = {
        row.enterprise_id: row
        for row in report.rows.exclude(correction_note="")  # the reviewer's corrections stand
    }
    report.rows.exclude(enterprise_id__in=kept).delete()
    rows = []
    for enterprise_id, f in figures.items():
        prefill: dict[str, Any] = {**f.values, "production_normal": f.production_normal}
        row = kept.get(enterprise_id)
        if row is not None:
            row.prefill = prefill
            row.status = f.status
            row.notes = f.notes
            row.save(update_fields=["prefill", "status", "notes"])
            continue
        rows.append(
            DailyReportRow(
                report=report,
                enterprise_id=enterprise_id,
                status=f.status,
                production_normal=f.production_normal,
                notes=f.notes,
                prefill=prefill,
                **f.values,
            )
        )
    DailyReportRow.objects.bulk_create(rows, batch_size=500)
    return report


def _figure(name: str, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise ValidationError({name: FIGURE_INVALID.format(high=FIGURE_MAX)})
    try:
        number = int(str(value).strip())
    except ValueError:
        raise ValidationError({name: FIGURE_INVALID.format(high=FIGURE_MAX)}) from None
    if number < 0 or number > FIGURE_MAX:
        raise ValidationError({name: FIGURE_INVALID.format(high=FIGURE_MAX)})
    return number


def _flag(name: str, value: object) -> bool:
    if isinstance(value, bool):
        return value
    if value in ("true", "1", "yes", "on"):
        return True
    if value in ("false", "0", "no", "off"):
        return False
    raise ValidationError({name: FLAG_INVALID})


@transaction.atomic
def daily_report_row_correct(
    *,
    scope: Scope,
    report: DailyReport,
    row: DailyReportRow,
    values: Mapping[str, object],
    note: str,
    by: User | None,
) -> DailyReportRow:
    """The reviewer corrects a pre-filled row; a change from the pre-filled values needs a note
    (who said so, from what). The pre-filled values stay beside the corrected ones."""
    require(scope, "prepare_report", report.jurisdiction)
    report = (
        DailyReport.objects.select_for_update().select_related("jurisdiction").get(pk=report.pk)
    )
    _guard_open(report)
    if row.report_id != report.pk:
        raise ValidationError({"__all__": ROW_OTHER_REPORT})
    cleaned: dict[str, object] = {}
    errors: dict[str, str] = {}
    for name, value in values.items():
        try:
            if name in ROW_FIGURES:
                cleaned[name] = _figure(name, value)
            elif name in ROW_FLAGS:
                cleaned[name] = _flag(name, value)
            else:
                errors[name] = FIELD_UNKNOWN.format(name=name)
        except ValidationError as exc:
            errors.update({k: v[0] for k, v in exc.message_dict.items()})
    note = (note or "").strip()
    if len(note) > 300:
        errors["note"] = CORRECTION_NOTE_TOO_LONG
    if errors:
        raise ValidationError(errors)
    changed = any(row.prefill.get(k, getattr(row, k)) != v for k, v in cleaned.items())
    if changed and not note:
        raise ValidationError({"note": CORRECTION_NOTE_REQUIRED})
    for name, value in cleaned.items():
        setattr(row, name, value)
    row.correction_note = note if changed or row.corrected else ""
    row.corrected_by = by if row.correction_note else None
    row.save()
    return row


def _county_viewers(unit: Jurisdiction) -> list[int]:
    """Park staff of the jurisdictions above `unit` (the county, the town): they read it."""
    above = [int(pk) for pk in unit.path.strip("/").split("/") if pk and int(pk) != unit.pk]
    return sorted(
        set(
            Membership.objects.filter(
                jurisdiction_id__in=above, role__in=JURISDICTION_ROLES, user__is_active=True
            ).values_list("user_id", flat=True)
        )
    )


@transaction.atomic
def daily_report_submit(
    *,
    scope: Scope,
    report: DailyReport,
    at: dt.datetime,
    by: User | None,
    late_reason: str = "",
    remarks: str = "",
) -> DailyReport:
    """Submit the reviewed report (L-4.3). Twice is refused; after the pack's deadline it needs
    a reason and is then accepted and marked late. A report where nothing happened anywhere is
    a zero report (零报告). The county's staff and the group robots are told; audited."""
    require(scope, "prepare_report", report.jurisdiction)
    report = (
        DailyReport.objects.select_for_update().select_related("jurisdiction").get(pk=report.pk)
    )
    _guard_open(report)
    late_reason = (late_reason or "").strip()
    remarks = (remarks or "").strip()
    if len(late_reason) > 300:
        raise ValidationError({"late_reason": LATE_REASON_TOO_LONG})
    if len(remarks) > 2000:
        raise ValidationError({"remarks": REMARKS_TOO_LONG})
    late = report.due_at is not None and at > report.due_at
    if late and not late_reason:
        due = timezone.localtime(report.due_at).strftime("%Y-%m-%d %H:%M")
        raise ValidationError({"late_reason": LATE_REASON_REQUIRED.format(due=due)})
    rows = list(report.rows.all())
    if not rows:
        raise ValidationError({"__all__": NOT_PREPARED})
    report.state = ReportState.SUBMITTED
    report.submitted_at = at
    report.submitted_by = by
    report.signer_name = (by.get_full_name() or by.username) if by is not None else ""
    report.late = late
    report.late_reason = late_reason if late else ""
    report.remarks = remarks
    report.zero = not remarks and not any(row.eventful for row in rows)
    report.save()
    _announce(report=report, at=at)
    audit_record(
        actor=by,
        action="daily_report_submit",
        at=at,
        target=report,
        jurisdiction_id=report.jurisdiction_id,
        reason=report.late_reason,
        detail={"on": report.on.isoformat(), "late": late, "zero": report.zero, "rows": len(rows)},
    )
    return report


def _announce(*, report: DailyReport, at: dt.datetime) -> None:
    unit = report.jurisdiction
    totals = report_totals(report=report)
    late = f"（逾期报送：{report.late_reason}）" if report.late else ""
    body = SUBMITTED_BODY.format(
        unit=unit.name,
        on=report.on.isoformat(),
        zero="（零报告）" if report.zero else "",
        late=late,
        **totals,
    )
    title = SUBMITTED_TITLE.format(
        unit=unit.name, on=report.on.isoformat(), late="（逾期）" if report.late else ""
    )
    link = reverse("reporting_unit", args=[unit.pk]) + f"?on={report.on.isoformat()}"
    notify_send(
        user_ids=_county_viewers(unit),
        jurisdiction=unit,
        kind=Kind.DAILY_REPORT,
        title=title,
        body=body,
        link=link,
        at=at,
    )
    if unit.parent_id is not None:
        # The county's (or town's) own group robots carry it too.
        notify_send(jurisdiction=unit.parent, kind=Kind.DAILY_REPORT, title=title, body=body, at=at)


def daily_report_export_record(
    *, scope: Scope, unit: Jurisdiction, on: dt.date, at: dt.datetime, by: User | None, what: str
) -> None:
    """Write the audit entry of an export or a print of a report or a roll-up."""
    require(scope, "view_reports", unit)
    audit_record(
        actor=by,
        action="daily_report_export",
        at=at,
        target=unit,
        jurisdiction_id=unit.pk,
        detail={"on": on.isoformat(), "what": what},
    )
