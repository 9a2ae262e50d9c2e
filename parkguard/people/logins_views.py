"""The page where an officer gives ledger people their employee logins, in bulk."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from parkguard.lib.forms import form_errors_apply
from parkguard.orgs.access import get_visible_or_404, scope_of
from parkguard.orgs.accounts_views import sheet_response
from parkguard.orgs.models import Enterprise, OrgUnit
from parkguard.people import logins

# The list shows at most this many people; "everyone in this unit" covers the rest.
SHOWN = 300


class EmployeeLoginsForm(forms.Form):
    unit = forms.ModelChoiceField(
        label="部门/车间/班组", queryset=OrgUnit.objects.none(), required=False
    )
    everyone = forms.BooleanField(label="该单元（含下级）尚未开通的所有在岗人员", required=False)
    person_ids = forms.TypedMultipleChoiceField(label="人员", coerce=int, required=False)
    login_by = forms.ChoiceField(
        label="登录名", choices=logins.LOGIN_BY_CHOICES, initial=logins.LoginBy.PHONE
    )
    number_prefix = forms.CharField(label="工号前缀", max_length=20, required=False)
    start = forms.IntegerField(label="起始编号", min_value=0, initial=1, required=False)

    def __init__(self, *args: Any, units: Any, people: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units  # type: ignore[attr-defined]
        self.fields["person_ids"].choices = [(p.pk, p.name) for p in people]  # type: ignore[attr-defined]


@login_required
@require_http_methods(["GET", "POST"])
def employee_logins(request: HttpRequest, enterprise_id: int) -> HttpResponse:
    scope = scope_of(request)
    enterprise = get_visible_or_404(scope, Enterprise, "manage_accounts", pk=enterprise_id)
    units = OrgUnit.objects.filter(enterprise=enterprise).order_by("kind", "name")
    unit_raw = request.POST.get("unit") or request.GET.get("unit") or ""
    unit = units.filter(pk=int(unit_raw)).first() if unit_raw.isdigit() else None
    people = list(
        logins.people_without_login(
            scope=scope, enterprise=enterprise, unit_id=unit.pk if unit else None
        )[:SHOWN]
    )
    form = EmployeeLoginsForm(
        request.POST or None,
        units=units,
        people=people,
        initial={"unit": unit, "login_by": logins.LoginBy.PHONE, "start": 1},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            rows = logins.employee_logins_create(
                scope=scope,
                actor=cast(User, request.user),
                enterprise=enterprise,
                person_ids=[] if data["everyone"] and unit else data["person_ids"],
                unit=unit if data["everyone"] else None,
                login_by=data["login_by"],
                prefix=data["number_prefix"] or "",
                start=data["start"] if data["start"] is not None else 1,
                at=timezone.now(),
            )
        except ValidationError as exc:
            form_errors_apply(form, exc)
        else:
            back = reverse("enterprise_accounts", args=[enterprise.pk])
            return sheet_response(
                request, rows, title=f"{enterprise.name} · 员工账号激活码", back=back
            )
    return render(
        request,
        "people/employee_logins.html",
        {"e": enterprise, "form": form, "people": people, "unit": unit, "shown": SHOWN},
    )
