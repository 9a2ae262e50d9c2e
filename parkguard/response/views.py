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
from parkguard.orgs.access import Scope, can, get_visible_or_404, scope_of, visible
from parkguard.people.choices import EmploymentStatus
from parkguard.people.models import Person
from parkguard.response import selectors, services
from parkguard.response.choices import BlockType, JunctionDirection, JunctionKind, ZoneColour
from parkguard.response.models import Area, Contact, Junction, LinkageTask, SitePlan, ZoneMove
from parkguard.response.owners import Owner
from parkguard.response.svg import svg_region_ids

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


class BindForm(forms.Form):
    area = forms.IntegerField()
    region = forms.CharField(max_length=100, required=False)


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
            "has_blue": any(a.zone == ZoneColour.BLUE and not a.is_isolation for a, _ in areas),
            "awaiting_blue": selectors.awaiting_blue_area(scope=scope, enterprise=e).count(),
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
            "park_areas": selectors.park_areas_for_moves(scope=scope, enterprise=e),
            "blocks": BlockType.choices,
            "colours": ZoneColour.choices,
            "can_manage": can(scope, "manage_zones", e),
            "me": request.user.pk,
        },
    )


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


# --- the site plan drawn as an ECharts SVG map, and the park's own zones ------------------
def _plan_context(
    *,
    name: str,
    plan: SitePlan | None,
    svg_url: str,
    api_url: str,
    areas: list[tuple[Area, int]],
    junctions: list[Junction],
) -> dict[str, Any]:
    """What the plan partial draws: the no-JS markup (the image with its pins and lines) and
    the data `siteplan.js` draws the ECharts map from (`json_script`, no inline script). An
    area bound to an element the plan still has is drawn as that region; the others that are
    placed, as points."""
    regions = svg_region_ids(plan.svg) if plan is not None else []
    known = set(regions)
    placed = [(a, n) for a, n in areas if _placed(a)]
    drawn = [(a, n) for a, n in areas if _placed(a) or a.plan_region in known]
    lines = [j for j in junctions if _placed(j.from_area) and _placed(j.to_area)]
    return {
        "plan": plan,
        "svg_url": svg_url,
        "areas": areas,
        "placed": placed,
        "lines": lines,
        "junctions": junctions,
        "regions": regions,
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
                    "region": a.plan_region if a.plan_region in known else None,
                }
                for a, n in drawn
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


# --- one path over an owner (an enterprise, or a park for its own zones) --------------------
# The same views serve an enterprise's URLs (`enterprise_id`) and a park's (`jurisdiction_id`):
# `selectors.owner_for` opens the owner as the caller may (404/403), the services decide the
# rest over the `Owner`; only the URL names and the page's template differ.
_PAGES = {
    "zones": ("response_zones", "response_park_zones"),
    "plan": ("response_site_plan", "response_park_site_plan"),
    "svg": ("response_site_plan_svg", "response_park_site_plan_svg"),
    "api": ("api:response_plan", "api:response_park_plan"),
    "place": ("response_area_place", "response_park_area_place"),
    "bind": ("response_area_bind", "response_park_area_bind"),
    "upload": ("response_site_plan_upload", "response_park_site_plan_upload"),
}


def _url(owner: Owner, page: str) -> str:
    return reverse(_PAGES[page][owner.is_park], args=[owner.subject.pk])


def _owner(
    request: HttpRequest,
    enterprise_id: int | None,
    jurisdiction_id: int | None,
    *,
    edit: bool = False,
) -> tuple[Scope, Owner]:
    scope = scope_of(request)
    owner = selectors.owner_for(
        scope=scope, enterprise_id=enterprise_id, jurisdiction_id=jurisdiction_id, edit=edit
    )
    return scope, owner


@login_required
@require_POST
def area_create(
    request: HttpRequest, enterprise_id: int | None = None, jurisdiction_id: int | None = None
) -> HttpResponse:
    scope, owner = _owner(request, enterprise_id, jurisdiction_id, edit=True)
    back = redirect(_url(owner, "zones"))
    form = AreaForm(request.POST)
    if not form.is_valid():
        messages.error(request, BAD_FORM)
        return back
    data = form.cleaned_data
    _run(
        request,
        lambda: services.area_create(
            scope=scope,
            owner=owner,
            name=data["name"] or "",
            block=data["block"] or "",
            capacity=data["capacity"],
            zone=data["zone"] or ZoneColour.GREEN,
            is_isolation=bool(data["is_isolation"]),
            by=_user(request),
            at=timezone.now(),
        ),
        "已添加园区区块" if owner.is_park else "已添加区块",
    )
    return back


