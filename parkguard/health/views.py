"""Pages of daily health: the employee's declaration and status (phone first), and the
officer's board, alerts, checks, sick leave, vaccination coverage and signed summary."""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from parkguard.health import selectors, services
from parkguard.health.forms import (
    AlertCloseForm,
    DeclarationForm,
    ReadingForm,
    ReturnForm,
    SickLeaveForm,
    SummaryForm,
    VaccinationForm,
)
from parkguard.health.models import Alert, SickLeave
from parkguard.lib.forms import errors_flash, form_errors_apply
from parkguard.orgs.access import Scope, get_visible_or_404, require, scope_of, visible
from parkguard.orgs.models import Enterprise, Jurisdiction
from parkguard.orgs.selectors import parks_of
from parkguard.people.choices import EmploymentStatus
from parkguard.people.models import Person
from parkguard.status.selectors import person_status_get

CHART_DAYS = 14


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)


def _day(request: HttpRequest) -> dt.date:
    try:
        return dt.date.fromisoformat(request.GET.get("on", ""))
    except ValueError:
        return timezone.localdate()


def _people_choices(scope: Scope, enterprise: Enterprise) -> list[tuple[int, str]]:
    people = visible(scope, Person).filter(enterprise=enterprise, status=EmploymentStatus.ACTIVE)
    return [
        (pk, f"{name}（{unit or '未分配部门'}）")
        for pk, name, unit in people.order_by("name", "pk").values_list(
            "pk", "name", "org_unit__name"
        )
    ]


def _staff_person(scope: Scope, enterprise: Enterprise, person_id: object) -> Person:
    return get_visible_or_404(
        scope,
        Person.objects.select_related("enterprise__jurisdiction"),
        pk=person_id,
        enterprise=enterprise,
    )


# --- the employee ------------------------------------------------------------------------
@login_required
@require_http_methods(["GET", "POST"])
def declare(request: HttpRequest) -> HttpResponse:
    """Today's declaration on the phone; yesterday's answers pre-filled (Z-5.2c)."""
    scope = scope_of(request)
    person = selectors.my_person(scope=scope)
    if person is None:
        return render(request, "health/declare.html", {"no_person": selectors.NO_PERSON})
    now = timezone.now()
    today = timezone.localdate(now)
    rules = selectors.rules_for_enterprise(enterprise=person.enterprise, on=today)
    done = selectors.declaration_on(person=person, on=today)
    form = DeclarationForm(request.POST or None, symptoms=rules.symptoms)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            _, alert = services.declaration_submit(
                scope=scope,
                person=person,
                temperature=data["temperature"],
                symptoms=list(data["symptoms"]),
                case_contact=data["case_contact"],
                household_travel=data["household_travel"],
                household_travel_note=data["household_travel_note"],
                code_colour=data["code_colour"],
                at=now,
                by=_user(request),
            )
        except ValidationError as exc:
            form_errors_apply(form, exc)
        else:
            if alert is not None:
                messages.warning(request, f"已提交。{alert.reason}：请勿到岗，并按要求报告、就诊。")
            else:
                messages.success(request, "今日健康申报已提交，谢谢！")
            return redirect("health_me")
    elif request.method == "GET" and done is None:
        last = selectors.declaration_before(person=person, on=today)
        if last is not None:
            form = DeclarationForm(
                initial={
                    "temperature": last.temperature,
                    "symptoms": [s for s in last.symptoms if s in rules.symptoms],
                    "case_contact": last.case_contact,
                    "household_travel": last.household_travel,
                    "household_travel_note": last.household_travel_note,
                    "code_colour": last.code_colour,
                },
                symptoms=rules.symptoms,
            )
    return render(
        request,
        "health/declare.html",
        {"person": person, "form": form, "done": done, "rules": rules, "today": today},
    )


