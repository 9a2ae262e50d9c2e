"""Pages of protective supplies and disinfection, phone first: the officer's stock ledger and
day's checklist, the assigned person's own tasks, and the park's chart of every enterprise's
cover."""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from parkguard.lib.forms import errors_flash, form_errors_apply
from parkguard.lib.uploads import UPLOAD_EMPTY, UploadRefused, upload_read
from parkguard.orgs.access import can, get_visible_or_404, scope_of, visible
from parkguard.orgs.models import Enterprise, Membership, OrgUnit
from parkguard.supplies import selectors, services
from parkguard.supplies.choices import MoveKind
from parkguard.supplies.exporting import XLSX, disinfection_xlsx, ledger_xlsx
from parkguard.supplies.forms import AreaForm, DoneForm, ItemForm, MinimumForm, MoveForm
from parkguard.supplies.models import DisinfectionTask, SupplyItem
from parkguard.supplies.rules import disinfection_places

# The longest span of days one disinfection export covers (a page bound, not policy).
EXPORT_MAX_DAYS = 62
EXPORT_DATES_BAD = "日期应为 YYYY-MM-DD，结束不早于开始，且不超过 {days} 天"


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)


@login_required
@require_http_methods(["GET", "POST"])
def ledger(request: HttpRequest, enterprise_id: int) -> HttpResponse:
    """The stock ledger: items, days of cover against the minimum, alerts, and the moves."""
    scope = scope_of(request)
    enterprise = selectors.enterprise_for_supplies(scope=scope, enterprise_id=enterprise_id)
    now = timezone.now()
    items = visible(scope, SupplyItem).filter(enterprise=enterprise)
    units = visible(scope, OrgUnit).filter(enterprise=enterprise).order_by("name")
    item_form = ItemForm(request.POST if request.POST.get("form") == "item" else None)
    move_form = MoveForm(
        request.POST if request.POST.get("form") == "move" else None,
        items=[(i.pk, i.name) for i in items],
        units=[(u.pk, u.name) for u in units],
    )
    if request.method == "POST":
        done = _ledger_post(request, enterprise, item_form, move_form, now)
        if done:
            return redirect("supplies_ledger", enterprise.pk)
    context = {
        "e": enterprise,
        "ledger": selectors.supplies_ledger(scope=scope, enterprise=enterprise, at=now),
        "moves": selectors.supply_moves(scope=scope, enterprise=enterprise)[:50],
        "item_form": item_form,
        "move_form": move_form,
        "can_manage": can(scope, "manage_supplies", enterprise),
    }
    return render(request, "supplies/ledger.html", context)


def _ledger_post(
    request: HttpRequest,
    enterprise: Enterprise,
    item_form: ItemForm,
    move_form: MoveForm,
    now: Any,
) -> bool:
    scope = scope_of(request)
    try:
        if request.POST.get("form") == "item":
            if not item_form.is_valid():
                return False
            services.supply_item_create(
                scope=scope, enterprise=enterprise, **item_form.cleaned_data
            )
            messages.success(request, "已添加物资")
            return True
        if not move_form.is_valid():
            return False
        data = move_form.cleaned_data
        item = get_visible_or_404(scope, SupplyItem, pk=data["item"], enterprise=enterprise)
        common = {"scope": scope, "item": item, "quantity": data["quantity"], "at": now}
        by = _user(request)
        if data["kind"] == MoveKind.RECEIPT:
            services.stock_receive(
                **common, expires_on=data["expires_on"], note=data["note"], by=by
            )
        elif data["kind"] == MoveKind.ISSUE:
            unit = OrgUnit.objects.filter(pk=data["org_unit"]).first() if data["org_unit"] else None
            services.stock_issue(**common, org_unit=unit, note=data["note"], by=by)
        elif data["kind"] == MoveKind.REPLACE:
            services.stock_replace(
                **common, expires_on=data["expires_on"], note=data["note"], by=by
            )
        else:
            services.stock_dispose(**common, note=data["note"], by=by)
    except ValidationError as exc:
        form_errors_apply(item_form if request.POST.get("form") == "item" else move_form, exc)
        return False
    messages.success(request, "已登记")
    return True


