"""Pages of zones and incidents, phone first for officers. Views parse, call one service or
selector, and render; who may do what is decided in `orgs.access`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from parkguard.gate.models import Gate
from parkguard.health.models import Alert
from parkguard.lib.uploads import UploadRefused, upload_read
from parkguard.orgs.access import can, get_visible_or_404, scope_of, visible
from parkguard.people.choices import EmploymentStatus
from parkguard.people.models import Person
from parkguard.response import selectors, services
from parkguard.response.choices import BlockType, JunctionDirection, JunctionKind, ZoneColour
from parkguard.response.models import Area, Contact, Junction, LinkageTask, ZoneMove

HISTORY_ROWS = 30
PEOPLE_ROWS = 2000
BAD_FORM = "请检查填写的内容"


class AreaForm(forms.Form):
    name = forms.CharField(max_length=80, required=False)
    block = forms.CharField(max_length=20, required=False)
    capacity = forms.IntegerField(required=False)
    zone = forms.CharField(max_length=10, required=False)
    is_isolation = forms.BooleanField(required=False)


class JunctionForm(forms.Form):
    from_area = forms.IntegerField()
    to_area = forms.IntegerField()
    kind = forms.CharField(max_length=20, required=False)
    controlled = forms.BooleanField(required=False)
    note = forms.CharField(max_length=200, required=False)
    gate = forms.IntegerField(required=False, min_value=1)
    direction = forms.CharField(max_length=10, required=False)


class PlaceForm(forms.Form):
    area = forms.IntegerField()
    x = forms.FloatField(required=False)
    y = forms.FloatField(required=False)


# The sanitised plan runs nothing even if opened on its own: no script, no style sheet from
# anywhere, no links out; sandboxed.
SVG_POLICY = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; sandbox"
SVG_MISSING = "请选择要上传的 SVG 平面图文件"


class MoveForm(forms.Form):
    person = forms.IntegerField()
    colour = forms.CharField(max_length=10, required=False)
    area = forms.IntegerField(required=False)
    reason = forms.CharField(max_length=300, required=False)


class IncidentForm(forms.Form):
    person = forms.IntegerField()
    title = forms.CharField(max_length=120, required=False)


def _flash(request: HttpRequest, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


def _run(request: HttpRequest, call: Callable[[], Any], done: str) -> None:
    try:
        call()
    except ValidationError as exc:
        _flash(request, exc)
    else:
        messages.success(request, done)


def _placed(area: Area) -> bool:
    return area.plan_x is not None and area.plan_y is not None


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)


@login_required
@require_GET
def zones(request: HttpRequest, enterprise_id: int) -> HttpResponse:
    scope = scope_of(request)
    e = selectors.enterprise_for_response(scope=scope, enterprise_id=enterprise_id)
    areas = selectors.areas_of(scope=scope, enterprise=e)
    junctions = selectors.junctions_of(scope=scope, enterprise=e)
    by_area = selectors.junctions_by_area(junctions)
    people = visible(scope, Person).filter(enterprise=e, status=EmploymentStatus.ACTIVE)
    return render(
        request,
        "response/zones.html",
        {
            "e": e,
            "areas": [(a, n, by_area.get(a.pk, [])) for a, n in areas],
            "junctions": junctions,
            "kinds": JunctionKind.choices,
            "directions": JunctionDirection.choices,
            "gates": visible(scope, Gate)
            .filter(enterprise=e, active=True)
            .order_by("name", "pk")
            .values_list("pk", "name"),
            "has_isolation": any(a.is_isolation for a, _ in areas),
            # People masked (`selectors.shown_on`); the pickers below only for those who
            # may manage zones, a grant no wider than the reveal's.
            "in_zones": selectors.shown_on(
                scope=scope, rows=selectors.people_in_zones(scope=scope, enterprise=e)[:PEOPLE_ROWS]
            ),
            "pending": selectors.shown_on(
                scope=scope, rows=selectors.pending_moves(scope=scope, enterprise=e)
            ),
            "history": selectors.shown_on(
                scope=scope, rows=selectors.moves_of(scope=scope, enterprise=e)[:HISTORY_ROWS]
            ),
            "incidents": selectors.shown_on(
                scope=scope, rows=selectors.incidents_of(scope=scope, enterprise=e)[:HISTORY_ROWS]
            ),
            "people": people.order_by("name", "pk").values_list("pk", "name")[:PEOPLE_ROWS]
            if can(scope, "manage_zones", e)
            else [],
            "blocks": BlockType.choices,
            "colours": ZoneColour.choices,
            "can_manage": can(scope, "manage_zones", e),
            "me": request.user.pk,
        },
    )


@login_required
@require_POST
def area_create(request: HttpRequest, enterprise_id: int) -> HttpResponse:
    scope = scope_of(request)
    e = selectors.enterprise_for_response(scope=scope, enterprise_id=enterprise_id)
    form = AreaForm(request.POST)
    if not form.is_valid():
        messages.error(request, BAD_FORM)
        return redirect("response_zones", enterprise_id=e.pk)
    data = form.cleaned_data
    _run(
        request,
        lambda: services.area_create(
            scope=scope,
            enterprise=e,
            name=data["name"] or "",
            block=data["block"] or "",
            capacity=data["capacity"],
            zone=data["zone"] or ZoneColour.GREEN,
            is_isolation=bool(data["is_isolation"]),
            by=_user(request),
            at=timezone.now(),
        ),
        "已添加区块",
    )
    return redirect("response_zones", enterprise_id=e.pk)


@login_required
@require_POST
def junction_create(request: HttpRequest, enterprise_id: int) -> HttpResponse:
    scope = scope_of(request)
    e = selectors.enterprise_for_response(scope=scope, enterprise_id=enterprise_id)
    form = JunctionForm(request.POST)
    if not form.is_valid():
        messages.error(request, BAD_FORM)
        return redirect("response_zones", enterprise_id=e.pk)
    data = form.cleaned_data
    # An area of another enterprise that the caller sees is refused by the service's message.
    from_area = get_visible_or_404(scope, Area, pk=data["from_area"])
    to_area = get_visible_or_404(scope, Area, pk=data["to_area"])
    gate = None
    if data["gate"]:
        # A gate the caller cannot see gets the same message as another enterprise's.
        gate = visible(scope, Gate).filter(pk=data["gate"]).first()
        if gate is None:
            messages.error(request, services.JUNCTION_GATE_NOT_HERE)
            return redirect("response_zones", enterprise_id=e.pk)
    _run(
        request,
        lambda: services.junction_create(
            scope=scope,
            enterprise=e,
            from_area=from_area,
            to_area=to_area,
            kind=data["kind"] or "",
            controlled=bool(data["controlled"]),
            note=data["note"] or "",
            gate=gate,
            direction=data["direction"] or "",
            by=_user(request),
            at=timezone.now(),
        ),
        "已添加接合部",
    )
    return redirect("response_zones", enterprise_id=e.pk)


@login_required
@require_POST
def junction_delete(request: HttpRequest, enterprise_id: int, junction_id: int) -> HttpResponse:
    scope = scope_of(request)
    e = selectors.enterprise_for_response(scope=scope, enterprise_id=enterprise_id)
    junction = get_visible_or_404(scope, Junction, pk=junction_id)
    _run(
        request,
        lambda: services.junction_delete(
            scope=scope, enterprise=e, junction=junction, by=_user(request), at=timezone.now()
        ),
        "已删除接合部",
    )
    return redirect("response_zones", enterprise_id=e.pk)


@login_required
@require_POST
def move_request(request: HttpRequest, enterprise_id: int) -> HttpResponse:
    scope = scope_of(request)
    e = selectors.enterprise_for_response(scope=scope, enterprise_id=enterprise_id)
    form = MoveForm(request.POST)
    if not form.is_valid():
        messages.error(request, BAD_FORM)
        return redirect("response_zones", enterprise_id=e.pk)
    data = form.cleaned_data
    person = get_visible_or_404(scope, Person, pk=data["person"], enterprise=e)
    # An area of another enterprise is named, not hidden: the service refuses it by message.
    area = None
    if data.get("area"):
        area = selectors.area_for_move(scope=scope, area_id=data["area"])
    _run(
        request,
        lambda: services.zone_move_request(
            scope=scope,
            person=person,
            colour=data["colour"] or "",
            area=area,
            reason=data["reason"] or "",
            by=_user(request),
            at=timezone.now(),
        ),
        "已提交，须由另一人复核后生效",
    )
    return redirect("response_zones", enterprise_id=e.pk)


@login_required
@require_POST
def move_decide(request: HttpRequest, move_id: int) -> HttpResponse:
    scope = scope_of(request)
    move = get_visible_or_404(scope, ZoneMove.objects.select_related("person"), pk=move_id)
    _run(
        request,
        lambda: services.zone_move_decide(
            scope=scope,
            move=move,
            approve=request.POST.get("approve") == "1",
            by=_user(request),
            at=timezone.now(),
        ),
        "已复核",
    )
    return redirect("response_zones", enterprise_id=move.person.enterprise_id)


@login_required
@require_POST
def incident_open(request: HttpRequest, enterprise_id: int) -> HttpResponse:
    scope = scope_of(request)
    e = selectors.enterprise_for_response(scope=scope, enterprise_id=enterprise_id)
    form = IncidentForm(request.POST)
    if not form.is_valid():
        messages.error(request, BAD_FORM)
        return redirect("response_zones", enterprise_id=e.pk)
    person = get_visible_or_404(scope, Person, pk=form.cleaned_data["person"], enterprise=e)
    try:
        incident = services.incident_open(
            scope=scope,
            person=person,
            title=form.cleaned_data["title"] or "",
            by=_user(request),
            at=timezone.now(),
        )
    except ValidationError as exc:
        _flash(request, exc)
        return redirect("response_zones", enterprise_id=e.pk)
    return redirect("response_incident", incident_id=incident.pk)


@login_required
@require_POST
def incident_from_alert(request: HttpRequest, alert_id: int) -> HttpResponse:
    scope = scope_of(request)
    alert = get_visible_or_404(scope, Alert.objects.select_related("person"), pk=alert_id)
    try:
        incident = services.incident_open(
            scope=scope,
            person=alert.person,
            title=alert.reason,
            evidence=alert.kind,
            source=alert.status_source,
            detected_at=alert.opened_at,
            by=_user(request),
            at=timezone.now(),
        )
    except ValidationError as exc:
        _flash(request, exc)
        return redirect("response_zones", enterprise_id=alert.person.enterprise_id)
    return redirect("response_incident", incident_id=incident.pk)


@login_required
@require_GET
def incident(request: HttpRequest, incident_id: int) -> HttpResponse:
    scope = scope_of(request)
    found = selectors.incident_detail(scope=scope, incident_id=incident_id)
    return render(
        request,
        "response/incident.html",
        {
            "i": found,
            "e": found.enterprise,
            "timeline": selectors.timeline_of(incident=found),
            "chain": selectors.chain_of(scope=scope, incident=found),
            "tasks": found.tasks.select_related("owner"),
            "shown": selectors.people_shown(scope=scope, people=[found.person])[found.person_id],
            "contacts": selectors.shown_on(scope=scope, rows=selectors.contacts_of(incident=found)),
            "can_manage": can(scope, "manage_incidents", found),
            "now": timezone.now(),
        },
    )


def _incident_step(request: HttpRequest, incident_id: int, step: str) -> HttpResponse:
    scope = scope_of(request)
    found = selectors.incident_detail(scope=scope, incident_id=incident_id)
    by, at = _user(request), timezone.now()
    calls: dict[str, tuple[Callable[[], Any], str]] = {
        "report": (
            lambda: services.incident_report(scope=scope, incident=found, by=by, at=at),
            "已报告园区领导小组和街道社区",
        ),
        "isolate": (
            lambda: services.incident_isolate(scope=scope, incident=found, by=by, at=at),
            "已记录隔离并报请转运",
        ),
        "trace": (
            lambda: services.contacts_trace(scope=scope, incident=found, by=by, at=at),
            "已完成排查，请逐一核实候选",
        ),
    }
    call, done = calls[step]
    _run(request, call, done)
    return redirect("response_incident", incident_id=found.pk)


@login_required
@require_POST
def incident_report(request: HttpRequest, incident_id: int) -> HttpResponse:
    return _incident_step(request, incident_id, "report")


@login_required
@require_POST
def incident_isolate(request: HttpRequest, incident_id: int) -> HttpResponse:
    return _incident_step(request, incident_id, "isolate")


@login_required
@require_POST
def incident_trace(request: HttpRequest, incident_id: int) -> HttpResponse:
    return _incident_step(request, incident_id, "trace")


@login_required
@require_POST
def task_done(request: HttpRequest, task_id: int) -> HttpResponse:
    scope = scope_of(request)
    task = get_visible_or_404(scope, LinkageTask, pk=task_id)
    _run(
        request,
        lambda: services.linkage_task_done(
            scope=scope, task=task, by=_user(request), at=timezone.now()
        ),
        "已完成",
    )
    return redirect("response_incident", incident_id=task.incident_id)


@login_required
@require_POST
def contact_review(request: HttpRequest, contact_id: int) -> HttpResponse:
    scope = scope_of(request)
    contact = get_visible_or_404(scope, Contact, pk=contact_id)
    _run(
        request,
        lambda: services.contact_review(
            scope=scope,
            contact=contact,
            confirm=request.POST.get("confirm") == "1",
            by=_user(request),
            at=timezone.now(),
        ),
        "已核实",
    )
    return redirect("response_incident", incident_id=contact.incident_id)


@login_required
@require_GET
def park(request: HttpRequest, jurisdiction_id: int) -> HttpResponse:
    scope = scope_of(request)
    found = selectors.park_for_response(scope=scope, jurisdiction_id=jurisdiction_id)
    return render(
        request,
        "response/park.html",
        {"park": found, "board": selectors.park_board(scope=scope, park=found)},
    )


@login_required
@require_GET
def site_plan(request: HttpRequest, enterprise_id: int) -> HttpResponse:
    """The site plan drawn as an ECharts SVG map, each placed area a point in its zone colour
    with its head count now (the image with pins when scripts do not run); officers place an
    area by choosing it and clicking on the plan (siteplan.js)."""
    scope = scope_of(request)
    e = selectors.enterprise_for_response(scope=scope, enterprise_id=enterprise_id)
    context = _plan_context(
        name=f"enterprise-{e.pk}",
        plan=selectors.site_plan_of(scope=scope, enterprise=e),
        svg_url=reverse("response_site_plan_svg", args=[e.pk]),
        api_url=reverse("api:response_plan", args=[e.pk]),
        areas=selectors.areas_of(scope=scope, enterprise=e),
        junctions=selectors.junctions_of(scope=scope, enterprise=e),
    )
    return render(
        request,
        "response/siteplan.html",
        {
            **context,
            "e": e,
            "can_manage": can(scope, "manage_zones", e),
            "place_url": reverse("response_area_place", args=[e.pk]),
            "upload_url": reverse("response_site_plan_upload", args=[e.pk]),
        },
    )


@login_required
@require_GET
def site_plan_svg(request: HttpRequest, enterprise_id: int) -> HttpResponse:
    """The sanitised SVG, as an image that cannot run anything."""
    scope = scope_of(request)
    e = selectors.enterprise_for_response(scope=scope, enterprise_id=enterprise_id)
    plan = selectors.site_plan_of(scope=scope, enterprise=e)
    if plan is None:
        raise Http404
    response = HttpResponse(plan.svg.encode("utf-8"), content_type="image/svg+xml")
    response["Content-Security-Policy"] = SVG_POLICY
    response["Cache-Control"] = "private, no-cache"
    return response


@login_required
@require_POST
def site_plan_upload(request: HttpRequest, enterprise_id: int) -> HttpResponse:
    scope = scope_of(request)
    e = selectors.enterprise_for_response(scope=scope, enterprise_id=enterprise_id)
    upload = request.FILES.get("svg")
    if upload is None:
        messages.error(request, SVG_MISSING)
        return redirect("response_site_plan", enterprise_id=e.pk)
    try:
        data = upload_read(upload, max_bytes=settings.SITE_PLAN_MAX_BYTES)
    except UploadRefused as exc:
        messages.error(request, exc.message)
        return redirect("response_site_plan", enterprise_id=e.pk)
    _run(
        request,
        lambda: services.site_plan_upload(
            scope=scope,
            enterprise=e,
            data=data,
            filename=upload.name or "",
            by=_user(request),
            at=timezone.now(),
        ),
        "已上传平面图",
    )
    return redirect("response_site_plan", enterprise_id=e.pk)


@login_required
@require_POST
def area_place(request: HttpRequest, enterprise_id: int) -> HttpResponse:
    scope = scope_of(request)
    e = selectors.enterprise_for_response(scope=scope, enterprise_id=enterprise_id)
    form = PlaceForm(request.POST)
    if not form.is_valid():
        messages.error(request, services.PLACE_INVALID)
        return redirect("response_site_plan", enterprise_id=e.pk)
    data = form.cleaned_data
    # An area of another enterprise that the caller sees is refused by the service's message.
    area = get_visible_or_404(scope, Area, pk=data["area"])
    _run(
        request,
        lambda: services.area_place(
            scope=scope,
            enterprise=e,
            area=area,
            x=data["x"],
            y=data["y"],
            by=_user(request),
            at=timezone.now(),
        ),
        "已标注区块位置",
    )
    return redirect("response_site_plan", enterprise_id=e.pk)


# --- the site plan drawn as an ECharts SVG map, and the park's own zones ------------------
def _plan_context(
    *,
    name: str,
    plan: object | None,
    svg_url: str,
    api_url: str,
    areas: list[tuple[Area, int]],
    junctions: list[Junction],
) -> dict[str, Any]:
    """What the plan partial draws: the no-JS markup (the image with its pins and lines) and
    the data `siteplan.js` draws the ECharts map from (`json_script`, no inline script)."""
    placed = [(a, n) for a, n in areas if _placed(a)]
    lines = [j for j in junctions if _placed(j.from_area) and _placed(j.to_area)]
    return {
        "plan": plan,
        "svg_url": svg_url,
        "areas": areas,
        "placed": placed,
        "lines": lines,
        "junctions": junctions,
        "map_data": {
            "name": name,
            "svg_url": svg_url,
            "api_url": api_url,
            "zone_labels": dict(ZoneColour.choices),
            "areas": [
                {
                    "id": a.pk,
                    "name": a.name,
                    "zone": a.zone,
                    "zone_label": a.get_zone_display(),
                    "present": n,
                    "capacity": a.capacity,
                    "isolation": a.is_isolation,
                    "x": a.plan_x,
                    "y": a.plan_y,
                }
                for a, n in placed
            ],
            "junctions": [
                {
                    "from": [j.from_area.plan_x, j.from_area.plan_y],
                    "to": [j.to_area.plan_x, j.to_area.plan_y],
                    "kind": j.kind,
                    "controlled": j.controlled,
                    "label": f"{j.from_area.name}–{j.to_area.name}：{j.get_kind_display()}",
                }
                for j in lines
            ],
        },
        "max_kb": settings.SITE_PLAN_MAX_BYTES // 1024,
    }


@login_required
@require_GET
def park_zones(request: HttpRequest, jurisdiction_id: int) -> HttpResponse:
    """The park's own areas and junctions (L-4.4): edited by its admins, read by its staff and
    by the officers of its enterprises."""
    scope = scope_of(request)
    park = selectors.park_for_zones(scope=scope, jurisdiction_id=jurisdiction_id)
    areas = selectors.park_areas_of(scope=scope, park=park)
    junctions = selectors.park_junctions_of(scope=scope, park=park)
    by_area = selectors.junctions_by_area(junctions)
    return render(
        request,
        "response/park_zones.html",
        {
            "park": park,
            "areas": [(a, n, by_area.get(a.pk, [])) for a, n in areas],
            "junctions": junctions,
            "kinds": JunctionKind.choices,
            "directions": JunctionDirection.choices,
            "blocks": BlockType.choices,
            "colours": ZoneColour.choices,
            "can_manage": can(scope, "manage_zones", park),
            "park_staff": can(scope, "view_response", park),
        },
    )


@login_required
@require_POST
def park_area_create(request: HttpRequest, jurisdiction_id: int) -> HttpResponse:
    scope = scope_of(request)
    park = selectors.park_for_zone_edits(scope=scope, jurisdiction_id=jurisdiction_id)
    form = AreaForm(request.POST)
    if not form.is_valid():
        messages.error(request, BAD_FORM)
        return redirect("response_park_zones", jurisdiction_id=park.pk)
    data = form.cleaned_data
    _run(
        request,
        lambda: services.park_area_create(
            scope=scope,
            park=park,
            name=data["name"] or "",
            block=data["block"] or "",
            capacity=data["capacity"],
            zone=data["zone"] or ZoneColour.GREEN,
            is_isolation=bool(data["is_isolation"]),
            by=_user(request),
            at=timezone.now(),
        ),
        "已添加园区区块",
    )
    return redirect("response_park_zones", jurisdiction_id=park.pk)


@login_required
@require_POST
def park_junction_create(request: HttpRequest, jurisdiction_id: int) -> HttpResponse:
    scope = scope_of(request)
    park = selectors.park_for_zone_edits(scope=scope, jurisdiction_id=jurisdiction_id)
    form = JunctionForm(request.POST)
    if not form.is_valid():
        messages.error(request, BAD_FORM)
        return redirect("response_park_zones", jurisdiction_id=park.pk)
    data = form.cleaned_data
    # An enterprise's area the caller sees is refused by the service's message.
    from_area = get_visible_or_404(scope, Area, pk=data["from_area"])
    to_area = get_visible_or_404(scope, Area, pk=data["to_area"])
    _run(
        request,
        lambda: services.park_junction_create(
            scope=scope,
            park=park,
            from_area=from_area,
            to_area=to_area,
            kind=data["kind"] or "",
            controlled=bool(data["controlled"]),
            note=data["note"] or "",
            by=_user(request),
            at=timezone.now(),
        ),
        "已添加接合部",
    )
    return redirect("response_park_zones", jurisdiction_id=park.pk)


@login_required
@require_GET
def park_site_plan(request: HttpRequest, jurisdiction_id: int) -> HttpResponse:
    """The park's site plan as an ECharts SVG map: its own areas in their zone colours with
    their head counts now; its admins upload the plan and place areas on it."""
    scope = scope_of(request)
    park = selectors.park_for_zones(scope=scope, jurisdiction_id=jurisdiction_id)
    context = _plan_context(
        name=f"park-{park.pk}",
        plan=selectors.park_site_plan_of(scope=scope, park=park),
        svg_url=reverse("response_park_site_plan_svg", args=[park.pk]),
        api_url=reverse("api:response_park_plan", args=[park.pk]),
        areas=selectors.park_areas_of(scope=scope, park=park),
        junctions=selectors.park_junctions_of(scope=scope, park=park),
    )
    can_manage = can(scope, "manage_zones", park)
    return render(
        request,
        "response/park_siteplan.html",
        {
            **context,
            "park": park,
            "can_manage": can_manage,
            "park_staff": can(scope, "view_response", park),
            "place_url": reverse("response_park_area_place", args=[park.pk]),
            "upload_url": reverse("response_park_site_plan_upload", args=[park.pk]),
        },
    )


@login_required
@require_GET
def park_site_plan_svg(request: HttpRequest, jurisdiction_id: int) -> HttpResponse:
    scope = scope_of(request)
    park = selectors.park_for_zones(scope=scope, jurisdiction_id=jurisdiction_id)
    plan = selectors.park_site_plan_of(scope=scope, park=park)
    if plan is None:
        raise Http404
    response = HttpResponse(plan.svg.encode("utf-8"), content_type="image/svg+xml")
    response["Content-Security-Policy"] = SVG_POLICY
    response["Cache-Control"] = "private, no-cache"
    return response


@login_required
@require_POST
def park_site_plan_upload(request: HttpRequest, jurisdiction_id: int) -> HttpResponse:
    scope = scope_of(request)
    park = selectors.park_for_zone_edits(scope=scope, jurisdiction_id=jurisdiction_id)
    upload = request.FILES.get("svg")
    if upload is None:
        messages.error(request, SVG_MISSING)
        return redirect("response_park_site_plan", jurisdiction_id=park.pk)
    try:
        data = upload_read(upload, max_bytes=settings.SITE_PLAN_MAX_BYTES)
    except UploadRefused as exc:
        messages.error(request, exc.message)
        return redirect("response_park_site_plan", jurisdiction_id=park.pk)
    _run(
        request,
        lambda: services.park_site_plan_upload(
            scope=scope,
            park=park,
            data=data,
            filename=upload.name or "",
            by=_user(request),
            at=timezone.now(),
        ),
        "已上传平面图",
    )
    return redirect("response_park_site_plan", jurisdiction_id=park.pk)


@login_required
@require_POST
def park_area_place(request: HttpRequest, jurisdiction_id: int) -> HttpResponse:
    scope = scope_of(request)
    park = selectors.park_for_zone_edits(scope=scope, jurisdiction_id=jurisdiction_id)
    form = PlaceForm(request.POST)
    if not form.is_valid():
        messages.error(request, services.PLACE_INVALID)
        return redirect("response_park_site_plan", jurisdiction_id=park.pk)
    data = form.cleaned_data
    area = get_visible_or_404(scope, Area, pk=data["area"])
    _run(
        request,
        lambda: services.park_area_place(
            scope=scope,
            park=park,
            area=area,
            x=data["x"],
            y=data["y"],
            by=_user(request),
            at=timezone.now(),
        ),
        "已标注区块位置",
    )
    return redirect("response_park_site_plan", jurisdiction_id=park.pk)


class JunctionEditForm(forms.Form):
    direction = forms.CharField(max_length=10, required=False)
    controlled = forms.BooleanField(required=False)
    gate = forms.IntegerField(required=False, min_value=1)


@login_required
@require_POST
def junction_update(request: HttpRequest, enterprise_id: int, junction_id: int) -> HttpResponse:
    """Change a junction's gate, direction and controlled flag (`services.junction_update`)."""
    scope = scope_of(request)
    e = selectors.enterprise_for_response(scope=scope, enterprise_id=enterprise_id)
    junction = get_visible_or_404(scope, Junction, pk=junction_id)
    form = JunctionEditForm(request.POST)
    if not form.is_valid():
        messages.error(request, BAD_FORM)
        return redirect("response_zones", enterprise_id=e.pk)
    data = form.cleaned_data
    gate = None
    if data["gate"]:
        # A gate the caller cannot see gets the same message as another enterprise's.
        gate = visible(scope, Gate).filter(pk=data["gate"]).first()
        if gate is None:
            messages.error(request, services.JUNCTION_GATE_NOT_HERE)
            return redirect("response_zones", enterprise_id=e.pk)
    _run(
        request,
        lambda: services.junction_update(
            scope=scope,
            enterprise=e,
            junction=junction,
            gate=gate,
            direction=data["direction"] or "",
            controlled=bool(data["controlled"]),
            by=_user(request),
            at=timezone.now(),
        ),
        "已修改接合部",
    )
    return redirect("response_zones", enterprise_id=e.pk)
