"""Pages of zones and incidents, phone first for officers. Views parse, call one service or
selector, and render; who may do what is decided in `orgs.access`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from parkguard.health.models import Alert
from parkguard.orgs.access import can, get_visible_or_404, scope_of, visible
from parkguard.people.choices import EmploymentStatus
from parkguard.people.models import Person
from parkguard.response import selectors, services
from parkguard.response.choices import BlockType, ZoneColour
from parkguard.response.models import Area, Contact, LinkageTask, ZoneMove

HISTORY_ROWS = 30
PEOPLE_ROWS = 2000
BAD_FORM = "请检查填写的内容"


class AreaForm(forms.Form):
    name = forms.CharField(max_length=80, required=False)
    block = forms.CharField(max_length=20, required=False)
    capacity = forms.IntegerField(required=False)
    zone = forms.CharField(max_length=10, required=False)
    is_isolation = forms.BooleanField(required=False)


class MoveForm(forms.Form):
    person = forms.IntegerField()
    colour = forms.CharField(max_length=10, required=False)
    area = forms.IntegerField(required=False)
    reason = forms.CharField(max_length=300, required=False)


class IncidentForm(forms.Form):
    person = forms.IntegerField()
    title = forms.CharField(max_length=120, required=False)


def _flash(request: HttpRequest, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


def _run(request: HttpRequest, call: Callable[[], Any], done: str) -> None:
    try:
        call()
    except ValidationError as exc:
        _flash(request, exc)
    else:
        messages.success(request, done)


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)


@login_required
@require_GET
def zones(request: HttpRequest, enterprise_id: int) -> HttpResponse:
    scope = scope_of(request)
    e = selectors.enterprise_for_response(scope=scope, enterprise_id=enterprise_id)
    areas = selectors.areas_of(scope=scope, enterprise=e)
    people = visible(scope, Person).filter(enterprise=e, status=EmploymentStatus.ACTIVE)
    return render(
        request,
        "response/zones.html",
        {
            "e": e,
            "areas": areas,
            "has_isolation": any(a.is_isolation for a, _ in areas),
            "in_zones": selectors.people_in_zones(scope=scope, enterprise=e)[:PEOPLE_ROWS],
            "pending": selectors.pending_moves(scope=scope, enterprise=e),
            "history": selectors.moves_of(scope=scope, enterprise=e)[:HISTORY_ROWS],
            "incidents": selectors.incidents_of(scope=scope, enterprise=e)[:HISTORY_ROWS],
            "people": people.order_by("name", "pk").values_list("pk", "name")[:PEOPLE_ROWS],
            "blocks": BlockType.choices,
            "colours": ZoneColour.choices,
            "can_manage": can(scope, "manage_zones", e),
            "me": request.user.pk,
        },
    )


@login_required
@require_POST
def area_create(request: HttpRequest, enterprise_id: int) -> HttpResponse:
    scope = scope_of(request)
    e = selectors.enterprise_for_response(scope=scope, enterprise_id=enterprise_id)
    form = AreaForm(request.POST)
    if not form.is_valid():
        messages.error(request, BAD_FORM)
        return redirect("response_zones", enterprise_id=e.pk)
    data = form.cleaned_data
    _run(
        request,
        lambda: services.area_create(
            scope=scope,
            enterprise=e,
            name=data["name"] or "",
            block=data["block"] or "",
            capacity=data["capacity"],
            zone=data["zone"] or ZoneColour.GREEN,
            is_isolation=bool(data["is_isolation"]),
            by=_user(request),
            at=timezone.now(),
        ),
        "已添加区块",
    )
    return redirect("response_zones", enterprise_id=e.pk)


@login_required
@require_POST
def move_request(request: HttpRequest, enterprise_id: int) -> HttpResponse:
    scope = scope_of(request)
    e = selectors.enterprise_for_response(scope=scope, enterprise_id=enterprise_id)
    form = MoveForm(request.POST)
    if not form.is_valid():
        messages.error(request, BAD_FORM)
        return redirect("response_zones", enterprise_id=e.pk)
    data = form.cleaned_data
    person = get_visible_or_404(scope, Person, pk=data["person"], enterprise=e)
    # An area of another enterprise is named, not hidden: the service refuses it by message.
    area = None
    if data.get("area"):
        area = get_visible_or_404(scope, Area, pk=data["area"])
    _run(
        request,
        lambda: services.zone_move_request(
            scope=scope,
            person=person,
            colour=data["colour"] or "",
            area=area,
            reason=data["reason"] or "",
            by=_user(request),
            at=timezone.now(),
        ),
        "已提交，须由另一人复核后生效",
    )
    return redirect("response_zones", enterprise_id=e.pk)


@login_required
@require_POST
def move_decide(request: HttpRequest, move_id: int) -> HttpResponse:
    scope = scope_of(request)
    move = get_visible_or_404(scope, ZoneMove.objects.select_related("person"), pk=move_id)
    _run(
        request,
        lambda: services.zone_move_decide(
            scope=scope,
            move=move,
            approve=request.POST.get("approve") == "1",
            by=_user(request),
            at=timezone.now(),
        ),
        "已复核",
    )
    return redirect("response_zones", enterprise_id=move.person.enterprise_id)


@login_required
@require_POST
def incident_open(request: HttpRequest, enterprise_id: int) -> HttpResponse:
    scope = scope_of(request)
    e = selectors.enterprise_for_response(scope=scope, enterprise_id=enterprise_id)
    form = IncidentForm(request.POST)
    if not form.is_valid():
        messages.error(request, BAD_FORM)
        return redirect("response_zones", enterprise_id=e.pk)
    person = get_visible_or_404(scope, Person, pk=form.cleaned_data["person"], enterprise=e)
    try:
        incident = services.incident_open(
            scope=scope,
            person=person,
            title=form.cleaned_data["title"] or "",
            by=_user(request),
            at=timezone.now(),
        )
    except ValidationError as exc:
        _flash(request, exc)
        return redirect("response_zones", enterprise_id=e.pk)
    return redirect("response_incident", incident_id=incident.pk)


@login_required
@require_POST
def incident_from_alert(request: HttpRequest, alert_id: int) -> HttpResponse:
    scope = scope_of(request)
    alert = get_visible_or_404(scope, Alert.objects.select_related("person"), pk=alert_id)
    try:
        incident = services.incident_open(
            scope=scope,
            person=alert.person,
            title=alert.reason,
            evidence=alert.kind,
            source=alert.status_source,
            detected_at=alert.opened_at,
            by=_user(request),
            at=timezone.now(),
        )
    except ValidationError as exc:
        _flash(request, exc)
        return redirect("response_zones", enterprise_id=alert.person.enterprise_id)
    return redirect("response_incident", incident_id=incident.pk)


@login_required
@require_GET
def incident(request: HttpRequest, incident_id: int) -> HttpResponse:
    scope = scope_of(request)
    found = selectors.incident_detail(scope=scope, incident_id=incident_id)
    return render(
        request,
        "response/incident.html",
        {
            "i": found,
            "e": found.enterprise,
            "timeline": selectors.timeline_of(incident=found),
            "chain": selectors.chain_of(scope=scope, incident=found),
            "tasks": found.tasks.select_related("owner"),
            "contacts": selectors.contacts_of(incident=found),
            "can_manage": can(scope, "manage_incidents", found),
            "now": timezone.now(),
        },
    )


def _incident_step(request: HttpRequest, incident_id: int, step: str) -> HttpResponse:
    scope = scope_of(request)
    found = selectors.incident_detail(scope=scope, incident_id=incident_id)
    by, at = _user(request), timezone.now()
    calls: dict[str, tuple[Callable[[], Any], str]] = {
        "report": (
            lambda: services.incident_report(scope=scope, incident=found, by=by, at=at),
            "已报告园区领导小组和街道社区",
        ),
        "isolate": (
            lambda: services.incident_isolate(scope=scope, incident=found, by=by, at=at),
            "已记录隔离并报请转运",
        ),
        "trace": (
            lambda: services.contacts_trace(scope=scope, incident=found, by=by, at=at),
            "已完成排查，请逐一核实候选",
        ),
    }
    call, done = calls[step]
    _run(request, call, done)
    return redirect("response_incident", incident_id=found.pk)


@login_required
@require_POST
def incident_report(request: HttpRequest, incident_id: int) -> HttpResponse:
    return _incident_step(request, incident_id, "report")


@login_required
@require_POST
def incident_isolate(request: HttpRequest, incident_id: int) -> HttpResponse:
    return _incident_step(request, incident_id, "isolate")


@login_required
@require_POST
def incident_trace(request: HttpRequest, incident_id: int) -> HttpResponse:
    return _incident_step(request, incident_id, "trace")


@login_required
@require_POST
def task_done(request: HttpRequest, task_id: int) -> HttpResponse:
    scope = scope_of(request)
    task = get_visible_or_404(scope, LinkageTask, pk=task_id)
    _run(
        request,
        lambda: services.linkage_task_done(
            scope=scope, task=task, by=_user(request), at=timezone.now()
        ),
        "已完成",
    )
    return redirect("response_incident", incident_id=task.incident_id)


@login_required
@require_POST
def contact_review(request: HttpRequest, contact_id: int) -> HttpResponse:
    scope = scope_of(request)
    contact = get_visible_or_404(scope, Contact, pk=contact_id)
    _run(
        request,
        lambda: services.contact_review(
            scope=scope,
            contact=contact,
            confirm=request.POST.get("confirm") == "1",
            by=_user(request),
            at=timezone.now(),
        ),
        "已核实",
    )
    return redirect("response_incident", incident_id=contact.incident_id)


@login_required
@require_GET
def park(request: HttpRequest, jurisdiction_id: int) -> HttpResponse:
    scope = scope_of(request)
    found = selectors.park_for_response(scope=scope, jurisdiction_id=jurisdiction_id)
    return render(
        request,
        "response/park.html",
        {"park": found, "board": selectors.park_board(scope=scope, park=found)},
    )