@login_required
@require_GET
def me(request: HttpRequest) -> HttpResponse:
    """My status: today's declaration, my holds with their reasons and citations."""
    scope = scope_of(request)
    person = selectors.my_person(scope=scope)
    if person is None:
        return render(request, "health/me.html", {"no_person": selectors.NO_PERSON})
    today = timezone.localdate()
    return render(
        request,
        "health/me.html",
        {
            "person": person,
            "status": person_status_get(person_id=person.pk),
            "done": selectors.declaration_on(person=person, on=today),
            "today": today,
        },
    )


# --- the officer ------------------------------------------------------------------------
def _board_context(scope: Scope, enterprise: Enterprise, on: dt.date) -> dict[str, Any]:
    return {
        "e": enterprise,
        "board": selectors.declaration_board(scope=scope, enterprise=enterprise, on=on),
        "on": on,
    }


@login_required
@require_GET
def board(request: HttpRequest, enterprise_id: int) -> HttpResponse:
    """Today's board: who has and has not declared, per org unit, refreshed live."""
    scope = scope_of(request)
    enterprise = selectors.enterprise_for_health(scope=scope, enterprise_id=enterprise_id)
    on = _day(request)
    rates = selectors.declaration_rates(scope=scope, enterprise=enterprise, end=on, days=CHART_DAYS)
    context = _board_context(scope, enterprise, on)
    headcount = context["board"].headcount
    context.update(
        {
            "chart": {
                "days": [d.strftime("%m-%d") for d, _ in rates],
                "rates": [round(100 * n / headcount, 1) if headcount else 0 for _, n in rates],
            },
            "can_manage": selectors.can_manage(scope, enterprise),
            "can_record": selectors.can_record(scope, enterprise),
        }
    )
    return render(request, "health/board.html", context)


@login_required
@require_GET
def board_live(request: HttpRequest, enterprise_id: int) -> HttpResponse:
    """The board's live part, polled by htmx."""
    scope = scope_of(request)
    enterprise = selectors.enterprise_for_health(scope=scope, enterprise_id=enterprise_id)
    return render(request, "health/_board.html", _board_context(scope, enterprise, _day(request)))


@login_required
@require_GET
def alert_list(request: HttpRequest, enterprise_id: int) -> HttpResponse:
    scope = scope_of(request)
    enterprise = selectors.enterprise_for_health(scope=scope, enterprise_id=enterprise_id)
    show_all = request.GET.get("all") == "1"
    rows = selectors.alerts(scope=scope, enterprise=enterprise, open_only=not show_all)[:200]
    return render(
        request,
        "health/alerts.html",
        {
            "e": enterprise,
            "alerts": rows,
            "show_all": show_all,
            "can_manage": selectors.can_manage(scope, enterprise),
            "form": AlertCloseForm(),
        },
    )


@login_required
@require_POST
def alert_close(request: HttpRequest, alert_id: int) -> HttpResponse:
    scope = scope_of(request)
    alert = get_visible_or_404(scope, Alert.objects.select_related("person"), pk=alert_id)
    require(scope, "manage_health", alert)
    form = AlertCloseForm(request.POST)
    form.is_valid()
    try:
        services.alert_close(
            scope=scope,
            alert=alert,
            note=form.cleaned_data.get("note", ""),
            at=timezone.now(),
            by=_user(request),
        )
    except ValidationError as exc:
        errors_flash(request, exc)
    else:
        messages.success(request, f"已解除 {alert.person.name} 的预警")
    return redirect("health_alerts", enterprise_id=alert.person.enterprise_id)


