"""Pages of production continuity, phone first: the enterprise's closed loop (switch on and
off, who is inside, the day's living support), its key posts with backups, rota and gaps
ahead, and the park's water, power and gas faults."""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from parkguard.continuity import selectors, services
from parkguard.continuity.forms import (
    AssignForm,
    DayForm,
    EndForm,
    FaultForm,
    LeaveForm,
    MemberForm,
    PostForm,
    RepairForm,
    RotaForm,
    StaffForm,
    StartForm,
)
from parkguard.continuity.models import KeyPost, LoopMember, UtilityFault
from parkguard.lib.forms import errors_flash, form_errors_apply
from parkguard.orgs.access import can, get_visible_or_404, scope_of, visible
from parkguard.orgs.models import Enterprise, Jurisdiction
from parkguard.people.choices import EmploymentStatus
from parkguard.people.models import Person
from parkguard.response.models import Incident


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)


def _people(enterprise: Enterprise, scope: Any) -> list[tuple[int, str]]:
    rows = (
        visible(scope, Person)
        .filter(enterprise=enterprise)
        .exclude(status=EmploymentStatus.LEFT)
        .order_by("name", "pk")
        .values_list("pk", "name", "workshop", "dormitory")
    )
    return [
        (pk, " · ".join(x for x in (name, workshop, dorm) if x))
        for pk, name, workshop, dorm in rows
    ]


def _run(request: HttpRequest, form: Form, call: Any, done: str) -> bool:
    """Validate `form`, call the service with its data; errors go onto the form."""
    if not form.is_valid():
        return False
    try:
        call(form.cleaned_data)
    except ValidationError as exc:
        form_errors_apply(form, exc)
        return False
    messages.success(request, done)
    return True


@login_required
@require_http_methods(["GET", "POST"])
def loop(request: HttpRequest, enterprise_id: int) -> HttpResponse:
    """The closed loop of one enterprise: switch it on (optionally from an incident), who is
    inside with their dormitory and workshop, the day's meals, lodging and medical needs."""
    scope = scope_of(request)
    enterprise = selectors.enterprise_for_continuity(scope=scope, enterprise_id=enterprise_id)
    now, by = timezone.now(), _user(request)
    plan = selectors.loop_current(scope=scope, enterprise=enterprise)
    which = request.POST.get("form", "")
    incident_id = request.GET.get("incident") or request.POST.get("incident")
    incident = (
        visible(scope, Incident).filter(pk=incident_id, enterprise=enterprise).first()
        if incident_id and str(incident_id).isdigit()
        else None
    )
    start = StartForm(
        request.POST if which == "start" else None,
        initial={
            "incident": incident.pk if incident else None,
            "reason": incident.title if incident else "",
        },
    )
    end = EndForm(request.POST if which == "end" else None)
    member = MemberForm(
        request.POST if which == "member" else None, people=_people(enterprise, scope)
    )
    day = DayForm(request.POST if which == "day" else None, initial={"on": timezone.localdate(now)})
    if request.method == "POST":
        ok = False
        if which == "start":
            ok = _run(
                request,
                start,
                lambda d: services.closed_loop_start(
                    scope=scope,
                    enterprise=enterprise,
                    reason=d["reason"],
                    incident=incident,
                    at=now,
                    by=by,
                ),
                "已启动闭环生产",
            )
        elif which == "end" and plan is not None:
            ok = _run(
                request,
                end,
                lambda d: services.closed_loop_end(
                    scope=scope, plan=plan, reason=d["reason"], at=now, by=by
                ),
                "已解除闭环生产",
            )
        elif which == "member" and plan is not None:
            ok = _run(
                request,
                member,
                lambda d: services.loop_member_add(
                    scope=scope,
                    plan=plan,
                    person=get_visible_or_404(scope, Person, pk=d["person"]),
                    at=now,
                    by=by,
                ),
                "已加入闭环",
            )
        elif which == "day" and plan is not None:
            ok = _run(
                request,
                day,
                lambda d: services.loop_day_record(scope=scope, plan=plan, **d, at=now, by=by),
                "已登记当日生活保障",
            )
        if ok:
            return redirect("continuity_loop", enterprise.pk)
    context = {
        "e": enterprise,
        "plan": plan,
        "incident": incident,
        "summary": selectors.loop_summary(plan=plan) if plan else None,
        "members": selectors.loop_members(scope=scope, plan=plan) if plan else [],
        "days": selectors.loop_days(scope=scope, plan=plan)[:14] if plan else [],
        "history": selectors.loop_history(scope=scope, enterprise=enterprise)[:10],
        "start_form": start,
        "end_form": end,
        "member_form": member,
        "day_form": day,
        "can_manage": can(scope, "manage_closed_loop", enterprise),
    }
    return render(request, "continuity/loop.html", context)


