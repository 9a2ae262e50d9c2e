"""The communities and grids of a park's county, kept by its park admin (issue 9 §1).

The import template offers them as drop-downs and an import names them when a file has
an unknown one, so a park adds a missing community here instead of asking for a fix.
"""

from __future__ import annotations

from typing import cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from parkguard.lib.api_errors import DB_ID_MAX
from parkguard.lib.forms import form_errors_apply
from parkguard.orgs import selectors, services
from parkguard.orgs.access import NOT_FOUND, can, get_visible_or_404, scope_of
from parkguard.orgs.choices import JurisdictionKind
from parkguard.orgs.forms import PlaceForm
from parkguard.orgs.models import Jurisdiction


def _parents(park: Jurisdiction) -> object:
    county = selectors.park_county_path(park=park)
    return (
        Jurisdiction.objects.filter(path__startswith=county)
        .filter(
            Q(kind__in=[JurisdictionKind.TOWN, JurisdictionKind.STREET])
            | Q(kind=JurisdictionKind.COMMUNITY)
        )
        .order_by("kind", "name")
    )


@login_required
@require_http_methods(["GET", "POST"])
def places(request: HttpRequest, jurisdiction_id: int) -> HttpResponse:
    """The county's communities and grids; a park admin adds or edits one (audited)."""
    scope = scope_of(request)
    park = get_visible_or_404(scope, selectors.parks_of(scope=scope), pk=jurisdiction_id)
    can_edit = can(scope, "administer", park)
    editing: Jurisdiction | None = None
    wanted = request.GET.get("edit", "")
    county = selectors.park_county_path(park=park)
    if wanted:
        if not wanted.isdigit() or int(wanted) > DB_ID_MAX or not can_edit:
            raise Http404(NOT_FOUND)
        editing = Jurisdiction.objects.filter(
            pk=int(wanted),
            path__startswith=county,
            kind__in=[JurisdictionKind.COMMUNITY, JurisdictionKind.GRID],
        ).first()
        if editing is None:
            raise Http404(NOT_FOUND)
    initial = (
        {
            "kind": editing.kind,
            "parent": editing.parent_id,
            "name": editing.name,
            "code": editing.code,
        }
        if editing
        else None
    )
    form = PlaceForm(request.POST or None, initial=initial, parents=_parents(park))
    if request.method == "POST":
        if not can_edit:
            raise Http404(NOT_FOUND)
        if form.is_valid():
            try:
                node = services.place_save(
                    scope=scope,
                    park=park,
                    actor=cast(User, request.user),
                    at=timezone.now(),
                    place=editing,
                    **form.cleaned_data,
                )
            except ValidationError as exc:
                form_errors_apply(form, exc)
            else:
                messages.success(request, f"已保存：{node.name}")
                return redirect("places", jurisdiction_id=park.pk)
    return render(
        request,
        "orgs/places.html",
        {
            "park": park,
            "tree": selectors.county_place_tree(root_path=county),
            "form": form,
            "editing": editing,
            "can_edit": can_edit,
        },
    )