@login_required
@require_http_methods(["GET", "POST"])
def checks(request: HttpRequest, enterprise_id: int) -> HttpResponse:
    """Missed temperature checks of the day (B-2.2b) and a manual reading form."""
    scope = scope_of(request)
    enterprise = selectors.enterprise_for_health(scope=scope, enterprise_id=enterprise_id)
    on = _day(request)
    if request.method == "POST":
        require(scope, "record_temperature", enterprise)  # before parsing: no form echo
    form = ReadingForm(request.POST or None, initial={"source": "manual"})
    if request.method == "POST" and form.is_valid():
        person = _staff_person(scope, enterprise, form.cleaned_data["person"])
        try:
            _, alert = services.reading_record(
                scope=scope,
                person=person,
                temperature=form.cleaned_data["temperature"],
                source=form.cleaned_data["source"],
                place=form.cleaned_data["place"],
                at=timezone.now(),
                by=_user(request),
            )
        except ValidationError as exc:
            form_errors_apply(form, exc)
        else:
            messages.success(request, f"已记录 {person.name} 的体温")
            if alert is not None:
                messages.warning(request, f"{person.name}：{alert.reason}，已生成预警")
            return redirect("health_checks", enterprise_id=enterprise.pk)
    rules = selectors.rules_for_enterprise(enterprise=enterprise, on=on)
    return render(
        request,
        "health/checks.html",
        {
            "e": enterprise,
            "on": on,
            "rules": rules,
            "missed": selectors.missed_checks(
                scope=scope, enterprise=enterprise, on=on, rules=rules
            ),
            "readings": selectors.readings(scope=scope, enterprise=enterprise, on=on)[:100],
            "form": form,
            "can_record": selectors.can_record(scope, enterprise),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def sick_leave(request: HttpRequest, enterprise_id: int) -> HttpResponse:
    """Sick-leave records (B-2.3): who is off, why, since when, cleared by whom."""
    scope = scope_of(request)
    enterprise = selectors.enterprise_for_health(scope=scope, enterprise_id=enterprise_id)
    can_manage = selectors.can_manage(scope, enterprise)
    if request.method == "POST":
        require(scope, "manage_health", enterprise)
    people = _people_choices(scope, enterprise) if can_manage else []
    form = SickLeaveForm(
        request.POST or None, people=people, initial={"started_on": timezone.localdate()}
    )
    if request.method == "POST" and form.is_valid():
        person = _staff_person(scope, enterprise, form.cleaned_data["person"])
        try:
            services.sick_leave_open(
                scope=scope,
                person=person,
                reason=form.cleaned_data["reason"],
                started_on=form.cleaned_data["started_on"],
                at=timezone.now(),
                by=_user(request),
            )
        except ValidationError as exc:
            form_errors_apply(form, exc)
        else:
            messages.success(request, f"已登记 {person.name} 的病假")
            return redirect("health_sick_leave", enterprise_id=enterprise.pk)
    return render(
        request,
        "health/sick_leave.html",
        {
            "e": enterprise,
            "leaves": selectors.sick_leaves(scope=scope, enterprise=enterprise)[:200],
            "form": form,
            "return_form": ReturnForm(initial={"returned_on": timezone.localdate()}),
            "can_manage": can_manage,
        },
    )


@login_required
@require_POST
def sick_leave_return(request: HttpRequest, leave_id: int) -> HttpResponse:
    scope = scope_of(request)
    leave = get_visible_or_404(scope, SickLeave.objects.select_related("person"), pk=leave_id)
    require(scope, "manage_health", leave)
    form = ReturnForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请填写返岗日期")
    else:
        try:
            services.sick_leave_return(
                scope=scope,
                leave=leave,
                returned_on=form.cleaned_data["returned_on"],
                note=form.cleaned_data["note"],
                at=timezone.now(),
                by=_user(request),
            )
        except ValidationError as exc:
            errors_flash(request, exc)
        else:
            messages.success(request, f"{leave.person.name} 已准予返岗")
    return redirect("health_sick_leave", enterprise_id=leave.person.enterprise_id)


@login_required
@require_http_methods(["GET", "POST"])
def vaccination(request: HttpRequest, enterprise_id: int) -> HttpResponse:
    """Vaccination coverage of the enterprise and its units (J-1.5b); record a dose."""
    scope = scope_of(request)
    enterprise = selectors.enterprise_for_health(scope=scope, enterprise_id=enterprise_id)
    can_manage = selectors.can_manage(scope, enterprise)
    if request.method == "POST":
        require(scope, "manage_health", enterprise)
    people = _people_choices(scope, enterprise) if can_manage else []
    form = VaccinationForm(request.POST or None, people=people)
    if request.method == "POST" and form.is_valid():
        person = _staff_person(scope, enterprise, form.cleaned_data["person"])
        try:
            services.vaccination_record(
                scope=scope,
                person=person,
                dose=form.cleaned_data["dose"],
                given_on=form.cleaned_data["given_on"],
                kind=form.cleaned_data["kind"],
                at=timezone.now(),
                by=_user(request),
            )
        except ValidationError as exc:
            form_errors_apply(form, exc)
        else:
            messages.success(request, f"已登记 {person.name} 的接种记录")
            return redirect("health_vaccination", enterprise_id=enterprise.pk)
    total, units = selectors.vaccination_coverage(scope=scope, enterprise=enterprise)
    return render(
        request,
        "health/vaccination.html",
        {"e": enterprise, "total": total, "units": units, "form": form, "can_manage": can_manage},
    )


@login_required
@require_GET
def park_vaccination(request: HttpRequest, jurisdiction_id: int) -> HttpResponse:
    """Vaccination coverage per enterprise of a park (J-1.5b)."""
    scope = scope_of(request)
    park = get_visible_or_404(scope, parks_of(scope=scope), pk=jurisdiction_id)
    rows = selectors.park_vaccination_coverage(scope=scope, park=park)
    return render(request, "health/park_vaccination.html", {"park": park, "rows": rows})


@login_required
@require_http_methods(["GET", "POST"])
def summary(request: HttpRequest, enterprise_id: int) -> HttpResponse:
    """The day's staff-health summary, signed by a named person (Z-5.2c)."""
    scope = scope_of(request)
    enterprise = selectors.enterprise_for_health(scope=scope, enterprise_id=enterprise_id)
    on = _day(request)
    if request.method == "POST":
        require(scope, "manage_health", enterprise)
    form = SummaryForm(
        request.POST or None, initial={"signer_name": _user(request).get_full_name()}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.summary_sign(
                scope=scope,
                enterprise=enterprise,
                on=on,
                signer_name=form.cleaned_data["signer_name"],
                note=form.cleaned_data["note"],
                at=timezone.now(),
                by=_user(request),
            )
        except ValidationError as exc:
            form_errors_apply(form, exc)
        else:
            messages.success(request, "已签字确认当日员工健康汇总")
            return redirect(f"{request.path}?on={on.isoformat()}")
    signed = selectors.summary_get(scope=scope, enterprise=enterprise, on=on)
    rules = selectors.rules_for_enterprise(enterprise=enterprise, on=on)
    figures = (
        signed.figures
        if signed
        else selectors.summary_figures(scope=scope, enterprise=enterprise, on=on, rules=rules)
    )
    template = "health/summary_print.html" if request.GET.get("print") else "health/summary.html"
    return render(
        request,
        template,
        {
            "e": enterprise,
            "on": on,
            "signed": signed,
            "f": figures,
            "form": form,
            "can_manage": selectors.can_manage(scope, enterprise),
        },
    )


@login_required
@require_GET
def health_home(request: HttpRequest) -> HttpResponse:
    """Where the navigation's 健康 link lands: the declaration for an employee, the board of
    the caller's enterprise for an officer, the park's coverage for park staff."""
    scope = scope_of(request)
    enterprises = [
        e
        for e in visible(scope, Enterprise).select_related("jurisdiction").order_by("name")[:50]
        if selectors.can_oversee(scope, e)
    ]
    if len(enterprises) == 1 and not parks_of(scope=scope).exists():
        return redirect("health_board", enterprise_id=enterprises[0].pk)
    if not enterprises and selectors.my_person(scope=scope) is not None:
        return redirect("health_declare")
    parks: list[Jurisdiction] = list(parks_of(scope=scope))
    return render(
        request,
        "health/home.html",
        {"enterprises": enterprises, "parks": parks, "has_person": bool(scope.person_ids)},
    )
