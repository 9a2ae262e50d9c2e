"""Pages of the gate: the guard's kiosk, the employee's phone pass, place codes (J-1.5a), and
the officer's gates, posters, passes and access log."""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from parkguard.gate import selectors, services, tokens
from parkguard.gate.choices import Direction, Place, VisitorKind
from parkguard.gate.models import Gate, PrintedPass
from parkguard.health.selectors import my_person
from parkguard.notify.privacy import name_mask
from parkguard.orgs.access import NOT_FOUND, can, get_visible_or_404, require, scope_of
from parkguard.orgs.models import Enterprise
from parkguard.orgs.selectors import parks_of
from parkguard.policy.entry import CONFIRMED_STEPS
from parkguard.status.selectors import person_status_get

NO_PERSON = "您的账号没有关联人员档案，无法出示通行码"
STEP_LABELS = {"mask": "戴口罩", "disinfect_person": "手部/人员消毒", "register": "登记"}
QR_SCALE = 8


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)


def _qr_svg(data: str, scale: int = QR_SCALE) -> str:
    return segno.make(data, error="m").svg_inline(scale=scale, border=4)


def _enterprise_kept(request: HttpRequest, enterprise_id: int) -> Enterprise:
    scope = scope_of(request)
    enterprise = get_visible_or_404(
        scope, Enterprise.objects.select_related("jurisdiction"), pk=enterprise_id
    )
    require(scope, "manage_gates", enterprise)
    return enterprise


@login_required
@require_GET
def gate_home(request: HttpRequest) -> HttpResponse:
    """The guard's home (kiosks, today's log), the officer's (gates, posters, passes)."""
    scope = scope_of(request)
    return render(
        request,
        "gate/home.html",
        {
            "kiosks": selectors.gates_to_check(scope=scope),
            "kept": selectors.enterprises_to_keep(scope=scope),
            "parks": [p for p in parks_of(scope=scope) if can(scope, "manage_gates", p)],
            "logged": selectors.enterprises_logged(scope=scope),
            "has_person": bool(scope.person_ids),
        },
    )


@login_required
@require_GET
def kiosk(request: HttpRequest, gate_id: int) -> HttpResponse:
    """Full screen at the gate: camera, USB scanner, manual path, temperature, steps."""
    scope = scope_of(request)
    gate = get_visible_or_404(
        scope, Gate.objects.select_related("enterprise", "park"), "gate_check", pk=gate_id
    )
    steps = [(s, STEP_LABELS[s]) for s in ("mask", "disinfect_person", "register")]
    return render(
        request,
        "gate/kiosk.html",
        {
            "gate": gate,
            "steps": [s for s in steps if s[0] in CONFIRMED_STEPS],
            "check_url": reverse("api:gate_check"),
            "lookup_url": reverse("gate_lookup", args=[gate.pk]),
        },
    )


@login_required
@require_GET
def lookup(request: HttpRequest, gate_id: int) -> JsonResponse:
    """The manual path: candidates by name and the last digits of the ID, masked."""
    scope = scope_of(request)
    gate = get_visible_or_404(scope, Gate, "gate_check", pk=gate_id)
    found = selectors.manual_candidates(
        scope=scope,
        gate=gate,
        name=request.GET.get("name", "")[:50],
        tail=request.GET.get("tail", "")[:4],
    )
    return JsonResponse(
        {
            "candidates": [
                {"id": c.person_id, "name": c.name, "id_masked": c.id_masked, "unit": c.unit}
                for c in found
            ]
        }
    )


def _pass_context(request: HttpRequest) -> dict[str, Any]:
    scope = scope_of(request)
    person = my_person(scope=scope)
    if person is None:
        return {"no_person": NO_PERSON}
    require(scope, "show_pass", person)
    now = timezone.now()
    status = person_status_get(person_id=person.pk)
    blocked = bool(status and status.on_hold)
    return {
        "name": name_mask(person.name),
        "enterprise": person.enterprise.name,
        "qr": _qr_svg(tokens.phone_token(person_id=person.pk, at=now)),
        "blocked": blocked,
        "holds": status.holds if status and blocked else [],
        "refresh": tokens.seconds_to_rotation(at=now),
        "now": now,
    }


@login_required
@require_GET
def my_pass(request: HttpRequest) -> HttpResponse:
    return render(request, "gate/my_pass.html", _pass_context(request))


@login_required
@require_GET
def my_pass_code(request: HttpRequest) -> HttpResponse:
    """The pass partial, fetched again by the page when the code rotates."""
    return render(request, "gate/_pass.html", _pass_context(request))