@login_required
@require_POST
def junction_create(
    request: HttpRequest, enterprise_id: int | None = None, jurisdiction_id: int | None = None
) -> HttpResponse:
    scope, owner = _owner(request, enterprise_id, jurisdiction_id, edit=True)
    back = redirect(_url(owner, "zones"))
    form = JunctionForm(request.POST)
    if not form.is_valid():
        messages.error(request, BAD_FORM)
        return back
    data = form.cleaned_data
    # Another owner's area that the caller sees is refused by the service's message.
    from_area = get_visible_or_404(scope, Area, pk=data["from_area"])
    to_area = get_visible_or_404(scope, Area, pk=data["to_area"])
    gate = None
    if data["gate"]:
        # A gate the caller cannot see gets the same message as another enterprise's.
        gate = visible(scope, Gate).filter(pk=data["gate"]).first()
        if gate is None:
            messages.error(request, services.JUNCTION_GATE_NOT_HERE)
            return back
    _run(
        request,
        lambda: services.junction_create(
            scope=scope,
            owner=owner,
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
    return back


@login_required
@require_POST
def junction_delete(
    request: HttpRequest,
    junction_id: int,
    enterprise_id: int | None = None,
    jurisdiction_id: int | None = None,
) -> HttpResponse:
    scope, owner = _owner(request, enterprise_id, jurisdiction_id, edit=True)
    junction = get_visible_or_404(scope, Junction, pk=junction_id)
    _run(
        request,
        lambda: services.junction_delete(
            scope=scope, owner=owner, junction=junction, by=_user(request), at=timezone.now()
        ),
        "已删除接合部",
    )
    return redirect(_url(owner, "zones"))


@login_required
@require_GET
def site_plan(
    request: HttpRequest, enterprise_id: int | None = None, jurisdiction_id: int | None = None
) -> HttpResponse:
    """The owner's site plan drawn as an ECharts SVG map, each area in its zone colour with its
    head count now: a region where it is bound to a named element of the plan, else a point
    (the image with pins when scripts do not run); officers place an area by choosing it and
    clicking on the plan (siteplan.js), or bind it to one of the plan's elements."""
    scope, owner = _owner(request, enterprise_id, jurisdiction_id)
    plan = selectors.owner_site_plan(scope=scope, owner=owner)
    context = _plan_context(
        name=f"park-{owner.subject.pk}" if owner.is_park else f"enterprise-{owner.subject.pk}",
        plan=plan,
        svg_url=_url(owner, "svg"),
        api_url=_url(owner, "api"),
        areas=selectors.owner_areas(scope=scope, owner=owner),
        junctions=selectors.owner_junctions(scope=scope, owner=owner),
    )
    context.update(
        {
            "can_manage": can(scope, "manage_zones", owner.subject),
            "place_url": _url(owner, "place"),
            "bind_url": _url(owner, "bind"),
            "upload_url": _url(owner, "upload"),
        }
    )
    if owner.is_park:
        context["park"] = owner.subject
        context["park_staff"] = can(scope, "view_response", owner.subject)
        return render(request, "response/park_siteplan.html", context)
    context["e"] = owner.enterprise
    return render(request, "response/siteplan.html", context)


@login_required
@require_GET
def site_plan_svg(
    request: HttpRequest, enterprise_id: int | None = None, jurisdiction_id: int | None = None
) -> HttpResponse:
    """The sanitised SVG, as an image that cannot run anything."""
    scope, owner = _owner(request, enterprise_id, jurisdiction_id)
    plan = selectors.owner_site_plan(scope=scope, owner=owner)
    if plan is None:
        raise Http404
    response = HttpResponse(plan.svg.encode("utf-8"), content_type="image/svg+xml")
    response["Content-Security-Policy"] = SVG_POLICY
    response["Cache-Control"] = "private, no-cache"
    return response


@login_required
@require_POST
def site_plan_upload(
    request: HttpRequest, enterprise_id: int | None = None, jurisdiction_id: int | None = None
) -> HttpResponse:
    scope, owner = _owner(request, enterprise_id, jurisdiction_id, edit=True)
    back = redirect(_url(owner, "plan"))
    upload = request.FILES.get("svg")
    if upload is None:
        messages.error(request, SVG_MISSING)
        return back
    try:
        data = upload_read(upload, max_bytes=settings.SITE_PLAN_MAX_BYTES)
    except UploadRefused as exc:
        messages.error(request, exc.message)
        return back
    _run(
        request,
        lambda: services.site_plan_upload(
            scope=scope,
            owner=owner,
            data=data,
            filename=upload.name or "",
            by=_user(request),
            at=timezone.now(),
        ),
        "已上传平面图",
    )
    return back


@login_required
@require_POST
def area_place(
    request: HttpRequest, enterprise_id: int | None = None, jurisdiction_id: int | None = None
) -> HttpResponse:
    scope, owner = _owner(request, enterprise_id, jurisdiction_id, edit=True)
    back = redirect(_url(owner, "plan"))
    form = PlaceForm(request.POST)
    if not form.is_valid():
        messages.error(request, services.PLACE_INVALID)
        return back
    data = form.cleaned_data
    # Another owner's area that the caller sees is refused by the service's message.
    area = get_visible_or_404(scope, Area, pk=data["area"])
    _run(
        request,
        lambda: services.area_place(
            scope=scope,
            owner=owner,
            area=area,
            x=data["x"],
            y=data["y"],
            by=_user(request),
            at=timezone.now(),
        ),
        "已标注区块位置",
    )
    return back


class JunctionEditForm(forms.Form):
    direction = forms.CharField(max_length=10, required=False)
    controlled = forms.BooleanField(required=False)
    gate = forms.IntegerField(required=False, min_value=1)


@login_required
@require_POST
def area_bind(
    request: HttpRequest, enterprise_id: int | None = None, jurisdiction_id: int | None = None
) -> HttpResponse:
    """Bind an area to a named element of the plan (or unbind it: a blank region)."""
    scope, owner = _owner(request, enterprise_id, jurisdiction_id, edit=True)
    back = redirect(_url(owner, "plan"))
    form = BindForm(request.POST)
    if not form.is_valid():
        messages.error(request, services.REGION_UNKNOWN)
        return back
    data = form.cleaned_data
    # Another owner's area that the caller sees is refused by the service's message.
    area = get_visible_or_404(scope, Area, pk=data["area"])
    _run(
        request,
        lambda: services.area_bind(
            scope=scope,
            owner=owner,
            area=area,
            region=data["region"] or "",
            by=_user(request),
            at=timezone.now(),
        ),
        "已将区块绑定到平面图区域" if data["region"] else "已取消绑定，区块按标注位置画成点",
    )
    return back


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
