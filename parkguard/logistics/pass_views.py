"""Pages of transport passes: the enterprise applies and prints, the park decides and revokes,
the gate verifies a scanned code."""

from __future__ import annotations

from typing import cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from parkguard.lib.forms import errors_flash, form_errors_apply
from parkguard.logistics import passes
from parkguard.logistics.choices import PassState
from parkguard.logistics.forms import PassForm, VerifyForm
from parkguard.logistics.models import TransportPass
from parkguard.logistics.selectors import enterprise_for_trucks
from parkguard.orgs.access import can, get_visible_or_404, require, scope_of, visible
from parkguard.orgs.models import Jurisdiction


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)


@login_required
@require_http_methods(["GET", "POST"])
def enterprise_passes(request: HttpRequest, enterprise_id: int) -> HttpResponse:
    scope = scope_of(request)
    enterprise = enterprise_for_trucks(scope=scope, enterprise_id=enterprise_id)
    form = PassForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                passes.pass_apply(
                    scope=scope, enterprise=enterprise, **form.cleaned_data,
                    at=timezone.now(), by=_user(request),
                )  # fmt: skip
            except ValidationError as exc:
                form_errors_apply(form, exc)
            else:
                messages.success(request, "已提交申请，等待园区审批")
                return redirect("logistics_passes", enterprise.pk)
    rows = visible(scope, TransportPass).filter(enterprise=enterprise)[:50]
    context = {"e": enterprise, "rows": rows, "form": form,
               "can_apply": can(scope, "manage_trucks", enterprise)}  # fmt: skip
    return render(request, "logistics/passes.html", context, status=status)


@login_required
@require_GET
def pass_print(request: HttpRequest, pass_id: int) -> HttpResponse:
    scope = scope_of(request)
    row = get_visible_or_404(scope, TransportPass.objects.select_related("enterprise"), pk=pass_id)
    require(scope, "gate_trucks", row)
    qr = passes.pass_qr_svg(row) if row.state == PassState.APPROVED else ""
    return render(request, "logistics/pass_print.html", {"p": row, "qr": qr})


@login_required
@require_GET
def park_passes(request: HttpRequest, jurisdiction_id: int) -> HttpResponse:
    scope = scope_of(request)
    park = get_visible_or_404(scope, Jurisdiction, pk=jurisdiction_id)
    require(scope, "approve_passes", park)
    rows = (
        visible(scope, TransportPass, "approve_passes")
        .filter(enterprise__jurisdiction=park)
        .select_related("enterprise")[:100]
    )
    return render(request, "logistics/park_passes.html", {"park": park, "rows": rows})


@login_required
@require_POST
def pass_decide(request: HttpRequest, pass_id: int) -> HttpResponse:
    scope = scope_of(request)
    row = get_visible_or_404(scope, TransportPass, pk=pass_id)
    action, note = request.POST.get("action"), request.POST.get("note", "")
    try:
        if action == "revoke":
            passes.pass_revoke(
                scope=scope, transport_pass=row, note=note, at=timezone.now(), by=_user(request)
            )
        elif action in {"approve", "refuse"}:
            passes.pass_decide(
                scope=scope, transport_pass=row, approve=action == "approve", note=note,
                at=timezone.now(), by=_user(request),
            )  # fmt: skip
        else:
            return HttpResponse(status=400)
    except ValidationError as exc:
        errors_flash(request, exc)
        return redirect("logistics_park_passes", row.enterprise.jurisdiction_id)
    messages.success(request, "已处理")
    return redirect("logistics_park_passes", row.enterprise.jurisdiction_id)


@login_required
@require_http_methods(["GET", "POST"])
def pass_verify(request: HttpRequest) -> HttpResponse:
    scope = scope_of(request)
    form = VerifyForm(request.POST or None)
    verdict = None
    if request.method == "POST" and form.is_valid():
        verdict = passes.pass_verify(
            scope=scope, token=form.cleaned_data["token"], at=timezone.now()
        )
    else:
        passes.pass_verifier_require(scope=scope)
    return render(request, "logistics/pass_verify.html", {"form": form, "verdict": verdict})
