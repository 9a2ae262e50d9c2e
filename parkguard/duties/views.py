"""Pages of duties: the officer's due-today and overdue lists with coverage (phone first),
and the key-population test ledger (Z-3.2) of a park or a community, with its export."""

from __future__ import annotations

from typing import cast
from urllib.parse import quote

from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from parkguard.duties import selectors, services
from parkguard.orgs.access import scope_of
from parkguard.orgs.selectors import unit_paths
from parkguard.people.selectors import unit_and_below

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _int(value: str | None, default: int | None = None) -> int | None:
    try:
        number = int(value or "")
    except ValueError:
        return default
    # Bounded: a page or unit number beyond any real one is simply nothing.
    return number if 0 < number < selectors.MAX_ID else default


@login_required
@require_GET
def enterprise_duties(request: HttpRequest, enterprise_id: int) -> HttpResponse:
    """Who is due today and who is overdue, coverage per org unit (Z-5.2b, J-1.5b)."""
    scope = scope_of(request)
    enterprise = selectors.enterprise_for_duties(scope=scope, enterprise_id=enterprise_id)
    at = timezone.now()
    which = request.GET.get("list", selectors.TODAY)
    if which not in selectors.LISTS:
        which = selectors.TODAY
    unit_id = _int(request.GET.get("unit"))
    units = sorted(unit_paths(enterprise_ids=[enterprise.pk]).items(), key=lambda u: u[1])
    unit_ids = unit_and_below(enterprise, unit_id) if unit_id else None
    page = selectors.duty_list(
        scope=scope,
        enterprise=enterprise,
        which=which,
        at=at,
        unit_ids=unit_ids,
        page=_int(request.GET.get("page"), 1) or 1,
    )
    total, per_unit = selectors.enterprise_coverage(scope=scope, enterprise=enterprise, at=at)
    return render(
        request,
        "duties/enterprise.html",
        {
            "e": enterprise,
            "which": which,
            "page": page,
            "total": total,
            "per_unit": per_unit,
            "units": units,
            "unit_id": unit_id,
            "now": timezone.localtime(at),
        },
    )


@login_required
@require_GET
def ledger(request: HttpRequest, jurisdiction_id: int) -> HttpResponse:
    """The key-population test ledger (Z-3.2) of a park, or a community's share of it."""
    scope = scope_of(request)
    place = selectors.ledger_place(scope=scope, jurisdiction_id=jurisdiction_id)
    at = timezone.now()
    total, rows = selectors.key_population_ledger(scope=scope, at=at, place=place)
    return render(
        request,
        "duties/ledger.html",
        {"place": place, "total": total, "rows": rows, "now": timezone.localtime(at)},
    )


@login_required
@require_GET
def ledger_export(request: HttpRequest, jurisdiction_id: int) -> HttpResponse:
    """The ledger as a masked workbook (audited)."""
    scope = scope_of(request)
    place = selectors.ledger_place(scope=scope, jurisdiction_id=jurisdiction_id)
    at = timezone.now()
    body = services.test_ledger_export(
        scope=scope, place=place, actor=cast(User, request.user), at=at
    )
    response = HttpResponse(body, content_type=XLSX)
    filename = f"{place.name}-重点人群核酸检测台账-{timezone.localdate(at):%Y%m%d}.xlsx"
    response["Content-Disposition"] = (
        f"attachment; filename=\"test-ledger.xlsx\"; filename*=UTF-8''{quote(filename)}"
    )
    response["Cache-Control"] = "no-store"
    return response
