"""Dashboards: the home page of each role, the park overview, enterprises at a glance."""

from __future__ import annotations

from dataclasses import dataclass
from typing import cast

from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET

from parkguard.duties import selectors as duties_selectors
from parkguard.orgs import selectors as orgs_selectors
from parkguard.orgs.access import (
    Scope,
    assessment_cadres,
    can,
    can_edit_enterprise,
    get_visible_or_404,
    scope_of,
)
from parkguard.orgs.choices import JURISDICTION_ROLES, Role
from parkguard.orgs.models import Enterprise, Jurisdiction, Membership
from parkguard.overview import selectors
from parkguard.response import selectors as response_selectors
from parkguard.supplies import selectors as supplies_selectors


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    scope = scope_of(request)
    memberships = (
        Membership.objects.filter(user=cast(User, request.user))
        .select_related("jurisdiction", "enterprise", "person")
        .order_by("role")
    )
    if scope.roles.intersection(JURISDICTION_ROLES) and not scope.superuser:
        parks = list(orgs_selectors.parks_of(scope=scope))
        if len(parks) == 1:
            return redirect("park_overview", jurisdiction_id=parks[0].pk)
    parks = list(orgs_selectors.parks_of(scope=scope))
    return render(
        request,
        "overview/home.html",
        {
            "memberships": memberships,
            "parks": parks,
            "park_links": [_park_links(scope, park) for park in parks],
            "enterprises": selectors.enterprise_list(scope=scope)[:20],
            "is_employee_only": scope.roles == {Role.EMPLOYEE},
            "my_disinfection": _my_disinfection(scope),
        },
    )


@dataclass(frozen=True)
class ParkLinks:
    """A park on the home page and which of its admin-only pages the caller may open: a link
    the role would be refused (a county cadre and the park's labs) is not shown."""

    park: Jurisdiction
    labs: bool
    assessment: bool


def _park_links(scope: Scope, park: Jurisdiction) -> ParkLinks:
    return ParkLinks(
        park=park,
        labs=can(scope, "administer", park),
        assessment=can(scope, "assess_cadres", park) or assessment_cadres(scope, park).exists(),
    )


def _my_disinfection(scope: Scope) -> dict[str, int] | None:
    """Today's disinfection tasks assigned to the caller, for a card on the home page."""
    tasks = supplies_selectors.my_disinfection_tasks(scope=scope, on=timezone.localdate())
    total = tasks.count()
    return {"total": total, "done": tasks.filter(done_at__isnull=False).count()} if total else None


@login_required
@require_GET
def park_overview(request: HttpRequest, jurisdiction_id: int) -> HttpResponse:
    scope = scope_of(request)
    park = get_visible_or_404(scope, orgs_selectors.parks_of(scope=scope), pk=jurisdiction_id)
    overview = selectors.park_overview(scope=scope, park=park, on=timezone.localdate())
    chart = {
        "size": {
            "names": [r.enterprise.name for r in overview.rows],
            "values": [r.headcount for r in overview.rows],
            "large": [r.is_large for r in overview.rows],
            "threshold": overview.large_threshold,
        },
        "category": [{"name": x, "value": n} for x, n in overview.by_category],
    }
    trend = duties_selectors.figure_trend(scope=scope, end=timezone.localdate(), park=park)
    context = {
        "o": overview,
        "chart": chart,
        "trend": trend,
        "trend_chart": trend.chart(),
        "can_upload_pack": can(scope, "upload_pack", park),
        "can_assess": can(scope, "assess_cadres", park),
        # Only links the role may open: an inspector is refused the risk register and labs.
        "can_risk_areas": can(scope, "manage_risk_areas", park),
        "can_impact": can(scope, "adopt", park),
        "can_labs": can(scope, "administer", park),
        "response": response_selectors.park_board(scope=scope, park=park),
    }
    return render(request, "overview/park_overview.html", context)


@login_required
@require_GET
def enterprise_list(request: HttpRequest) -> HttpResponse:
    scope = scope_of(request)
    search = request.GET.get("q", "").strip()[:50]
    rows = selectors.enterprise_rows(
        selectors.enterprise_list(scope=scope, search=search), on=timezone.localdate()
    )
    can_create = bool(scope.admin_jurisdiction_ids) or scope.superuser
    return render(
        request,
        "overview/enterprise_list.html",
        {"rows": rows, "q": search, "can_create": can_create},
    )


@login_required
@require_GET
def enterprise_detail(request: HttpRequest, enterprise_id: int) -> HttpResponse:
    scope = scope_of(request)
    enterprise = get_visible_or_404(
        scope,
        Enterprise.objects.select_related(
            "jurisdiction", "community", "park_cadre", "supervision_office"
        ),
        pk=enterprise_id,
    )
    (row,) = selectors.enterprise_rows([enterprise], on=timezone.localdate())
    trend = duties_selectors.figure_trend(
        scope=scope, end=timezone.localdate(), enterprise=enterprise
    )
    return render(
        request,
        "overview/enterprise_detail.html",
        {
            "e": enterprise,
            "row": row,
            "can_edit": can_edit_enterprise(scope, enterprise),
            "tree": orgs_selectors.org_unit_tree(
                scope=scope,
                enterprise=enterprise,
                headcounts=selectors.unit_headcounts(scope=scope, enterprise=enterprise),
            ),
            "by_category": selectors.enterprise_categories(enterprise=enterprise),
            "changes": enterprise.history.select_related("history_user")[:5],
            "trend": trend,
            "trend_chart": trend.chart(),
        },
    )