@login_required
@require_GET
def ledger_export(request: HttpRequest, enterprise_id: int) -> HttpResponse:
    scope = scope_of(request)
    enterprise = selectors.enterprise_for_supplies(scope=scope, enterprise_id=enterprise_id)
    now = timezone.now()
    body = ledger_xlsx(
        ledger=selectors.supplies_ledger(scope=scope, enterprise=enterprise, at=now),
        moves=list(selectors.supply_moves(scope=scope, enterprise=enterprise)),
        at=now,
    )
    response = HttpResponse(body, content_type=XLSX)
    response["Content-Disposition"] = 'attachment; filename="supplies.xlsx"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def park_cover(request: HttpRequest, jurisdiction_id: int) -> HttpResponse:
    """Every enterprise's days of cover on a chart (a table without scripts), and the park's
    minimum with its basis, which the park admin sets."""
    scope = scope_of(request)
    park = selectors.park_for_supplies(scope=scope, jurisdiction_id=jurisdiction_id)
    now = timezone.now()
    form = MinimumForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.cover_minimum_set(
                scope=scope, park=park, **form.cleaned_data, at=now, by=_user(request)
            )
        except ValidationError as exc:
            form_errors_apply(form, exc)
        else:
            messages.success(request, "已保存最低保障天数")
            return redirect("supplies_park", park.pk)
    minimum, rows = selectors.park_cover(scope=scope, park=park, at=now)
    chart = {
        "names": [r.name for r in rows],
        "cover": [None if r.lowest_cover is None else float(r.lowest_cover) for r in rows],
        "low": [r.low_items > 0 for r in rows],
        "minimum": minimum.days if minimum else None,
    }
    context = {
        "park": park,
        "minimum": minimum,
        "rows": rows,
        "chart": chart,
        "form": form,
        "can_set": can(scope, "administer", park),
    }
    return render(request, "supplies/park.html", context)


# --- disinfection -----------------------------------------------------------------------
def _members(enterprise: Enterprise) -> list[tuple[int, str]]:
    users = (
        Membership.objects.filter(enterprise=enterprise)
        .select_related("user")
        .order_by("user__first_name", "user_id")
    )
    seen: dict[int, str] = {}
    for m in users:
        seen.setdefault(m.user_id, m.user.get_full_name() or m.user.username)
    return list(seen.items())


@login_required
@require_http_methods(["GET", "POST"])
def disinfection(request: HttpRequest, enterprise_id: int) -> HttpResponse:
    """The day's checklist of the enterprise, its areas, and the tasks missed before today."""
    scope = scope_of(request)
    enterprise = selectors.enterprise_for_supplies(scope=scope, enterprise_id=enterprise_id)
    today = timezone.localdate()
    places = disinfection_places(park=enterprise.jurisdiction, on=today)
    form = AreaForm(
        request.POST if request.POST.get("form") == "area" else None,
        places=places,
        users=_members(enterprise),
    )
    if request.method == "POST":
        try:
            if request.POST.get("form") == "area":
                if form.is_valid():
                    assignee_id = form.cleaned_data.pop("assignee")
                    services.disinfection_area_create(
                        scope=scope,
                        enterprise=enterprise,
                        **form.cleaned_data,
                        assignee=User.objects.filter(pk=assignee_id).first()
                        if assignee_id
                        else None,
                        on=today,
                    )
                    messages.success(request, "已添加消杀区域")
                    return redirect("supplies_disinfection", enterprise.pk)
            else:
                made = services.disinfection_day_generate(
                    scope=scope, enterprise=enterprise, on=today
                )
                messages.success(request, f"已生成今日消杀任务 {made} 项")
                return redirect("supplies_disinfection", enterprise.pk)
        except ValidationError as exc:
            form_errors_apply(form, exc)
    tasks = list(selectors.disinfection_day(scope=scope, enterprise=enterprise, on=today))
    context = {
        "e": enterprise,
        "today": today,
        "tasks": tasks,
        "done": sum(1 for t in tasks if t.done_at),
        "missed": selectors.disinfection_missed(scope=scope, enterprise=enterprise, before=today)[
            :50
        ],
        "areas": selectors.disinfection_areas(scope=scope, enterprise=enterprise),
        "places": places,
        "form": form,
        "done_form": DoneForm(),
        "can_manage": can(scope, "manage_disinfection", enterprise),
    }
    return render(request, "supplies/disinfection.html", context)


