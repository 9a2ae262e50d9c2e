"""Pages of the central parcel store (Z-5.3d) and the addressee's own parcels."""

from __future__ import annotations

from typing import cast

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from parkguard.lib.forms import form_errors_apply
from parkguard.logistics import parcels
from parkguard.logistics.choices import ParcelKind
from parkguard.logistics.models import Parcel
from parkguard.orgs.access import get_visible_or_404, require, scope_of, visible
from parkguard.orgs.models import Enterprise
from parkguard.people.models import Person


class ParcelForm(forms.Form):
    addressee = forms.TypedChoiceField(label="收件人", coerce=int, required=False)
    kind = forms.ChoiceField(label="类别", choices=ParcelKind.choices)
    note = forms.CharField(label="说明", max_length=100, required=False)
    disinfected = forms.BooleanField(label="外包装已消毒（喷洒或擦拭）", required=False)


class HandOverForm(forms.Form):
    code = forms.CharField(label="取件码", max_length=12, required=False)


@login_required
@require_http_methods(["GET", "POST"])
def store(request: HttpRequest, enterprise_id: int) -> HttpResponse:
    scope = scope_of(request)
    enterprise = get_visible_or_404(scope, Enterprise, pk=enterprise_id)
    require(scope, "keep_parcels", enterprise)
    people = visible(scope, Person, "keep_parcels").filter(enterprise=enterprise)
    which = request.POST.get("form")
    log_form = ParcelForm(request.POST if which == "log" else None)
    log_form.fields["addressee"].choices = [  # type: ignore[attr-defined]
        (p.pk, p.name) for p in people.order_by("name")[:500]
    ]
    hand_form = HandOverForm(request.POST if which == "hand" else None)
    status = 200
    if request.method == "POST":
        status = 422
        form = log_form if which == "log" else hand_form
        try:
            if which == "log" and log_form.is_valid():
                data = log_form.cleaned_data
                person = get_visible_or_404(scope, people, pk=data.pop("addressee"))
                parcels.parcel_log(
                    scope=scope, enterprise=enterprise, addressee=person, **data,
                    at=timezone.now(), by=cast(User, request.user),
                )  # fmt: skip
                messages.success(request, "已登记，已通知收件人取件码")
                return redirect("logistics_parcels", enterprise.pk)
            if which == "hand" and hand_form.is_valid():
                parcel = parcels.parcel_hand_over(
                    scope=scope, enterprise=enterprise, code=hand_form.cleaned_data["code"],
                    at=timezone.now(),
                )  # fmt: skip
                messages.success(request, f"已取件：{parcel.addressee.name}")
                return redirect("logistics_parcels", enterprise.pk)
        except ValidationError as exc:
            form_errors_apply(form, exc)
    waiting = (
        visible(scope, Parcel, "keep_parcels")
        .filter(enterprise=enterprise, picked_up_at__isnull=True)
        .select_related("addressee")[:100]
    )
    context = {"e": enterprise, "waiting": waiting, "log_form": log_form, "hand_form": hand_form}
    return render(request, "logistics/parcels.html", context, status=status)


@login_required
@require_GET
def mine(request: HttpRequest) -> HttpResponse:
    scope = scope_of(request)
    rows = Parcel.objects.filter(
        addressee_id__in=scope.person_ids, picked_up_at__isnull=True
    ).order_by("-arrived_at")
    return render(request, "logistics/parcels_mine.html", {"rows": rows})