@login_required
@require_POST
def loop_member_remove(request: HttpRequest, member_id: int) -> HttpResponse:
    scope = scope_of(request)
    member = get_visible_or_404(scope, LoopMember.objects.select_related("plan"), pk=member_id)
    try:
        services.loop_member_remove(
            scope=scope, member=member, at=timezone.now(), by=_user(request)
        )
    except ValidationError as exc:
        errors_flash(request, exc)
    else:
        messages.success(request, "已移出闭环，此人将不能进出")
    return redirect("continuity_loop", member.plan.enterprise_id)


@login_required
@require_http_methods(["GET", "POST"])
def posts(request: HttpRequest, enterprise_id: int) -> HttpResponse:
    """Key posts and processes: who is on duty, the named backups, the rota and leave, and
    the days ahead when a post would fall under its minimum."""
    scope = scope_of(request)
    enterprise = selectors.enterprise_for_continuity(scope=scope, enterprise_id=enterprise_id)
    now = timezone.now()
    today = timezone.localdate(now)
    rows = selectors.key_posts(scope=scope, enterprise=enterprise)
    choices = [(r.post.pk, r.post.name) for r in rows]
    people = _people(enterprise, scope)
    which = request.POST.get("form", "")
    post_form = PostForm(request.POST if which == "post" else None)
    staff_form = StaffForm(request.POST if which == "staff" else None, posts=choices, people=people)
    rota_form = RotaForm(
        request.POST if which == "rota" else None,
        posts=choices,
        people=people,
        initial={"on": today},
    )
    leave_form = LeaveForm(request.POST if which == "leave" else None, people=people)

    def post_of(pk: int) -> KeyPost:
        return get_visible_or_404(scope, KeyPost, pk=pk, enterprise=enterprise)

    def person_of(pk: int) -> Person:
        return get_visible_or_404(scope, Person, pk=pk)

    if request.method == "POST":
        calls = {
            "post": (
                post_form,
                lambda d: services.key_post_create(scope=scope, enterprise=enterprise, **d, at=now),
                "已添加关键岗位",
            ),
            "staff": (
                staff_form,
                lambda d: services.post_staff_add(
                    scope=scope,
                    post=post_of(d["post"]),
                    person=person_of(d["person"]),
                    role=d["role"],
                ),
                "已加入岗位名单",
            ),
            "rota": (
                rota_form,
                lambda d: services.rota_shift_add(
                    scope=scope,
                    post=post_of(d["post"]),
                    person=person_of(d["person"]),
                    on=d["on"],
                    shift=d["shift"],
                ),
                "已排班",
            ),
            "leave": (
                leave_form,
                lambda d: services.leave_record(
                    scope=scope,
                    enterprise=enterprise,
                    person=person_of(d["person"]),
                    starts_on=d["starts_on"],
                    ends_on=d["ends_on"],
                    reason=d["reason"],
                    at=now,
                ),
                "已登记轮休请假",
            ),
        }
        if which in calls and _run(request, *calls[which]):
            return redirect("continuity_posts", enterprise.pk)
    horizon = selectors.gap_horizon(enterprise=enterprise, on=today)
    days = horizon.value if horizon else 1
    context = {
        "e": enterprise,
        "rows": rows,
        "horizon": horizon,
        "gaps": selectors.key_post_gaps(scope=scope, enterprise=enterprise, start=today, days=days),
        "rota": selectors.rota_days(scope=scope, enterprise=enterprise, start=today, days=days),
        "leaves": selectors.leaves_upcoming(scope=scope, enterprise=enterprise, start=today),
        "post_form": post_form,
        "staff_form": staff_form,
        "rota_form": rota_form,
        "leave_form": leave_form,
        "can_manage": can(scope, "manage_key_posts", enterprise),
        "today": today,
        "until": today + dt.timedelta(days=days - 1),
    }
    return render(request, "continuity/posts.html", context)


