"""Pages of entry status: who is held and why, and manual overrides with a second approver."""

from __future__ import annotations

from typing import cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from parkguard.lib.forms import errors_flash
from parkguard.orgs.access import get_visible_or_404, scope_of, visible
from parkguard.people.choices import EmploymentStatus
from parkguard.people.models import Person
from parkguard.status import overrides, selectors
from parkguard.status.choices import OverrideState
from parkguard.status.forms import OverrideDecisionForm, OverrideRequestForm
from parkguard.status.models import StatusHold, StatusOverride

HISTORY_ROWS = 50
HELD_ROWS = 200


@login_required
@require_GET
def status_board(request: HttpRequest, enterprise_id: int) -> HttpResponse:
    scope = scope_of(request)
    enterprise = selectors.enterprise_for_overrides(scope=scope, enterprise_id=enterprise_id)
    found = selectors.overrides_of(scope=scope, enterprise=enterprise)
    people = visible(scope, Person).filter(enterprise=enterprise, status=EmploymentStatus.ACTIVE)
    return render(
        request,
        "status/board.html",
        {
            "e": enterprise,
            "held": selectors.held_people(scope=scope, enterprise=enterprise, limit=HELD_ROWS),
            "pending": found.filter(state=OverrideState.PENDING),
            "history": found.exclude(state=OverrideState.PENDING)[:HISTORY_ROWS],
            "people": people.order_by("name", "pk").values_list("pk", "name")[:2000],
            "me": request.user.pk,
        },
    )


@login_required
@require_POST
def override_request(request: HttpRequest, enterprise_id: int) -> HttpResponse:
    scope = scope_of(request)
    enterprise = selectors.enterprise_for_overrides(scope=scope, enterprise_id=enterprise_id)
    form = OverrideRequestForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请填写操作、人员和理由")
        return redirect("status_board", enterprise_id=enterprise.pk)
    data = form.cleaned_data
    person = get_visible_or_404(scope, Person, pk=data["person"], enterprise=enterprise)
    hold = None
    if data.get("hold"):
        hold = get_visible_or_404(scope, StatusHold, pk=data["hold"], person=person)
    try:
        overrides.status_override_request(
            scope=scope,
            person=person,
            action=data["action"],
            reason=data.get("reason") or "",
            hold=hold,
            by=cast(User, request.user),
            at=timezone.now(),
        )
    except ValidationError as exc:
        errors_flash(request, exc)
    else:
        messages.success(request, "已提交，须由另一人复核后生效")
    return redirect("status_board", enterprise_id=enterprise.pk)


@login_required
@require_POST
def override_decide(request: HttpRequest, override_id: int) -> HttpResponse:
    scope = scope_of(request)
    override = get_visible_or_404(
        scope, StatusOverride.objects.select_related("person"), pk=override_id
    )
    form = OverrideDecisionForm(request.POST)
    form.is_valid()
    try:
        overrides.status_override_decide(
            scope=scope,
            override=override,
            approve=bool(form.cleaned_data.get("approve")),
            note=form.cleaned_data.get("note") or "",
            by=cast(User, request.user),
            at=timezone.now(),
        )
    except ValidationError as exc:
        errors_flash(request, exc)
    else:
        messages.success(request, "已复核")
    return redirect("status_board", enterprise_id=override.person.enterprise_id)
