"""Pages of the daily report and the command board: the township's or park's report
(pre-fill, review, submit), its print and Excel forms, the county's roll-up and the board."""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from parkguard.lib.forms import errors_flash
from parkguard.orgs.access import Scope, can, get_visible_or_404, scope_of, visible
from parkguard.orgs.models import Jurisdiction
from parkguard.reporting import selectors, services
from parkguard.reporting.exporting import report_xlsx, rollup_xlsx
from parkguard.reporting.forms import day_parse, row_values
from parkguard.reporting.models import ROW_FIGURES, DailyReport, DailyReportRow

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FIGURE_LABELS = {
    f: str(getattr(DailyReportRow._meta.get_field(f), "verbose_name", f)) for f in ROW_FIGURES
}


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)


def _unit(scope: Scope, jurisdiction_id: int) -> Jurisdiction:
    return get_visible_or_404(scope, Jurisdiction, "view_reports", pk=jurisdiction_id)


def _day(request: HttpRequest, value: object) -> dt.date | HttpResponse:
    try:
        return day_parse(value, today=timezone.localdate())
    except ValidationError as exc:
        return render(request, "reporting/bad_input.html", {"errors": exc.messages}, status=400)


def _back(unit: Jurisdiction, on: dt.date) -> HttpResponse:
    return redirect(reverse("reporting_unit", args=[unit.pk]) + f"?on={on.isoformat()}")


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """Which reports the caller submits today, and which roll-ups and boards it reads."""
    scope = scope_of(request)
    now = timezone.now()
    today = timezone.localdate(now)
    units = list(selectors.report_units(scope=scope))
    mine = [u for u in units if can(scope, "prepare_report", u)]
    reports = {
        r.jurisdiction_id: r
        for r in visible(scope, DailyReport, "view_reports").filter(on=today, jurisdiction__in=mine)
    }
    context = {
        "today": today,
        "mine": [(u, reports.get(u.pk)) for u in mine],
        "roots": list(selectors.rollup_roots(scope=scope)),
    }
    return render(request, "reporting/home.html", context)


@login_required
@require_GET
def unit(request: HttpRequest, jurisdiction_id: int) -> HttpResponse:
    """One township's or park's report of a day: pre-filled rows to review, then submit."""
    scope = scope_of(request)
    place = _unit(scope, jurisdiction_id)
    on = _day(request, request.GET.get("on"))
    if isinstance(on, HttpResponse):
        return on
    now = timezone.now()
    report = selectors.daily_report_get(scope=scope, unit=place, on=on)
    rows = list(selectors.report_rows(report=report)) if report else []
    for row in rows:
        row.fields = [  # type: ignore[attr-defined]
            (f, label, getattr(row, f), row.prefill.get(f, getattr(row, f)))
            for f, label in FIGURE_LABELS.items()
        ]
    context: dict[str, Any] = {
        "unit": place,
        "on": on,
        "prev": on - dt.timedelta(days=1),
        "next": on + dt.timedelta(days=1) if on < timezone.localdate(now) else None,
        "report": report,
        "rows": rows,
        "totals": selectors.report_totals(report=report) if report else None,
        "can_prepare": can(scope, "prepare_report", place),
        "late_now": bool(report and report.due_at and now > report.due_at),
    }
    return render(request, "reporting/unit.html", context)


@login_required
@require_POST
def unit_prepare(request: HttpRequest, jurisdiction_id: int) -> HttpResponse:
    scope = scope_of(request)
    place = _unit(scope, jurisdiction_id)
    on = _day(request, request.POST.get("on"))
    if isinstance(on, HttpResponse):
        return on
    try:
        services.daily_report_prepare(
            scope=scope, unit=place, on=on, at=timezone.now(), by=_user(request)
        )
    except ValidationError as exc:
        errors_flash(request, exc)
    else:
        messages.success(request, "已根据平台记录预填，请逐家核对后报送")
    return _back(place, on)


@login_required
@require_POST
def row_correct(request: HttpRequest, jurisdiction_id: int, row_id: int) -> HttpResponse:
    scope = scope_of(request)
    place = _unit(scope, jurisdiction_id)
    row = get_visible_or_404(
        scope, DailyReportRow.objects.select_related("report"), "view_reports",
        pk=row_id, report__jurisdiction=place,
    )  # fmt: skip
    try:
        services.daily_report_row_correct(
            scope=scope,
            report=row.report,
            row=row,
            values=row_values(request.POST),
            note=request.POST.get("note", ""),
            by=_user(request),
        )
    except ValidationError as exc:
        errors_flash(request, exc)
    else:
        messages.success(request, "已保存")
    return _back(place, row.report.on)