@login_required
@require_http_methods(["GET", "POST"])
def place(request: HttpRequest, code: str) -> HttpResponse:
    """J-1.5a: the place-code poster's page; a logged-in employee registers in or out."""
    scope = scope_of(request)
    gate = Gate.objects.select_related("enterprise", "park").filter(place_code=code[:32]).first()
    person = my_person(scope=scope)
    if gate is None or person is None:
        raise Http404(NOT_FOUND)
    if gate.enterprise_id is not None and gate.enterprise_id != person.enterprise_id:
        raise Http404(NOT_FOUND)
    if gate.enterprise_id is None and person.enterprise.jurisdiction_id != gate.park_id:
        raise Http404(NOT_FOUND)
    done = None
    if request.method == "POST":
        try:
            done = services.place_code_register(
                scope=scope,
                gate=gate,
                person=person,
                direction=request.POST.get("direction", ""),
                at=timezone.now(),
                by=_user(request),
            )
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
    return render(
        request,
        "gate/place.html",
        {"gate": gate, "name": name_mask(person.name), "done": done, "directions": Direction},
    )


@login_required
@require_http_methods(["GET", "POST"])
def gate_list(request: HttpRequest, enterprise_id: int) -> HttpResponse:
    enterprise = _enterprise_kept(request, enterprise_id)
    scope = scope_of(request)
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        try:
            services.gate_create(
                scope=scope,
                park=enterprise.jurisdiction,
                enterprise=enterprise,
                name=request.POST.get("name", ""),
                place=request.POST.get("place", ""),
                route_areas=request.POST.get("route_areas", "").replace("，", ",").split(","),
                closed_loop=request.POST.get("closed_loop") == "on",
                at=timezone.now(),
                by=_user(request),
            )
        except ValidationError as exc:
            errors = exc.message_dict
        else:
            messages.success(request, "已添加出入口")
            return redirect("gate_list", enterprise_id=enterprise.pk)
    return render(
        request,
        "gate/gates.html",
        {
            "e": enterprise,
            "gates": selectors.gates_of(scope=scope, enterprise=enterprise),
            "places": Place.choices,
            "errors": errors,
        },
    )


@login_required
@require_POST
def gate_edit(request: HttpRequest, gate_id: int) -> HttpResponse:
    """Z-5.2d: the gate's route (dormitories, workshops) and the closed-loop switch."""
    scope = scope_of(request)
    gate = get_visible_or_404(scope, Gate, "manage_gates", pk=gate_id)
    services.gate_update(
        scope=scope,
        gate=gate,
        route_areas=request.POST.get("route_areas", "").replace("，", ",").split(","),
        closed_loop=request.POST.get("closed_loop") == "on",
        active=request.POST.get("active") == "on",
        at=timezone.now(),
        by=_user(request),
    )
    messages.success(request, f"已保存：{gate.name}")
    if gate.enterprise_id is None:
        return redirect("gate_home")
    return redirect("gate_list", enterprise_id=gate.enterprise_id)


@login_required
@require_GET
def poster(request: HttpRequest, gate_id: int) -> HttpResponse:
    """J-1.5a: the printable A4 place-code poster of one entrance or area."""
    scope = scope_of(request)
    gate = get_visible_or_404(
        scope, Gate.objects.select_related("enterprise", "park"), "manage_gates", pk=gate_id
    )
    url = request.build_absolute_uri(reverse("gate_place", args=[gate.place_code]))
    return render(request, "gate/poster.html", {"gate": gate, "qr": _qr_svg(url, scale=14)})


@login_required
@require_http_methods(["GET", "POST"])
def passes(request: HttpRequest, enterprise_id: int) -> HttpResponse:
    """Printed passes (people without a phone) and temporary passes (visitors, truck crews)."""
    enterprise = _enterprise_kept(request, enterprise_id)
    scope = scope_of(request)
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        now = timezone.now()
        try:
            if request.POST.get("form") == "temporary":
                start = _local(request.POST.get("valid_from", ""))
                end = _local(request.POST.get("valid_until", ""))
                if start is None or end is None:
                    raise ValidationError({"valid_from": "请填写有效时段"})
                services.temporary_pass_issue(
                    scope=scope,
                    enterprise=enterprise,
                    kind=request.POST.get("kind", ""),
                    name=request.POST.get("name", ""),
                    plate=request.POST.get("plate", ""),
                    valid_from=start,
                    valid_until=end,
                    at=now,
                    by=_user(request),
                )
                messages.success(request, "已签发临时通行证")
            else:
                person = get_visible_or_404(
                    scope,
                    selectors.active_people(scope=scope, enterprise=enterprise),
                    pk=_int(request.POST.get("person_id")),
                )
                issued = services.printed_pass_issue(
                    scope=scope, person=person, at=now, by=_user(request)
                )
                return redirect("gate_pass_print", pass_id=issued.pk)
        except ValidationError as exc:
            errors = exc.message_dict
        else:
            return redirect("gate_passes", enterprise_id=enterprise.pk)
    return render(
        request,
        "gate/passes.html",
        {
            "e": enterprise,
            "printed": selectors.printed_passes(scope=scope, enterprise=enterprise)[:200],
            "temporary": selectors.temporary_passes(scope=scope, enterprise=enterprise)[:200],
            "people": selectors.active_people(scope=scope, enterprise=enterprise)[:500],
            "kinds": VisitorKind.choices,
            "errors": errors,
        },
    )