def _faults_page(
    request: HttpRequest, park: Jurisdiction, enterprise: Enterprise | None
) -> HttpResponse:
    scope = scope_of(request)
    now = timezone.now()
    if enterprise is None:
        choices: list[tuple[int, str]] | None = list(
            visible(scope, Enterprise)
            .filter(jurisdiction=park)
            .order_by("name")
            .values_list("pk", "name")
        )
    else:
        choices = None
    form = FaultForm(request.POST or None, enterprises=choices)
    if request.method == "POST":

        def report(d: dict[str, Any]) -> None:
            target = enterprise
            if enterprise is None and d.get("enterprise"):
                target = get_visible_or_404(scope, Enterprise, pk=d["enterprise"])
            services.fault_report(
                scope=scope,
                park=park,
                enterprise=target,
                utility=d["utility"],
                location=d["location"],
                description=d["description"],
                at=now,
                by=_user(request),
            )

        if _run(request, form, report, "已报修"):
            if enterprise is not None:
                return redirect("continuity_enterprise_faults", enterprise.pk)
            return redirect("continuity_faults", park.pk)
    rows = list(selectors.faults(scope=scope, park=park, enterprise=enterprise)[:100])
    context = {
        "park": park,
        "e": enterprise,
        "rows": rows,
        "overdue": {f.pk for f in selectors.faults_overdue(rows=rows, at=now)},
        "form": form,
        "can_report": can(scope, "report_fault", enterprise or park),
        "can_repair": can(scope, "repair_faults", park),
        "assign_form": AssignForm(),
        "repair_form": RepairForm(),
    }
    return render(request, "continuity/faults.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def park_faults(request: HttpRequest, jurisdiction_id: int) -> HttpResponse:
    """The park's water, power and gas faults: reported, assigned, repaired, overdue."""
    park = selectors.park_for_continuity(scope=scope_of(request), jurisdiction_id=jurisdiction_id)
    return _faults_page(request, park, None)


@login_required
@require_http_methods(["GET", "POST"])
def enterprise_faults(request: HttpRequest, enterprise_id: int) -> HttpResponse:
    """An enterprise's own faults, and where its officer reports one."""
    scope = scope_of(request)
    enterprise = selectors.enterprise_for_continuity(scope=scope, enterprise_id=enterprise_id)
    return _faults_page(request, enterprise.jurisdiction, enterprise)


def _fault_step(request: HttpRequest, fault_id: int, step: str) -> HttpResponse:
    scope = scope_of(request)
    fault = get_visible_or_404(scope, UtilityFault, pk=fault_id)
    now, by = timezone.now(), _user(request)
    try:
        if step == "assign":
            services.fault_assign(
                scope=scope, fault=fault, assignee=request.POST.get("assignee", ""), at=now, by=by
            )
        else:
            services.fault_repair(
                scope=scope, fault=fault, note=request.POST.get("note", ""), at=now, by=by
            )
    except ValidationError as exc:
        errors_flash(request, exc)
    else:
        messages.success(request, "已派修" if step == "assign" else "已登记修复")
    return redirect("continuity_faults", fault.park_id)


@login_required
@require_POST
def fault_assign(request: HttpRequest, fault_id: int) -> HttpResponse:
    return _fault_step(request, fault_id, "assign")


@login_required
@require_POST
def fault_repair(request: HttpRequest, fault_id: int) -> HttpResponse:
    return _fault_step(request, fault_id, "repair")
