"""Truck pages, phone first: the carrier's declaration through a signed link (no account),
the gate's list of the day's trucks with dwell timers, one truck's checks and entry, and exit."""

from __future__ import annotations

from typing import cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from parkguard.lib.forms import form_errors_apply
from parkguard.logistics import selectors, services
from parkguard.logistics.choices import VehicleKind
from parkguard.logistics.forms import (
    DeclarationForm,
    DriverForm,
    EntryForm,
    ExitForm,
    LinkForm,
    VehicleForm,
)
from parkguard.logistics.rules import truck_rules
from parkguard.orgs.access import can, scope_of


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)


@require_http_methods(["GET", "POST"])
def declare(request: HttpRequest, token: str) -> HttpResponse:
    """The carrier's phone page (J-1.3): plate, arrival, route, 7-day history, the crew."""
    now = timezone.now()
    try:
        link = services.declaration_link_resolve(token=token, at=now)
    except ValidationError:
        return render(
            request, "logistics/declare.html", {"invalid": services.LINK_INVALID}, status=404
        )
    rules = truck_rules(park=link.enterprise.jurisdiction, on=timezone.localdate(now))
    form = DeclarationForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                truck = services.truck_declare_by_link(
                    token=token,
                    plate=data["plate"],
                    planned_arrival=data["planned_arrival"],
                    route=data["route"],
                    travel_history=data["travel_history"],
                    crew=services.crew_from_rows(form.crew_rows()),
                    at=now,
                )
            except ValidationError as exc:
                form_errors_apply(form, exc)
            else:
                return render(request, "logistics/declared.html", {"truck": truck})
        context = {"form": form, "rules": rules}
        return render(request, "logistics/declare.html", context, status=422)
    return render(request, "logistics/declare.html", {"form": form, "rules": rules})


@login_required
@require_http_methods(["GET", "POST"])
def trucks(request: HttpRequest, enterprise_id: int) -> HttpResponse:
    """The gate's day: trucks due, inside (with dwell) and gone; links, register, exit."""
    scope = scope_of(request)
    enterprise = selectors.enterprise_for_trucks(scope=scope, enterprise_id=enterprise_id)
    now = timezone.now()
    which = request.POST.get("form")
    link_form = LinkForm(request.POST if which == "link" else None)
    vehicle_form = VehicleForm(request.POST if which == "vehicle" else None)
    exit_form = ExitForm(request.POST if which == "exit" else None)
    driver_form = DriverForm(request.POST if which == "driver" else None)
    status = 200
    if request.method == "POST":
        status = 422
        try:
            if which == "link" and link_form.is_valid():
                _, token = services.declaration_link_create(
                    scope=scope, enterprise=enterprise, label=link_form.cleaned_data["label"],
                    at=now, by=_user(request),
                )  # fmt: skip
                url = request.build_absolute_uri(reverse("logistics_declare", args=[token]))
                messages.success(request, f"申报链接（发给承运方，仅显示一次）：{url}")
                return redirect("logistics_trucks", enterprise.pk)
            if which == "vehicle" and vehicle_form.is_valid():
                services.vehicle_register(
                    scope=scope, enterprise=enterprise, kind=VehicleKind.OWN,
                    **vehicle_form.cleaned_data,
                )  # fmt: skip
                messages.success(request, "已登记车辆")
                return redirect("logistics_trucks", enterprise.pk)
            if which == "driver" and driver_form.is_valid():
                services.driver_register(
                    scope=scope, enterprise=enterprise, **driver_form.cleaned_data,
                    today=timezone.localdate(now),
                )  # fmt: skip
                messages.success(request, "已登记驾驶员")
                return redirect("logistics_trucks", enterprise.pk)
            if which == "exit" and exit_form.is_valid():
                truck = services.truck_exit(
                    scope=scope, enterprise=enterprise, plate=exit_form.cleaned_data["plate"],
                    at=now,
                )  # fmt: skip
                stayed = services.dwell_minutes(truck, now)
                messages.success(request, f"{truck.plate} 已离园，停留 {stayed} 分钟")
                return redirect("logistics_trucks", enterprise.pk)
            if which not in {"link", "vehicle", "driver", "exit"}:
                status = 400
        except ValidationError as exc:
            forms = {"link": link_form, "vehicle": vehicle_form, "driver": driver_form}
            form_errors_apply(forms.get(which or "", exit_form), exc)
    rules = truck_rules(park=enterprise.jurisdiction, on=timezone.localdate(now))
    rows = [
        (t, services.dwell_minutes(t, now))
        for t in selectors.trucks_of_day(
            scope=scope, enterprise=enterprise, on=timezone.localdate(now)
        )
    ]
    context = {
        "e": enterprise,
        "rows": rows,
        "rules": rules,
        "links": selectors.truck_links(scope=scope, enterprise=enterprise),
        "vehicles": selectors.vehicles(scope=scope, enterprise=enterprise),
        "drivers": selectors.drivers(scope=scope, enterprise=enterprise),
        "link_form": link_form,
        "vehicle_form": vehicle_form,
        "exit_form": exit_form,
        "driver_form": driver_form,
        "can_manage": can(scope, "manage_trucks", enterprise),
    }
    return render(request, "logistics/trucks.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def truck(request: HttpRequest, truck_id: int) -> HttpResponse:
    """One truck: its declaration and crew (ID numbers masked), the gate's checks and entry."""
    scope = scope_of(request)
    found = selectors.truck_get(scope=scope, truck_id=truck_id)
    now = timezone.now()
    form = EntryForm(request.POST or None)
    crew = list(found.crew.all())
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            temperatures = {m.pk: request.POST.get(f"temperature_{m.pk}", "") for m in crew}
            try:
                services.truck_enter(
                    scope=scope, truck=found, temperatures=temperatures,
                    **form.cleaned_data, at=now, by=_user(request),
                )  # fmt: skip
            except ValidationError as exc:
                form_errors_apply(form, exc)
            else:
                messages.success(
                    request, f"{found.plate} 已入园，前往{form.cleaned_data['loading_zone']}"
                )
                return redirect("logistics_trucks", found.enterprise_id)
    context = {
        "t": found,
        "crew": crew,
        "form": form,
        "dwell": services.dwell_minutes(found, now),
        "limit": found.rules.get("dwell_minutes"),
    }
    return render(request, "logistics/truck.html", context, status=status)
