"""Pages for a park's supervising offices (H-3): the park admin keeps the list as data."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from parkguard.lib.forms import form_errors_apply
from parkguard.orgs import selectors, services
from parkguard.orgs.access import can, get_visible_or_404, scope_of
from parkguard.orgs.forms import SupervisionOfficeForm
from parkguard.orgs.models import Jurisdiction, SupervisionOffice


def _page(
    request: HttpRequest,
    park: Jurisdiction,
    form: SupervisionOfficeForm,
    editing: SupervisionOffice | None = None,
) -> HttpResponse:
    scope = scope_of(request)
    context = {
        "park": park,
        "offices": selectors.supervision_offices(scope=scope, jurisdiction=park),
        "form": form,
        "editing": editing,
        "can_edit": can(scope, "administer", park),
    }
    return render(request, "orgs/supervision_offices.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def supervision_offices(request: HttpRequest, jurisdiction_id: int) -> HttpResponse:
    """The park's offices, with a form to add one (park admin)."""
    scope = scope_of(request)
    park = get_visible_or_404(scope, selectors.office_hosts(scope=scope), pk=jurisdiction_id)
    form = SupervisionOfficeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            office = services.supervision_office_save(
                scope=scope, jurisdiction=park, **form.cleaned_data
            )
        except ValidationError as exc:
            form_errors_apply(form, exc)
        else:
            messages.success(request, f"已添加主管办所：{office.name}")
            return redirect("supervision_offices", jurisdiction_id=park.pk)
    return _page(request, park, form)


@login_required
@require_http_methods(["GET", "POST"])
def supervision_office_edit(request: HttpRequest, office_id: int) -> HttpResponse:
    scope = scope_of(request)
    office = get_visible_or_404(
        scope, SupervisionOffice.objects.select_related("jurisdiction"), pk=office_id
    )
    form = SupervisionOfficeForm(request.POST or None, instance=office)
    if request.method == "POST" and form.is_valid():
        try:
            # Refetch so a refused change leaves the row on the page as it is stored.
            services.supervision_office_save(
                scope=scope,
                jurisdiction=office.jurisdiction,
                office=SupervisionOffice.objects.get(pk=office.pk),
                **form.cleaned_data,
            )
        except ValidationError as exc:
            form_errors_apply(form, exc)
        else:
            messages.success(request, "主管办所已保存")
            return redirect("supervision_offices", jurisdiction_id=office.jurisdiction_id)
    return _page(request, office.jurisdiction, form, editing=office)


@login_required
@require_POST
def supervision_office_delete(request: HttpRequest, office_id: int) -> HttpResponse:
    scope = scope_of(request)
    office = get_visible_or_404(scope, SupervisionOffice, pk=office_id)
    try:
        services.supervision_office_delete(scope=scope, office=office)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, f"已删除主管办所：{office.name}")
    return redirect("supervision_offices", jurisdiction_id=office.jurisdiction_id)
