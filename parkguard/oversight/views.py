"""Pages of oversight, phone first for inspectors: my visits, the checklist of a visit,
findings with photos, the rectification ledger, its export and the notification list."""

from __future__ import annotations

import calendar
from http import HTTPStatus
from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from parkguard.lib.forms import errors_flash, form_errors_apply
from parkguard.orgs.access import (
    NOT_ALLOWED,
    assessment_cadres,
    can,
    get_visible_or_404,
    require,
    scope_of,
    visible,
)
from parkguard.orgs.models import Enterprise, Jurisdiction
from parkguard.oversight import assessment, selectors, services
from parkguard.oversight.choices import (
    CheckResult,
    EventKind,
    PlanKind,
    PlanStatus,
    RectificationStatus,
)
from parkguard.oversight.exporting import assessment_xlsx, ledger_xlsx
from parkguard.oversight.forms import (
    AnswerForm,
    ApplicationForm,
    AssignForm,
    CaseForm,
    ChecklistItemForm,
    CloseForm,
    DecisionForm,
    DrillForm,
    DrillRecordForm,
    FindingForm,
    GapFixForm,
    GapLedgerForm,
    GroupForm,
    MemberForm,
    PlanDecisionForm,
    PlanForm,
    PlanSubmitForm,
    ReopenForm,
    ReplyForm,
    ReportForm,
    TrainingForm,
)
from parkguard.oversight.models import (
    Application,
    Drill,
    DrillGap,
    HotlineCase,
    Inspection,
    Photo,
    Plan,
    Rectification,
    ResponsibilityGroup,
)
from parkguard.oversight.photos import photos_check
from parkguard.policy.inspection import DRILL_INTERVAL_DAYS, HOTLINE_REPLY_HOURS

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)


def _park(request: HttpRequest, jurisdiction_id: int) -> Jurisdiction:
    return get_visible_or_404(scope_of(request), Jurisdiction, "oversee", pk=jurisdiction_id)


