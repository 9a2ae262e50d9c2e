"""Excel exports of the freight ledgers (trucks, transport passes, parcels): parse, call,
send the file."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.http import require_GET

from parkguard.logistics import exporting
from parkguard.logistics.models import Parcel, TransportPass, TruckDeclaration
from parkguard.logistics.selectors import enterprise_for_trucks
from parkguard.orgs.access import get_visible_or_404, require, scope_of, visible
from parkguard.orgs.models import Enterprise
from parkguard.supplies.exporting import XLSX

# Rows one export carries at most (a response bound, not policy).
EXPORT_MAX_ROWS = 5000


def _file(body: bytes, name: str) -> HttpResponse:
    response = HttpResponse(body, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
    return response


@login_required
@require_GET
def trucks_export(request: HttpRequest, enterprise_id: int) -> HttpResponse:
    scope = scope_of(request)
    enterprise = enterprise_for_trucks(scope=scope, enterprise_id=enterprise_id)
    trucks = (
        visible(scope, TruckDeclaration)
        .filter(enterprise=enterprise)
        .select_related("checked_by")
        .prefetch_related("crew")
        .order_by("-planned_arrival")[:EXPORT_MAX_ROWS]
    )
    body = exporting.trucks_xlsx(
        scope=scope,
        enterprise=enterprise,
        trucks=trucks,
        at=timezone.now(),
        by=request.user,  # type: ignore[arg-type]
    )
    return _file(body, "trucks")


@login_required
@require_GET
def passes_export(request: HttpRequest, enterprise_id: int) -> HttpResponse:
    scope = scope_of(request)
    enterprise = enterprise_for_trucks(scope=scope, enterprise_id=enterprise_id)
    passes = (
        visible(scope, TransportPass)
        .filter(enterprise=enterprise)
        .select_related("applied_by", "decided_by")
        .order_by("-applied_at")[:EXPORT_MAX_ROWS]
    )
    body = exporting.passes_xlsx(
        scope=scope,
        enterprise=enterprise,
        passes=passes,
        at=timezone.now(),
        by=request.user,  # type: ignore[arg-type]
    )
    return _file(body, "transport-passes")


@login_required
@require_GET
def parcels_export(request: HttpRequest, enterprise_id: int) -> HttpResponse:
    scope = scope_of(request)
    enterprise = get_visible_or_404(scope, Enterprise, pk=enterprise_id)
    require(scope, "keep_parcels", enterprise)
    parcels = (
        visible(scope, Parcel)
        .filter(enterprise=enterprise)
        .select_related("addressee", "logged_by")
        .order_by("-arrived_at")[:EXPORT_MAX_ROWS]
    )
    body = exporting.parcels_xlsx(
        scope=scope,
        enterprise=enterprise,
        parcels=parcels,
        at=timezone.now(),
        by=request.user,  # type: ignore[arg-type]
    )
    return _file(body, "parcels")