@login_required
@require_POST
def unit_submit(request: HttpRequest, jurisdiction_id: int) -> HttpResponse:
    scope = scope_of(request)
    place = _unit(scope, jurisdiction_id)
    on = _day(request, request.POST.get("on"))
    if isinstance(on, HttpResponse):
        return on
    report = selectors.daily_report_get(scope=scope, unit=place, on=on)
    if report is None:
        messages.error(request, services.NOT_PREPARED)
        return _back(place, on)
    try:
        done = services.daily_report_submit(
            scope=scope,
            report=report,
            at=timezone.now(),
            by=_user(request),
            late_reason=request.POST.get("late_reason", ""),
            remarks=request.POST.get("remarks", ""),
        )
    except ValidationError as exc:
        errors_flash(request, exc)
    else:
        messages.success(request, "已报送（逾期）" if done.late else "已报送")
    return _back(place, on)


def _report_or_404(
    request: HttpRequest, jurisdiction_id: int, *, what: str
) -> tuple[Jurisdiction, DailyReport] | HttpResponse:
    """The unit and its report of the asked day for a print or an export, with the audit
    record of `what` was taken; or the page to answer instead (a bad day, no report: 404)."""
    scope = scope_of(request)
    place = _unit(scope, jurisdiction_id)
    on = _day(request, request.GET.get("on"))
    if isinstance(on, HttpResponse):
        return on
    report = selectors.daily_report_get(scope=scope, unit=place, on=on)
    if report is None:
        return render(
            request, "reporting/bad_input.html", {"errors": [services.NOT_PREPARED]}, status=404
        )
    services.daily_report_export_record(
        scope=scope, unit=place, on=on, at=timezone.now(), by=_user(request), what=what
    )
    return place, report


@login_required
@require_GET
def unit_print(request: HttpRequest, jurisdiction_id: int) -> HttpResponse:
    """The report in official-document layout (红头, date, 签发人), for printing."""
    found = _report_or_404(request, jurisdiction_id, what="print")
    if isinstance(found, HttpResponse):
        return found
    place, report = found
    context = {
        "unit": place,
        "report": report,
        "rows": list(selectors.report_rows(report=report)),
        "totals": selectors.report_totals(report=report),
        "issuer": place.parent.name if place.parent else place.name,
    }
    return render(request, "reporting/print.html", context)


@login_required
@require_GET
def unit_export(request: HttpRequest, jurisdiction_id: int) -> HttpResponse:
    found = _report_or_404(request, jurisdiction_id, what="xlsx")
    if isinstance(found, HttpResponse):
        return found
    _, report = found
    body = report_xlsx(report=report, rows=list(selectors.report_rows(report=report)))
    response = HttpResponse(body, content_type=XLSX)
    response["Content-Disposition"] = (
        f'attachment; filename="daily-report-{report.on.isoformat()}.xlsx"'
    )
    return response


@login_required
@require_GET
def rollup(request: HttpRequest, jurisdiction_id: int) -> HttpResponse:
    """The county's (or town's) roll-up: every report of the day, who is late, who is missing."""
    scope = scope_of(request)
    root = _unit(scope, jurisdiction_id)
    on = _day(request, request.GET.get("on"))
    if isinstance(on, HttpResponse):
        return on
    now = timezone.now()
    context = {
        "root": root,
        "rollup": selectors.county_rollup(scope=scope, root=root, on=on, at=now),
        "on": on,
        "prev": on - dt.timedelta(days=1),
        "next": on + dt.timedelta(days=1) if on < timezone.localdate(now) else None,
    }
    return render(request, "reporting/rollup.html", context)


@login_required
@require_GET
def rollup_export(request: HttpRequest, jurisdiction_id: int) -> HttpResponse:
    scope = scope_of(request)
    root = _unit(scope, jurisdiction_id)
    on = _day(request, request.GET.get("on"))
    if isinstance(on, HttpResponse):
        return on
    now = timezone.now()
    services.daily_report_export_record(
        scope=scope, unit=root, on=on, at=now, by=_user(request), what="rollup_xlsx"
    )
    body = rollup_xlsx(rollup=selectors.county_rollup(scope=scope, root=root, on=on, at=now))
    response = HttpResponse(body, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="daily-rollup-{on.isoformat()}.xlsx"'
    return response


@login_required
@require_GET
def board(request: HttpRequest, jurisdiction_id: int) -> HttpResponse:
    """The command board (item 8): enterprises by status, open incidents, timers, late reports."""
    scope = scope_of(request)
    root = _unit(scope, jurisdiction_id)
    now = timezone.now()
    data = selectors.command_board(scope=scope, root=root, at=now)
    timers = [
        {"where": where, "label": t.label, "due": t.due_at.isoformat()} for where, t in data.timers
    ]
    return render(request, "reporting/board.html", {"board": data, "root": root, "timers": timers})