def _rectification(request: HttpRequest, rectification_id: int) -> Rectification:
    return get_visible_or_404(
        scope_of(request),
        Rectification.objects.select_related(
            "enterprise", "jurisdiction", "finding__inspection__inspector"
        ),
        pk=rectification_id,
    )


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """The inspector's, cadre's and park admin's start: visits, parks; officers: their items."""
    scope = scope_of(request)
    today = timezone.localdate()
    enterprises = visible(scope, Enterprise, "rectify").order_by("name")
    return render(
        request,
        "oversight/home.html",
        {
            "parks": selectors.parks_overseen(scope=scope),
            "visits": selectors.my_inspections(scope=scope)[:50],
            "enterprises": enterprises,
            "cadre_of": visible(scope, Enterprise).filter(park_cadre_id=scope.user_id),
            "today": today,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def park(request: HttpRequest, jurisdiction_id: int) -> HttpResponse:
    """A park's visits and the plan form (inspectors and park admins plan)."""
    scope = scope_of(request)
    place = _park(request, jurisdiction_id)
    choices = list(
        visible(scope, Enterprise)
        .filter(jurisdiction=place)
        .order_by("name")
        .values_list("pk", "name")
    )
    form = PlanForm(request.POST if request.method == "POST" else None, enterprises=choices)
    if request.method == "POST" and form.is_valid():
        enterprise = get_visible_or_404(
            scope, Enterprise, pk=form.cleaned_data["enterprise"], jurisdiction=place
        )
        try:
            inspection = services.inspection_plan(
                scope=scope,
                enterprise=enterprise,
                planned_on=form.cleaned_data["planned_on"],
                inspector=_user(request),
                purpose=form.cleaned_data["purpose"],
                at=timezone.now(),
            )
        except ValidationError as exc:
            form_errors_apply(form, exc)
        else:
            messages.success(request, "已加入督查计划")
            return redirect("oversight_inspection", inspection.pk)
    today = timezone.localdate()
    return render(
        request,
        "oversight/park.html",
        {
            "park": place,
            "form": form,
            "can_inspect": can(scope, "inspect", place),
            "inspections": selectors.inspections_for(scope=scope, park=place)[:200],
            "overdue": selectors.ledger(scope=scope, park=place, overdue_on=today).count(),
            "open": selectors.ledger(scope=scope, park=place)
            .exclude(status=RectificationStatus.CLOSED)
            .count(),
        },
    )


@login_required
@require_GET
def park_ledger(request: HttpRequest, jurisdiction_id: int) -> HttpResponse:
    scope = scope_of(request)
    place = _park(request, jurisdiction_id)
    today = timezone.localdate()
    status = request.GET.get("status", "")
    overdue = request.GET.get("overdue") == "1"
    rows = selectors.ledger(
        scope=scope, park=place, status=status, overdue_on=today if overdue else None
    )
    return render(
        request,
        "oversight/ledger.html",
        {
            "park": place,
            "rows": rows[:500],
            "status": status,
            "overdue": overdue,
            "statuses": RectificationStatus.choices,
            "today": today,
        },
    )


@login_required
@require_GET
def park_export(request: HttpRequest, jurisdiction_id: int) -> HttpResponse:
    """The ledger as an Excel workbook in the official layout."""
    scope = scope_of(request)
    place = _park(request, jurisdiction_id)
    rows = list(selectors.ledger(scope=scope, park=place))
    replies: dict[int, str] = {}
    for item in rows:
        for event in item.events.all():
            if event.kind == EventKind.REPLIED:
                replies[item.pk] = event.text
    data = ledger_xlsx(park_name=place.name, rows=rows, replies=replies, today=timezone.localdate())
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = "attachment; filename*=UTF-8''rectification-ledger.xlsx"
    return response


@login_required
@require_GET
def park_notices(request: HttpRequest, jurisdiction_id: int) -> HttpResponse:
    """The notification list (Z-6 通报): overdue and reported items, by enterprise."""
    scope = scope_of(request)
    place = _park(request, jurisdiction_id)
    return render(
        request,
        "oversight/notices.html",
        {"park": place, "rows": selectors.notices(scope=scope, park=place)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def park_checklist(request: HttpRequest, jurisdiction_id: int) -> HttpResponse:
    """The checklist in force: the packs' items with citations, and the park's own."""
    scope = scope_of(request)
    place = _park(request, jurisdiction_id)
    form = ChecklistItemForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.checklist_item_add(
                scope=scope, park=place, at=timezone.now(), **form.cleaned_data
            )
        except ValidationError as exc:
            form_errors_apply(form, exc)
        else:
            messages.success(request, "已添加检查项")
            return redirect("oversight_park_checklist", place.pk)
    return render(
        request,
        "oversight/checklist.html",
        {
            "park": place,
            "form": form,
            "entries": selectors.checklist_for(park=place, on=timezone.localdate()),
            "can_inspect": can(scope, "inspect", place),
        },
    )


def _inspection_context(request: HttpRequest, inspection: Inspection) -> dict[str, Any]:
    scope = scope_of(request)
    entries = (
        inspection.checklist
        if inspection.checklist
        else [
            {"key": e.key, "kind": e.kind, "text": e.text, "basis": e.basis, "result": ""}
            for e in selectors.checklist_for(park=inspection.jurisdiction, on=timezone.localdate())
        ]
    )
    return {
        "inspection": inspection,
        "entries": entries,
        "results": [c for c in CheckResult.choices if c[0]],
        "findings": visible(scope, Rectification)
        .filter(finding__inspection=inspection)
        .select_related("finding"),
        "can_inspect": can(scope, "inspect", inspection),
        "finding_form": FindingForm(),
    }


@login_required
@require_http_methods(["GET", "POST"])
def inspection(request: HttpRequest, inspection_id: int) -> HttpResponse:
    """One visit on the inspector's phone: the checklist to tick, then the findings."""
    scope = scope_of(request)
    visit = get_visible_or_404(
        scope, Inspection.objects.select_related("enterprise", "jurisdiction"), pk=inspection_id
    )
    context = _inspection_context(request, visit)
    if request.method == "POST":
        results = {
            e["key"]: (
                request.POST.get(f"result_{e['key']}", ""),
                request.POST.get(f"note_{e['key']}", ""),
            )
            for e in context["entries"]
        }
        try:
            services.inspection_record(
                scope=scope,
                inspection=visit,
                results=results,
                summary=request.POST.get("summary", ""),
                at=timezone.now(),
            )
        except ValidationError as exc:
            context["errors"] = [m for msgs in exc.message_dict.values() for m in msgs]
            return render(request, "oversight/inspection.html", context, status=422)
        messages.success(request, "检查结果已记录；请逐条登记发现的问题")
        return redirect("oversight_inspection", visit.pk)
    return render(request, "oversight/inspection.html", context)


@login_required
@require_POST
def finding_add(request: HttpRequest, inspection_id: int) -> HttpResponse:
    scope = scope_of(request)
    visit = get_visible_or_404(
        scope, Inspection.objects.select_related("enterprise", "jurisdiction"), pk=inspection_id
    )
    form = FindingForm(request.POST)
    context = _inspection_context(request, visit)
    context["finding_form"] = form
    if form.is_valid():
        try:
            photos = photos_check(request.FILES.getlist("photos"), field="photos")
            services.finding_add(
                scope=scope,
                inspection=visit,
                photos=photos,
                at=timezone.now(),
                by=_user(request),
                **form.cleaned_data,
            )
        except ValidationError as exc:
            form_errors_apply(form, exc)
        else:
            messages.success(request, "问题已登记，整改项已下发企业")
            return redirect("oversight_inspection", visit.pk)
    return render(request, "oversight/inspection.html", context, status=422)


@login_required
@require_GET
def enterprise(request: HttpRequest, enterprise_id: int) -> HttpResponse:
    """An enterprise's own rectification items (its officers answer them here)."""
    scope = scope_of(request)
    firm = get_visible_or_404(scope, Enterprise, pk=enterprise_id)
    rows = selectors.ledger(scope=scope, enterprise=firm)
    return render(
        request,
        "oversight/enterprise.html",
        {"enterprise": firm, "rows": rows, "today": timezone.localdate()},
    )


def _detail(request: HttpRequest, item: Rectification, **forms: Any) -> dict[str, Any]:
    scope = scope_of(request)
    threshold = selectors.threshold_for(park=item.jurisdiction, on=timezone.localdate())
    return {
        "item": item,
        "events": item.events.select_related("by").prefetch_related("photos"),
        "finding_photos": item.photos.filter(event__isnull=True).only("pk", "role"),
        "can_reply": can(scope, "rectify", item),
        "can_inspect": can(scope, "inspect", item),
        "threshold": threshold,
        "may_report": threshold is not None
        and item.refusals >= threshold.refusals
        and item.reported_at is None
        and item.status != RectificationStatus.CLOSED,
        "today": timezone.localdate(),
        "reply_form": forms.get("reply_form") or ReplyForm(),
        "close_form": forms.get("close_form") or CloseForm(),
        "reopen_form": forms.get("reopen_form") or ReopenForm(),
        "report_form": forms.get("report_form") or ReportForm(),
    }


@login_required
@require_GET
def rectification(request: HttpRequest, rectification_id: int) -> HttpResponse:
    item = _rectification(request, rectification_id)
    return render(request, "oversight/rectification.html", _detail(request, item))


def _decide(
    request: HttpRequest, rectification_id: int, form_class: type[Any], name: str, done: str
) -> HttpResponse:
    scope = scope_of(request)
    item = _rectification(request, rectification_id)
    form = form_class(request.POST)
    if form.is_valid():
        try:
            if name == "reply_form":
                services.rectification_reply(
                    scope=scope,
                    rectification=item,
                    text=form.cleaned_data["text"],
                    evidence=photos_check(request.FILES.getlist("evidence"), field="evidence"),
                    at=timezone.now(),
                    by=_user(request),
                )
            elif name == "close_form":
                services.rectification_close(
                    scope=scope,
                    rectification=item,
                    at=timezone.now(),
                    by=_user(request),
                    **form.cleaned_data,
                )
            elif name == "reopen_form":
                services.rectification_reopen(
                    scope=scope,
                    rectification=item,
                    at=timezone.now(),
                    by=_user(request),
                    **form.cleaned_data,
                )
            else:
                services.rectification_report(
                    scope=scope,
                    rectification=item,
                    at=timezone.now(),
                    by=_user(request),
                    **form.cleaned_data,
                )
        except ValidationError as exc:
            form_errors_apply(form, exc)
        else:
            messages.success(request, done)
            return redirect("oversight_rectification", item.pk)
    item.refresh_from_db()
    return render(
        request, "oversight/rectification.html", _detail(request, item, **{name: form}), status=422
    )


@login_required
@require_POST
def rectification_reply(request: HttpRequest, rectification_id: int) -> HttpResponse:
    return _decide(request, rectification_id, ReplyForm, "reply_form", "整改情况已提交，等待复核")


@login_required
@require_POST
def rectification_close(request: HttpRequest, rectification_id: int) -> HttpResponse:
    return _decide(request, rectification_id, CloseForm, "close_form", "已复核销号")


@login_required
@require_POST
def rectification_reopen(request: HttpRequest, rectification_id: int) -> HttpResponse:
    return _decide(request, rectification_id, ReopenForm, "reopen_form", "已退回企业重新整改")


@login_required
@require_POST
def rectification_report(request: HttpRequest, rectification_id: int) -> HttpResponse:
    return _decide(request, rectification_id, ReportForm, "report_form", "已上报专项工作组")


@login_required
@require_GET
def photo(request: HttpRequest, photo_id: int) -> HttpResponse:
    """A photo's bytes, with the type read at upload; never guessed by the browser."""
    picture = get_visible_or_404(scope_of(request), Photo, pk=photo_id)
    response = HttpResponse(bytes(picture.content), content_type=picture.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=3600"
    return response


# --- approvals ------------------------------------------------------------------------------
@login_required
@require_http_methods(["GET", "POST"])
def enterprise_applications(request: HttpRequest, enterprise_id: int) -> HttpResponse:
    """An enterprise's applications and the form (its officers apply)."""
    scope = scope_of(request)
    firm = get_visible_or_404(scope, Enterprise, pk=enterprise_id)
    form = ApplicationForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            application = services.application_submit(
                scope=scope,
                enterprise=firm,
                at=timezone.now(),
                by=_user(request),
                **form.cleaned_data,
            )
        except ValidationError as exc:
            form_errors_apply(form, exc)
        else:
            messages.success(
                request,
                "申请已提交" if application.route.get("approval") else "已登记：按规则无需审批",
            )
            return redirect("oversight_application", application.pk)
    return render(
        request,
        "oversight/applications.html",
        {
            "enterprise": firm,
            "form": form,
            "rows": selectors.applications_for(scope=scope, enterprise=firm),
            "can_apply": can(scope, "apply", firm),
        },
        status=HTTPStatus.UNPROCESSABLE_ENTITY if form.errors else HTTPStatus.OK,
    )


@login_required
@require_GET
def park_applications(request: HttpRequest, jurisdiction_id: int) -> HttpResponse:
    scope = scope_of(request)
    place = _park(request, jurisdiction_id)
    return render(
        request,
        "oversight/applications.html",
        {"park": place, "rows": selectors.applications_for(scope=scope, park=place)},
    )


def _application_page(
    request: HttpRequest, item: Application, form: Any, status: int = HTTPStatus.OK
) -> HttpResponse:
    scope = scope_of(request)
    return render(
        request,
        "oversight/application.html",
        {"item": item, "form": form, "can_approve": can(scope, "approve", item)},
        status=status,
    )


@login_required
@require_GET
def application(request: HttpRequest, application_id: int) -> HttpResponse:
    item = get_visible_or_404(
        scope_of(request), Application.objects.select_related("enterprise"), pk=application_id
    )
    return _application_page(request, item, DecisionForm())


@login_required
@require_POST
def application_decide(request: HttpRequest, application_id: int) -> HttpResponse:
    scope = scope_of(request)
    item = get_visible_or_404(
        scope, Application.objects.select_related("enterprise"), pk=application_id
    )
    form = DecisionForm(request.POST)
    if form.is_valid():
        try:
            services.application_decide(
                scope=scope,
                application=item,
                at=timezone.now(),
                by=_user(request),
                **form.cleaned_data,
            )
        except ValidationError as exc:
            form_errors_apply(form, exc)
        else:
            messages.success(request, "已审批")
            return redirect("oversight_application", item.pk)
    return _application_page(request, item, form, status=422)


# --- responsibility -----------------------------------------------------------------------
@login_required
@require_http_methods(["GET", "POST"])
def park_responsibility(request: HttpRequest, jurisdiction_id: int) -> HttpResponse:
    """The park's leading group and task teams, with members and duties (Z-2.1, H-3)."""
    scope = scope_of(request)
    place = _park(request, jurisdiction_id)
    form = GroupForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.group_create(
                scope=scope, park=place, enterprise=None, at=timezone.now(), **form.cleaned_data
            )
        except ValidationError as exc:
            form_errors_apply(form, exc)
        else:
            return redirect("oversight_park_responsibility", place.pk)
    return render(
        request,
        "oversight/responsibility.html",
        {
            "park": place,
            "groups": selectors.park_groups(scope=scope, park=place),
            "form": form,
            "can_edit": can(scope, "administer", place),
            "member_form": MemberForm(),
            "enterprises": visible(scope, Enterprise)
            .filter(jurisdiction=place)
            .select_related("park_cadre", "supervision_office")
            .order_by("name"),
        },
        status=HTTPStatus.UNPROCESSABLE_ENTITY if form.errors else HTTPStatus.OK,
    )


@login_required
@require_http_methods(["GET", "POST"])
def enterprise_responsibility(request: HttpRequest, enterprise_id: int) -> HttpResponse:
    """Who answers for an enterprise: first responsible person, task team, officers, cadre,
    supervising office (Z-2.1, J-2.3, H-3)."""
    scope = scope_of(request)
    firm = get_visible_or_404(
        scope,
        Enterprise.objects.select_related("park_cadre", "supervision_office", "community_liaison"),
        pk=enterprise_id,
    )
    form = GroupForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.group_create(
                scope=scope,
                park=firm.jurisdiction,
                enterprise=firm,
                at=timezone.now(),
                **form.cleaned_data,
            )
        except ValidationError as exc:
            form_errors_apply(form, exc)
        else:
            return redirect("oversight_enterprise_responsibility", firm.pk)
    return render(
        request,
        "oversight/responsibility.html",
        {
            "responsibility": selectors.responsibility_of(scope=scope, enterprise=firm),
            "groups": selectors.responsibility_of(scope=scope, enterprise=firm).groups,
            "form": form,
            "can_edit": can(scope, "change", firm),
            "member_form": MemberForm(),
        },
        status=HTTPStatus.UNPROCESSABLE_ENTITY if form.errors else HTTPStatus.OK,
    )


@login_required
@require_POST
def group_member_add(request: HttpRequest, group_id: int) -> HttpResponse:
    scope = scope_of(request)
    group = get_visible_or_404(scope, ResponsibilityGroup, pk=group_id)
    form = MemberForm(request.POST)
    if form.is_valid():
        try:
            services.group_member_add(scope=scope, group=group, **form.cleaned_data)
        except ValidationError as exc:
            for msgs in exc.message_dict.values():
                for m in msgs:
                    messages.error(request, m)
    if group.enterprise_id:
        return redirect("oversight_enterprise_responsibility", group.enterprise_id)
    return redirect("oversight_park_responsibility", group.jurisdiction_id)


@login_required
@require_GET
def my_enterprises(request: HttpRequest) -> HttpResponse:
    """A cadre's board of the enterprises they are assigned to (包企干部, Z-2.1)."""
    scope = scope_of(request)
    today = timezone.localdate()
    return render(
        request,
        "oversight/my_enterprises.html",
        {
            "rows": selectors.cadre_board(scope=scope, on=today),
            "today": today,
            "parks": [
                p
                for p in selectors.parks_overseen(scope=scope)
                if assessment_cadres(scope, p).exists()
            ],
        },
    )


@login_required
@require_GET
def park_readiness(request: HttpRequest, jurisdiction_id: int) -> HttpResponse:
    """The epidemic-free factory board (J-2.5): each enterprise's points with their evidence
    and citations, ranked, with a chart."""
    scope = scope_of(request)
    place = _park(request, jurisdiction_id)
    now = timezone.now()
    rows = selectors.readiness_board(scope=scope, park=place, on=timezone.localdate(now), at=now)
    return render(
        request,
        "oversight/readiness.html",
        {
            "park": place,
            "rows": rows,
            "whitelisted": [r for r in rows if r.enterprise.whitelisted],
            "chart": {
                "names": [r.enterprise.name for r in rows],
                "percent": [r.percent for r in rows],
                "met": [r.met for r in rows],
                "total": [r.total for r in rows],
                "whitelisted": [r.enterprise.whitelisted for r in rows],
            },
        },
    )


# --- plans (一园一策、一企一策, Z-4.1) -------------------------------------------------------
def _plan_form(request: HttpRequest, park: Jurisdiction, kind: str) -> PlanSubmitForm:
    sections = selectors.plan_sections_for(park=park, on=timezone.localdate(), kind=kind)
    return PlanSubmitForm(request.POST if request.method == "POST" else None, sections=sections)


def _plan_submit(
    request: HttpRequest, form: PlanSubmitForm, park: Jurisdiction, firm: Enterprise | None
) -> HttpResponse | None:
    if request.method != "POST" or not form.is_valid():
        return None
    try:
        plan = services.plan_submit(
            scope=scope_of(request),
            park=park,
            enterprise=firm,
            title=form.cleaned_data["title"],
            texts=form.texts(),
            at=timezone.now(),
            by=_user(request),
        )
    except ValidationError as exc:
        form_errors_apply(form, exc)
        return None
    messages.success(request, f"预案第 {plan.version} 版已提交，等待园区审批")
    return redirect("oversight_plan", plan.pk)


@login_required
@require_http_methods(["GET", "POST"])
def park_plans(request: HttpRequest, jurisdiction_id: int) -> HttpResponse:
    """The park's plan (一园一策) by version, every enterprise's plan, and the park admin's
    form for a new version of the park's plan."""
    scope = scope_of(request)
    place = _park(request, jurisdiction_id)
    form = _plan_form(request, place, PlanKind.PARK)
    if request.method == "POST":
        require(scope, "administer", place)
        done = _plan_submit(request, form, place, None)
        if done is not None:
            return done
    return render(
        request,
        "oversight/plans.html",
        {
            "park": place,
            "park_plans": selectors.plans_for(scope=scope, park=place, kind=PlanKind.PARK),
            "plans": selectors.plans_for(scope=scope, park=place, kind=PlanKind.ENTERPRISE),
            "form": form,
            "can_submit": can(scope, "administer", place),
        },
        status=HTTPStatus.UNPROCESSABLE_ENTITY if form.errors else HTTPStatus.OK,
    )


@login_required
@require_http_methods(["GET", "POST"])
def enterprise_plans(request: HttpRequest, enterprise_id: int) -> HttpResponse:
    """An enterprise's plan (一企一策) by version, its drills with their gaps, its training
    and publicity; its officers submit a new version, schedule drills, record training."""
    scope = scope_of(request)
    firm = get_visible_or_404(
        scope, Enterprise.objects.select_related("jurisdiction"), pk=enterprise_id
    )
    if not (can(scope, "apply", firm) or can(scope, "oversee", firm)):
        raise PermissionDenied
    form = _plan_form(request, firm.jurisdiction, PlanKind.ENTERPRISE)
    if request.method == "POST":
        require(scope, "apply", firm)
        done = _plan_submit(request, form, firm.jurisdiction, firm)
        if done is not None:
            return done
    park = firm.jurisdiction
    return render(
        request,
        "oversight/enterprise_plans.html",
        {
            "enterprise": firm,
            "plans": selectors.plans_for(scope=scope, park=park, enterprise=firm),
            "drills": selectors.drills_for(scope=scope, park=park, enterprise=firm),
            "trainings": selectors.trainings_for(scope=scope, park=park, enterprise=firm),
            "interval": selectors.figure_for(
                park=park, on=timezone.localdate(), name=DRILL_INTERVAL_DAYS
            ),
            "form": form,
            "drill_form": DrillForm(),
            "training_form": TrainingForm(),
            "can_submit": can(scope, "apply", firm),
            "can_drill": can(scope, "manage_drills", firm),
        },
        status=HTTPStatus.UNPROCESSABLE_ENTITY if form.errors else HTTPStatus.OK,
    )


def _plan_page(
    request: HttpRequest, plan: Plan, form: Any, status: int = HTTPStatus.OK
) -> HttpResponse:
    scope = scope_of(request)
    return render(
        request,
        "oversight/plan.html",
        {
            "plan": plan,
            "form": form,
            "can_decide": can(scope, "approve", plan) and plan.status == PlanStatus.SUBMITTED,
            "versions": Plan.objects.filter(
                jurisdiction=plan.jurisdiction, enterprise=plan.enterprise, kind=plan.kind
            ).only("pk", "version", "status", "submitted_at"),
        },
        status=status,
    )


def _plan_of(request: HttpRequest, plan_id: int) -> Plan:
    return get_visible_or_404(
        scope_of(request),
        Plan.objects.select_related("enterprise", "jurisdiction", "submitted_by", "decided_by"),
        pk=plan_id,
    )


@login_required
@require_GET
def plan(request: HttpRequest, plan_id: int) -> HttpResponse:
    return _plan_page(request, _plan_of(request, plan_id), PlanDecisionForm())


@login_required
@require_POST
def plan_decide(request: HttpRequest, plan_id: int) -> HttpResponse:
    item = _plan_of(request, plan_id)
    form = PlanDecisionForm(request.POST)
    if form.is_valid():
        try:
            services.plan_decide(
                scope=scope_of(request),
                plan=item,
                at=timezone.now(),
                by=_user(request),
                **form.cleaned_data,
            )
        except ValidationError as exc:
            form_errors_apply(form, exc)
        else:
            messages.success(request, "已批准" if form.cleaned_data["approve"] else "已退回修改")
            return redirect("oversight_plan", item.pk)
    return _plan_page(request, item, form, status=HTTPStatus.UNPROCESSABLE_ENTITY)


# --- drills, gaps, training (Z-4.1, J-2.2) -----------------------------------------------
@login_required
@require_http_methods(["GET", "POST"])
def park_drills(request: HttpRequest, jurisdiction_id: int) -> HttpResponse:
    """Every drill and training record of the park; the park's own drills and training."""
    scope = scope_of(request)
    place = _park(request, jurisdiction_id)
    drill_form = DrillForm(request.POST if "scenario" in request.POST else None)
    training_form = TrainingForm(request.POST if "topic" in request.POST else None)
    done = _drill_or_training(request, drill_form, training_form, place, None)
    if done is not None:
        return done
    return render(
        request,
        "oversight/drills.html",
        {
            "park": place,
            "drills": selectors.drills_for(scope=scope, park=place),
            "trainings": selectors.trainings_for(scope=scope, park=place),
            "drill_form": drill_form,
            "training_form": training_form,
            "can_drill": can(scope, "manage_drills", place),
        },
        status=HTTPStatus.UNPROCESSABLE_ENTITY
        if drill_form.errors or training_form.errors
        else HTTPStatus.OK,
    )


def _drill_or_training(
    request: HttpRequest,
    drill_form: DrillForm,
    training_form: TrainingForm,
    park: Jurisdiction,
    firm: Enterprise | None,
) -> HttpResponse | None:
    if request.method != "POST":
        return None
    scope = scope_of(request)
    require(scope, "manage_drills", firm or park)
    back = (
        redirect("oversight_enterprise_plans", firm.pk)
        if firm
        else redirect("oversight_park_drills", park.pk)
    )
    try:
        if drill_form.is_bound and drill_form.is_valid():
            drill = services.drill_schedule(
                scope=scope,
                park=park,
                enterprise=firm,
                at=timezone.now(),
                **drill_form.cleaned_data,
            )
            messages.success(request, "演练已排入计划")
            return redirect("oversight_drill", drill.pk)
        if training_form.is_bound and training_form.is_valid():
            services.training_record(
                scope=scope,
                park=park,
                enterprise=firm,
                at=timezone.now(),
                **training_form.cleaned_data,
            )
            messages.success(request, "已记录")
            return back
    except ValidationError as exc:
        form_errors_apply(drill_form if drill_form.is_bound else training_form, exc)
    if not drill_form.is_bound and not training_form.is_bound:
        return back
    return None


@login_required
@require_POST
def enterprise_drills(request: HttpRequest, enterprise_id: int) -> HttpResponse:
    """An enterprise's officers schedule a drill or record training (from its plans page)."""
    scope = scope_of(request)
    firm = get_visible_or_404(
        scope, Enterprise.objects.select_related("jurisdiction"), pk=enterprise_id
    )
    drill_form = DrillForm(request.POST if "scenario" in request.POST else None)
    training_form = TrainingForm(request.POST if "topic" in request.POST else None)
    done = _drill_or_training(request, drill_form, training_form, firm.jurisdiction, firm)
    if done is not None:
        return done
    for form in (drill_form, training_form):
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, str(message))
    return redirect("oversight_enterprise_plans", firm.pk)


def _drill_of(request: HttpRequest, drill_id: int) -> Drill:
    return get_visible_or_404(
        scope_of(request),
        Drill.objects.select_related("enterprise", "jurisdiction").prefetch_related(
            "gaps__rectification"
        ),
        pk=drill_id,
    )


@login_required
@require_http_methods(["GET", "POST"])
def drill(request: HttpRequest, drill_id: int) -> HttpResponse:
    """A drill: its plan, then the record of it with the gaps found, each fixed or put on
    the rectification ledger."""
    scope = scope_of(request)
    item = _drill_of(request, drill_id)
    form = DrillRecordForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        require(scope, "manage_drills", item)
        if form.is_valid():
            try:
                services.drill_record(
                    scope=scope,
                    drill=item,
                    held_on=form.cleaned_data["held_on"],
                    participants=form.cleaned_data["participants"],
                    summary=form.cleaned_data["summary"],
                    gaps=form.gap_lines(),
                    at=timezone.now(),
                )
            except ValidationError as exc:
                form_errors_apply(form, exc)
            else:
                messages.success(request, "演练已记录")
                return redirect("oversight_drill", item.pk)
    return render(
        request,
        "oversight/drill.html",
        {
            "drill": item,
            "form": form,
            "fix_form": GapFixForm(),
            "ledger_form": GapLedgerForm(),
            "can_drill": can(scope, "manage_drills", item),
            "can_inspect": can(scope, "inspect", item),
        },
        status=HTTPStatus.UNPROCESSABLE_ENTITY if form.errors else HTTPStatus.OK,
    )


def _gap_of(request: HttpRequest, gap_id: int) -> DrillGap:
    return get_visible_or_404(
        scope_of(request), DrillGap.objects.select_related("drill"), pk=gap_id
    )


@login_required
@require_POST
def gap_fix(request: HttpRequest, gap_id: int) -> HttpResponse:
    gap = _gap_of(request, gap_id)
    form = GapFixForm(request.POST)
    form.is_valid()
    try:
        services.drill_gap_fix(
            scope=scope_of(request),
            gap=gap,
            note=form.cleaned_data.get("note", ""),
            at=timezone.now(),
        )
    except ValidationError as exc:
        errors_flash(request, exc)
    else:
        messages.success(request, "已记录整改情况")
    return redirect("oversight_drill", gap.drill_id)


@login_required
@require_POST
def gap_ledger(request: HttpRequest, gap_id: int) -> HttpResponse:
    gap = _gap_of(request, gap_id)
    form = GapLedgerForm(request.POST)
    form.is_valid()
    try:
        item = services.drill_gap_to_ledger(
            scope=scope_of(request),
            gap=gap,
            owner_name=form.cleaned_data.get("owner_name", ""),
            deadline=form.cleaned_data.get("deadline"),
            at=timezone.now(),
            by=_user(request),
        )
    except ValidationError as exc:
        errors_flash(request, exc)
        return redirect("oversight_drill", gap.drill_id)
    messages.success(request, "已列入整改台账")
    return redirect("oversight_rectification", item.pk)


# --- hotline and requests (B-3, L-3.1) ----------------------------------------------------
@login_required
@require_GET
def hotline(request: HttpRequest) -> HttpResponse:
    """Every hotline case and request the caller may see: open first by deadline, the time
    taken, overdue ones flagged; filters for mine, overdue and status."""
    scope = scope_of(request)
    now = timezone.now()
    parks = selectors.parks_overseen(scope=scope)
    park_id = request.GET.get("park", "")
    place = parks.filter(pk=int(park_id)).first() if park_id.isdigit() else None
    rows = selectors.hotline_cases(
        scope=scope,
        at=now,
        park=place,
        status=request.GET.get("status", ""),
        overdue_only=request.GET.get("overdue") == "1",
        mine=request.GET.get("mine") == "1",
    )
    return render(
        request,
        "oversight/hotline.html",
        {
            "rows": rows,
            "parks": parks,
            "park": place,
            "enterprises": visible(scope, Enterprise, "hotline").order_by("name"),
            "overdue": sum(r.overdue and r.case.status != "answered" for r in rows),
            "filters": request.GET,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def park_hotline(request: HttpRequest, jurisdiction_id: int) -> HttpResponse:
    """Park staff record a hotline call or a visit (举报、诉求、政策咨询)."""
    scope = scope_of(request)
    place = _park(request, jurisdiction_id)
    choices = list(
        visible(scope, Enterprise)
        .filter(jurisdiction=place)
        .order_by("name")
        .values_list("pk", "name")
    )
    form = CaseForm(request.POST if request.method == "POST" else None, enterprises=choices)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        about = (
            get_visible_or_404(scope, Enterprise, pk=data["about"], jurisdiction=place)
            if data.get("about")
            else None
        )
        try:
            case = services.case_record(
                scope=scope,
                park=place,
                enterprise=None,
                about=about,
                kind=data["kind"],
                channel=data["channel"],
                caller_name=data["caller_name"],
                caller_phone=data["caller_phone"],
                subject=data["subject"],
                text=data["text"],
                at=timezone.now(),
                by=_user(request),
            )
        except ValidationError as exc:
            form_errors_apply(form, exc)
        else:
            messages.success(request, "已登记")
            return redirect("oversight_case", case.pk)
    limit = selectors.figure_for(park=place, on=timezone.localdate(), name=HOTLINE_REPLY_HOURS)
    return render(
        request,
        "oversight/case_new.html",
        {"park": place, "form": form, "limit": limit, "can_record": can(scope, "hotline", place)},
        status=HTTPStatus.UNPROCESSABLE_ENTITY if form.errors else HTTPStatus.OK,
    )


@login_required
@require_http_methods(["GET", "POST"])
def enterprise_requests(request: HttpRequest, enterprise_id: int) -> HttpResponse:
    """An enterprise's own requests and policy questions to the park (L-3.1)."""
    scope = scope_of(request)
    firm = get_visible_or_404(
        scope, Enterprise.objects.select_related("jurisdiction"), pk=enterprise_id
    )
    require(scope, "hotline", firm)
    form = CaseForm(request.POST if request.method == "POST" else None, enterprises=[], own=True)
    if request.method == "POST" and form.is_valid():
        try:
            case = services.case_record(
                scope=scope,
                park=firm.jurisdiction,
                enterprise=firm,
                about=None,
                kind=form.cleaned_data["kind"],
                channel="",
                caller_name=_user(request).get_full_name(),
                caller_phone="",
                subject=form.cleaned_data["subject"],
                text=form.cleaned_data["text"],
                at=timezone.now(),
                by=_user(request),
            )
        except ValidationError as exc:
            form_errors_apply(form, exc)
        else:
            messages.success(request, "已提交园区")
            return redirect("oversight_case", case.pk)
    now = timezone.now()
    rows = [
        r
        for r in selectors.hotline_cases(scope=scope, at=now, park=firm.jurisdiction)
        if r.case.enterprise_id == firm.pk
    ]
    limit = selectors.figure_for(
        park=firm.jurisdiction, on=timezone.localdate(), name=HOTLINE_REPLY_HOURS
    )
    return render(
        request,
        "oversight/case_new.html",
        {"enterprise": firm, "form": form, "rows": rows, "limit": limit, "can_record": True},
        status=HTTPStatus.UNPROCESSABLE_ENTITY if form.errors else HTTPStatus.OK,
    )


def _case_of(request: HttpRequest, case_id: int) -> HotlineCase:
    return get_visible_or_404(
        scope_of(request),
        HotlineCase.objects.select_related(
            "jurisdiction", "enterprise", "about", "assignee", "answered_by", "recorded_by"
        ),
        pk=case_id,
    )


def _case_page(
    request: HttpRequest,
    case: HotlineCase,
    assign_form: AssignForm | None = None,
    answer_form: AnswerForm | None = None,
    status: int = HTTPStatus.OK,
) -> HttpResponse:
    scope = scope_of(request)
    staff = [
        (u.pk, u.get_full_name() or u.username) for u in selectors.park_staff(case.jurisdiction)
    ]
    may_assign = can(scope, "hotline_assign", case)
    mine = case.assignee_id == scope.user_id
    now = timezone.now()
    return render(
        request,
        "oversight/case.html",
        {
            "case": case,
            "overdue": selectors.case_overdue(case, now),
            "row": selectors.case_row(case, now),
            "assign_form": assign_form or AssignForm(staff=staff),
            "answer_form": answer_form or AnswerForm(),
            "can_assign": may_assign and case.status != "answered",
            "can_answer": (may_assign or mine)
            and can(scope, "hotline_answer", case)
            and case.status != "answered",
            "full_phone": may_assign or mine,
        },
        status=status,
    )


@login_required
@require_GET
def case(request: HttpRequest, case_id: int) -> HttpResponse:
    return _case_page(request, _case_of(request, case_id))


@login_required
@require_POST
def case_assign(request: HttpRequest, case_id: int) -> HttpResponse:
    item = _case_of(request, case_id)
    staff = [
        (u.pk, u.get_full_name() or u.username) for u in selectors.park_staff(item.jurisdiction)
    ]
    form = AssignForm(request.POST, staff=staff)
    if form.is_valid():
        assignee = selectors.park_staff(item.jurisdiction).get(pk=form.cleaned_data["assignee"])
        try:
            services.case_assign(
                scope=scope_of(request), case=item, assignee=assignee, at=timezone.now()
            )
        except ValidationError as exc:
            form_errors_apply(form, exc)
        else:
            messages.success(request, "已分派")
            return redirect("oversight_case", item.pk)
    return _case_page(request, item, assign_form=form, status=HTTPStatus.UNPROCESSABLE_ENTITY)


@login_required
@require_POST
def case_answer(request: HttpRequest, case_id: int) -> HttpResponse:
    item = _case_of(request, case_id)
    form = AnswerForm(request.POST)
    if form.is_valid():
        try:
            services.case_answer(
                scope=scope_of(request),
                case=item,
                answer=form.cleaned_data["answer"],
                at=timezone.now(),
                by=_user(request),
            )
        except ValidationError as exc:
            form_errors_apply(form, exc)
        else:
            messages.success(request, "已答复")
            return redirect("oversight_case", item.pk)
    return _case_page(request, item, answer_form=form, status=HTTPStatus.UNPROCESSABLE_ENTITY)


# --- the annual assessment of park cadres (年度考核, Z-6) --------------------------------------
def _assessment_scope(
    request: HttpRequest, jurisdiction_id: int
) -> tuple[Jurisdiction, QuerySet[User]]:
    """The park (404 outside it) and the cadres the caller may see there: all of them for its
    admins, oneself for a cadre; anyone else in the park (an inspector) is refused (403)."""
    scope = scope_of(request)
    place = _park(request, jurisdiction_id)
    cadres = assessment_cadres(scope, place)
    if not can(scope, "assess_cadres", place) and not cadres.exists():
        raise PermissionDenied(NOT_ALLOWED)
    return place, cadres


def _assessment_records(
    request: HttpRequest, place: Jurisdiction, cadres: QuerySet[User]
) -> tuple[int | None, list[assessment.CadreRecord], str]:
    """The year asked for and the records of the cadres shown (`?cadre=` narrows to one)."""
    today = timezone.localdate()
    try:
        year = assessment.year_parse(request.GET.get("year"), park=place, today=today)
    except ValueError as exc:
        return None, [], str(exc)
    wanted = request.GET.get("cadre", "")
    if wanted:
        cadres = cadres.filter(pk=int(wanted)) if wanted.isdigit() else cadres.none()
        if not cadres.exists():
            raise Http404(assessment.CADRE_UNKNOWN)
    records = assessment.assessment(
        scope=scope_of(request), park=place, cadres=cadres, year=year, today=today
    )
    return year, records, ""


@login_required
@require_GET
def park_assessment(request: HttpRequest, jurisdiction_id: int) -> HttpResponse:
    """Cadres' annual assessment: per cadre, the figures with their evidence and clauses, the
    readiness trend of their enterprises and the reference grade; printable, exportable."""
    place, cadres = _assessment_scope(request, jurisdiction_id)
    year, records, error = _assessment_records(request, place, cadres)
    first, last = assessment.years_offered(park=place, today=timezone.localdate())
    printing = request.GET.get("print") == "1"
    if printing and year is not None:
        services.assessment_export_record(
            scope=scope_of(request),
            park=place,
            year=year,
            cadre_ids=[r.cadre.pk for r in records],
            at=timezone.now(),
            by=_user(request),
            what="print",
        )
    return render(
        request,
        "oversight/assessment_print.html" if printing and year else "oversight/assessment.html",
        {
            "park": place,
            "year": year,
            "years": list(range(last, first - 1, -1)),
            "records": records,
            "error": error,
            "cadre": request.GET.get("cadre", ""),
            "all_cadres": can(scope_of(request), "assess_cadres", place),
            "today": timezone.localdate(),
            "months": list(range(1, len(calendar.month_abbr))),
        },
        status=HTTPStatus.BAD_REQUEST if error else HTTPStatus.OK,
    )


@login_required
@require_GET
def park_assessment_export(request: HttpRequest, jurisdiction_id: int) -> HttpResponse:
    """The assessment as an Excel workbook (audited)."""
    place, cadres = _assessment_scope(request, jurisdiction_id)
    year, records, error = _assessment_records(request, place, cadres)
    if year is None:
        return render(
            request,
            "oversight/assessment.html",
            {"park": place, "error": error, "records": [], "years": []},
            status=HTTPStatus.BAD_REQUEST,
        )
    services.assessment_export_record(
        scope=scope_of(request),
        park=place,
        year=year,
        cadre_ids=[r.cadre.pk for r in records],
        at=timezone.now(),
        by=_user(request),
        what="xlsx",
    )
    today = timezone.localdate()
    data = assessment_xlsx(park_name=place.name, year=year, records=records, today=today)
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''cadre-assessment-{year}.xlsx"
    return response


@login_required
@require_GET
def assessment_evidence(
    request: HttpRequest, jurisdiction_id: int, cadre_id: int, key: str
) -> HttpResponse:
    """The rows one figure of one cadre's year counts, each linked to its record."""
    place, cadres = _assessment_scope(request, jurisdiction_id)
    cadre = cadres.filter(pk=cadre_id).first()
    spec = assessment.SPECS.get(key)
    if cadre is None or spec is None:
        raise Http404(assessment.CADRE_UNKNOWN)
    today = timezone.localdate()
    try:
        year = assessment.year_parse(request.GET.get("year"), park=place, today=today)
    except ValueError as exc:
        return render(
            request,
            "oversight/assessment.html",
            {"park": place, "error": str(exc), "records": [], "years": []},
            status=HTTPStatus.BAD_REQUEST,
        )
    rows = assessment.assessment_evidence(
        scope=scope_of(request), park=place, cadre=cadre, year=year, key=key, today=today
    )
    return render(
        request,
        "oversight/assessment_evidence.html",
        {"park": place, "cadre": cadre, "year": year, "spec": spec, "rows": rows},
    )