def _int(value: str | None) -> int:
    try:
        return int(value or "0")
    except ValueError:
        return 0


def _local(value: str) -> dt.datetime | None:
    try:
        return timezone.make_aware(dt.datetime.fromisoformat(value))
    except ValueError:
        return None


@login_required
@require_POST
def pass_revoke(request: HttpRequest, pass_id: int) -> HttpResponse:
    scope = scope_of(request)
    printed = get_visible_or_404(
        scope, PrintedPass.objects.select_related("person"), "manage_gates", pk=pass_id
    )
    try:
        services.printed_pass_revoke(
            scope=scope, printed=printed, at=timezone.now(), by=_user(request)
        )
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, "已作废该纸质通行证")
    return redirect("gate_passes", enterprise_id=printed.person.enterprise_id)


@login_required
@require_GET
def pass_print(request: HttpRequest, pass_id: int) -> HttpResponse:
    scope = scope_of(request)
    printed = get_visible_or_404(
        scope, PrintedPass.objects.select_related("person__enterprise"), "manage_gates", pk=pass_id
    )
    return render(
        request,
        "gate/pass_print.html",
        {
            "p": printed,
            "name": name_mask(printed.person.name),
            "qr": _qr_svg(f"{tokens.PRINTED}.{printed.serial}"),
        },
    )


def _log_filters(request: HttpRequest) -> selectors.LogFilter:
    try:
        on = dt.date.fromisoformat(request.GET.get("on", ""))
    except ValueError:
        on = timezone.localdate()
    allowed = {"yes": True, "no": False}.get(request.GET.get("allowed", ""))
    direction = request.GET.get("direction", "")
    gate_id = _int(request.GET.get("gate")) or None
    return selectors.LogFilter(
        on=on,
        gate_id=gate_id,
        allowed=allowed,
        direction=direction if direction in Direction.values else "",
    )


def _enterprise_logged(request: HttpRequest, enterprise_id: int) -> Enterprise:
    scope = scope_of(request)
    enterprise = get_visible_or_404(
        scope, selectors.enterprises_logged(scope=scope), pk=enterprise_id
    )
    return enterprise


@login_required
@require_GET
def access_log(request: HttpRequest, enterprise_id: int) -> HttpResponse:
    """Every check with time, gate, direction, guard or device, answer, reasons, pack version."""
    scope = scope_of(request)
    enterprise = _enterprise_logged(request, enterprise_id)
    filters = _log_filters(request)
    rows = list(
        selectors.access_log(scope=scope, enterprise=enterprise, filters=filters)[
            : selectors.LOG_PAGE
        ]
    )
    return render(
        request,
        "gate/access_log.html",
        {
            "e": enterprise,
            "rows": [
                (
                    r,
                    name_mask(r.person.name)
                    if r.person
                    else name_mask(r.temporary_pass.name)
                    if r.temporary_pass
                    else "",
                )
                for r in rows
            ],
            "f": filters,
            "gates": Gate.objects.filter(enterprise=enterprise).order_by("name"),
            "query": request.GET.urlencode(),
            # The masked export is for the enterprise's editors ("export"), not the guard.
            "can_export": can(scope, "export", enterprise),
            "allowed_count": sum(1 for r in rows if r.allowed),
            "refused_count": sum(1 for r in rows if not r.allowed),
        },
    )


@login_required
@require_GET
def access_log_export(request: HttpRequest, enterprise_id: int) -> HttpResponse:
    scope = scope_of(request)
    enterprise = _enterprise_logged(request, enterprise_id)
    filters = _log_filters(request)
    data = services.access_log_export(
        scope=scope,
        enterprise=enterprise,
        rows=selectors.access_log(scope=scope, enterprise=enterprise, filters=filters).iterator(),
        on=filters.on,
        at=timezone.now(),
        by=_user(request),
    )
    response = HttpResponse(
        data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="access-log-{filters.on}.xlsx"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def park_gates(request: HttpRequest, jurisdiction_id: int) -> HttpResponse:
    """The park's own checkpoints (no enterprise): park admins keep them."""
    scope = scope_of(request)
    park = get_visible_or_404(scope, parks_of(scope=scope), pk=jurisdiction_id)
    require(scope, "manage_gates", park)
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        try:
            services.gate_create(
                scope=scope,
                park=park,
                enterprise=None,
                name=request.POST.get("name", ""),
                place=request.POST.get("place", ""),
                at=timezone.now(),
                by=_user(request),
            )
        except ValidationError as exc:
            errors = exc.message_dict
        else:
            messages.success(request, "已添加园区出入口")
            return redirect("gate_park_gates", jurisdiction_id=park.pk)
    return render(
        request,
        "gate/park_gates.html",
        {
            "park": park,
            "gates": selectors.park_gates(scope=scope, park=park),
            "places": Place.choices,
            "errors": errors,
        },
    )