@login_required
@require_GET
def disinfection_export(request: HttpRequest, enterprise_id: int) -> HttpResponse:
    """The disinfection record of a span of days (default the last seven) as .xlsx."""
    scope = scope_of(request)
    enterprise = selectors.enterprise_for_supplies(scope=scope, enterprise_id=enterprise_id)
    today = timezone.localdate()
    try:
        start = dt.date.fromisoformat(request.GET.get("start") or str(today - dt.timedelta(days=6)))
        end = dt.date.fromisoformat(request.GET.get("end") or str(today))
    except ValueError:
        start, end = today, today - dt.timedelta(days=1)
    if not dt.timedelta(0) <= end - start < dt.timedelta(days=EXPORT_MAX_DAYS):
        return HttpResponseBadRequest(EXPORT_DATES_BAD.format(days=EXPORT_MAX_DAYS))
    tasks = selectors.disinfection_range(scope=scope, enterprise=enterprise, start=start, end=end)
    body = disinfection_xlsx(enterprise_name=enterprise.name, tasks=tasks, start=start, end=end)
    response = HttpResponse(body, content_type=XLSX)
    response["Content-Disposition"] = 'attachment; filename="disinfection.xlsx"'
    return response


@login_required
@require_GET
def disinfection_mine(request: HttpRequest) -> HttpResponse:
    """The assigned person's tasks today, on the phone."""
    scope = scope_of(request)
    today = timezone.localdate()
    tasks = list(selectors.my_disinfection_tasks(scope=scope, on=today))
    return render(
        request,
        "supplies/mine.html",
        {
            "tasks": tasks,
            "today": today,
            "done": sum(1 for t in tasks if t.done_at),
            "done_form": DoneForm(),
        },
    )


@login_required
@require_POST
def disinfection_done(request: HttpRequest, enterprise_id: int, task_id: int) -> HttpResponse:
    scope = scope_of(request)
    enterprise = get_visible_or_404(scope, Enterprise, pk=enterprise_id)
    task = get_visible_or_404(
        scope, DisinfectionTask.objects.select_related("area").defer("photo"), pk=task_id
    )
    form = DoneForm(request.POST, request.FILES)
    upload = request.FILES.get("photo")
    limit = services.settings.DISINFECTION_PHOTO_MAX_BYTES
    try:
        try:
            photo = upload_read(upload, max_bytes=limit) if upload else None
        except UploadRefused as refused:
            if refused.message != UPLOAD_EMPTY:
                raise ValidationError(
                    {"photo": services.PHOTO_TOO_LARGE.format(limit=limit // 1024)}
                ) from None
            photo = None
        if not form.is_valid():
            raise ValidationError(form.errors.get_json_data())
        services.disinfection_task_complete(
            scope=scope,
            enterprise=enterprise,
            task=task,
            photo=photo,
            note=form.cleaned_data["note"],
            at=timezone.now(),
            by=_user(request),
        )
    except ValidationError as exc:
        errors_flash(request, exc)
    else:
        messages.success(request, f"已完成：{task.area.name} {task.slot}")
    back = request.POST.get("back")
    if back == "mine":
        return redirect("supplies_disinfection_mine")
    return redirect("supplies_disinfection", enterprise.pk)
