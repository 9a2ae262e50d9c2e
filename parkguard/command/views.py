"""Pages of lockdown command, phone first for checkpoint staff. Views parse, call one service
or selector, and render; who may do what is decided in `orgs.access`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any, cast

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from parkguard.command import selectors, services
from parkguard.command.choices import NeedKind, PassKind, TeamKind
from parkguard.command.models import Checkpoint, Delivery, LockdownPass, Shift
from parkguard.gate import tokens
from parkguard.gate.views import _qr_svg
from parkguard.lib.api_errors import DB_ID_MAX
from parkguard.lib.forms import errors_flash
from parkguard.notify.privacy import name_mask
from parkguard.orgs.access import can, get_visible_or_404, scope_of, visible
from parkguard.orgs.choices import JURISDICTION_ROLES
from parkguard.orgs.models import Enterprise, Membership
from parkguard.people.models import Person
from parkguard.response.models import Area

BAD_FORM = "请检查填写的内容"
ROWS = 500


class OrderForm(forms.Form):
    title = forms.CharField(max_length=120, required=False)
    reason = forms.CharField(max_length=300, required=False)
    enterprises = forms.TypedMultipleChoiceField(coerce=int, required=False, choices=())
    areas = forms.TypedMultipleChoiceField(coerce=int, required=False, choices=())
    policy_leader = forms.CharField(max_length=50, required=False)
    policy_hotline = forms.CharField(max_length=20, required=False)
    requests_leader = forms.CharField(max_length=50, required=False)
    requests_hotline = forms.CharField(max_length=20, required=False)
    living_leader = forms.CharField(max_length=50, required=False)
    living_hotline = forms.CharField(max_length=20, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Any id parses; the service decides whether it is inside the command's jurisdiction.
        for name in ("enterprises", "areas"):
            field = cast(forms.TypedMultipleChoiceField, self.fields[name])
            field.valid_value = lambda value: True  # type: ignore[method-assign]


class PassForm(forms.Form):
    person = forms.IntegerField(min_value=1, max_value=DB_ID_MAX)
    kind = forms.CharField(max_length=12, required=False)
    purpose = forms.CharField(max_length=120, required=False)


class ShiftForm(forms.Form):
    user = forms.IntegerField(min_value=1, max_value=DB_ID_MAX, required=False)
    checkpoint = forms.IntegerField(min_value=1, max_value=DB_ID_MAX, required=False)
    post = forms.CharField(max_length=80, required=False)
    starts_at = forms.DateTimeField(required=False)
    ends_at = forms.DateTimeField(required=False)


class NeedForm(forms.Form):
    enterprise = forms.IntegerField(min_value=1, max_value=DB_ID_MAX, required=False)
    checkpoint = forms.IntegerField(min_value=1, max_value=DB_ID_MAX, required=False)
    kind = forms.CharField(max_length=10, required=False)
    item = forms.CharField(max_length=60, required=False)
    quantity = forms.IntegerField(required=False, max_value=DB_ID_MAX)
    unit = forms.CharField(max_length=10, required=False)


class DeliveryForm(forms.Form):
    enterprise = forms.IntegerField(min_value=1, max_value=DB_ID_MAX, required=False)
    checkpoint = forms.IntegerField(min_value=1, max_value=DB_ID_MAX, required=False)
    contents = forms.CharField(max_length=200, required=False)
    packages = forms.IntegerField(required=False, max_value=DB_ID_MAX)
    due_at = forms.DateTimeField(required=False)
    courier = forms.CharField(max_length=50, required=False)


class ShortfallForm(forms.Form):
    enterprise = forms.IntegerField(min_value=1, max_value=DB_ID_MAX, required=False)
    item = forms.CharField(max_length=60, required=False)
    short_by = forms.IntegerField(required=False, max_value=DB_ID_MAX)
    unit = forms.CharField(max_length=10, required=False)


def _run(request: HttpRequest, call: Callable[[], Any], done: str) -> bool:
    try:
        call()
    except ValidationError as exc:
        errors_flash(request, exc)
        return False
    messages.success(request, done)
    return True


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)


def _aware(value: dt.datetime | None) -> dt.datetime | None:
    if value is not None and timezone.is_naive(value):
        return timezone.make_aware(value)
    return value


@login_required
@require_GET
def board(request: HttpRequest, jurisdiction_id: int) -> HttpResponse:
    """The lockdown board: every order with its timers and checkpoint states; phone first."""
    scope = scope_of(request)
    park = selectors.park_for_command(scope=scope, jurisdiction_id=jurisdiction_id)
    may_order = can(scope, "command_lockdown", park)
    enterprises = (
        visible(scope, Enterprise).filter(jurisdiction__path__startswith=park.path)
        if may_order
        else Enterprise.objects.none()
    )
    areas = (
        visible(scope, Area)
        .filter(enterprise__jurisdiction__path__startswith=park.path)
        .select_related("enterprise")
        if may_order
        else Area.objects.none()
    )
    return render(
        request,
        "command/board.html",
        {
            "park": park,
            "orders": selectors.orders_of(scope=scope, jurisdiction=park),
            "may_order": may_order,
            "enterprises": enterprises.order_by("name", "pk")[:ROWS],
            "areas": areas.order_by("enterprise__name", "name", "pk")[:ROWS],
            "teams": TeamKind.choices,
            "now": timezone.now(),
        },
    )


@login_required
@require_POST
def order_create(request: HttpRequest, jurisdiction_id: int) -> HttpResponse:
    scope = scope_of(request)
    park = selectors.park_for_command(scope=scope, jurisdiction_id=jurisdiction_id)
    form = OrderForm(request.POST)
    if not form.is_valid():
        messages.error(request, BAD_FORM)
        return redirect("command_board", jurisdiction_id=park.pk)
    data = form.cleaned_data
    made: list[Any] = []
    ok = _run(
        request,
        lambda: made.append(
            services.lockdown_order(
                scope=scope,
                jurisdiction=park,
                title=data["title"],
                reason=data["reason"],
                enterprise_ids=data["enterprises"],
                area_ids=data["areas"],
                teams={k: (data[f"{k}_leader"], data[f"{k}_hotline"]) for k in TeamKind.values},
                by=_user(request),
                at=timezone.now(),
            )
        ),
        "已下达封控指令，计时开始",
    )
    if ok:
        return redirect("command_order", order_id=made[0].pk)
    return redirect("command_board", jurisdiction_id=park.pk)


@login_required
@require_GET
def order(request: HttpRequest, order_id: int) -> HttpResponse:
    scope = scope_of(request)
    o = selectors.order_for(scope=scope, order_id=order_id)
    now = timezone.now()
    checkpoints = selectors.checkpoints_of(order=o)
    may_command = can(scope, "command_lockdown", o)
    may_supply = services.may_on_order(scope, "living_supplies", o)
    mine = set(
        Shift.objects.filter(
            checkpoint__order=o, user=_user(request), starts_at__lte=now, ends_at__gt=now
        ).values_list("checkpoint_id", flat=True)
    )
    people: list[tuple[int, str]] = []
    if may_command and o.state == "ordered":
        ids = services.people_of_order(o)[:ROWS]
        people = [
            (pk, f"{name}（{ent}）")
            for pk, name, ent in visible(scope, Person)
            .filter(pk__in=ids)
            .order_by("name", "pk")
            .values_list("pk", "name", "enterprise__name")
        ]
    return render(
        request,
        "command/order.html",
        {
            "o": o,
            "checkpoints": checkpoints,
            "misses": [m for c in checkpoints for m in c.misses.all()],
            "teams": {t.kind: t for t in o.teams.all()},
            "team_kinds": TeamKind.choices,
            "passes": selectors.passes_of(scope=scope, order=o)[:ROWS],
            "supplies": selectors.supplies_of(scope=scope, order=o, at=now),
            "enterprises": sorted({(c.enterprise_id, c.enterprise.name) for c in checkpoints}),
            "people": people,
            "may_command": may_command,
            "may_supply": may_supply and o.state == "ordered",
            "may_report": services.may_on_order(scope, "report_checkpoint", o),
            "mine": mine,
            "pass_kinds": PassKind.choices,
            "need_kinds": NeedKind.choices,
            "now": now,
        },
    )


def _report(request: HttpRequest, checkpoint_id: int, what: str, done: str) -> HttpResponse:
    scope = scope_of(request)
    checkpoint = get_visible_or_404(scope, Checkpoint, "view_command", pk=checkpoint_id)
    _run(
        request,
        lambda: services.checkpoint_report(
            scope=scope, checkpoint=checkpoint, what=what, by=_user(request), at=timezone.now()
        ),
        done,
    )
    return redirect("command_order", order_id=checkpoint.order_id)


@login_required
@require_POST
def checkpoint_staffed(request: HttpRequest, checkpoint_id: int) -> HttpResponse:
    return _report(request, checkpoint_id, "staffed", "已报告到岗")


@login_required
@require_POST
def checkpoint_closed(request: HttpRequest, checkpoint_id: int) -> HttpResponse:
    return _report(request, checkpoint_id, "closed", "已报告完成封闭")


@login_required
@require_POST
def order_lift(request: HttpRequest, order_id: int) -> HttpResponse:
    scope = scope_of(request)
    o = selectors.order_for(scope=scope, order_id=order_id)
    _run(
        request,
        lambda: services.lockdown_lift(
            scope=scope,
            order=o,
            reason=request.POST.get("reason", "")[:300],
            by=_user(request),
            at=timezone.now(),
        ),
        "已解除封控",
    )
    return redirect("command_order", order_id=o.pk)


@login_required
@require_POST
def pass_issue(request: HttpRequest, order_id: int) -> HttpResponse:
    scope = scope_of(request)
    o = selectors.order_for(scope=scope, order_id=order_id)
    form = PassForm(request.POST)
    if not form.is_valid():
        messages.error(request, BAD_FORM)
        return redirect("command_order", order_id=o.pk)
    data = form.cleaned_data
    person = get_visible_or_404(scope, Person, pk=data["person"])
    _run(
        request,
        lambda: services.lockdown_pass_issue(
            scope=scope,
            order=o,
            person=person,
            kind=data["kind"],
            purpose=data["purpose"],
            by=_user(request),
            at=timezone.now(),
        ),
        "已签发通行证",
    )
    return redirect("command_order", order_id=o.pk)


def _pass(request: HttpRequest, lockdown_pass_id: int) -> LockdownPass:
    scope = scope_of(request)
    return get_visible_or_404(
        scope,
        LockdownPass.objects.select_related("order", "person__enterprise"),
        "command_lockdown",
        pk=lockdown_pass_id,
    )


@login_required
@require_POST
def pass_revoke(request: HttpRequest, lockdown_pass_id: int) -> HttpResponse:
    issued = _pass(request, lockdown_pass_id)
    _run(
        request,
        lambda: services.lockdown_pass_revoke(
            scope=scope_of(request), issued=issued, by=_user(request), at=timezone.now()
        ),
        "已作废通行证",
    )
    return redirect("command_order", order_id=issued.order_id)


@login_required
@require_GET
def pass_print(request: HttpRequest, lockdown_pass_id: int) -> HttpResponse:
    """The printed pass with its QR (the gate reads it as a printed pass)."""
    issued = _pass(request, lockdown_pass_id)
    qr = _qr_svg(f"{tokens.PRINTED}.{issued.printed_serial}") if issued.printed_serial else ""
    return render(
        request,
        "command/pass_print.html",
        {"p": issued, "name": name_mask(issued.person.name), "qr": qr},
    )


@login_required
@require_GET
def rosters(request: HttpRequest, jurisdiction_id: int) -> HttpResponse:
    scope = scope_of(request)
    park = selectors.park_for_command(scope=scope, jurisdiction_id=jurisdiction_id)
    now = timezone.localtime()
    try:
        start = timezone.make_aware(dt.datetime.fromisoformat(request.GET.get("from", "")))
    except ValueError:
        start = now.replace(minute=0, second=0, microsecond=0)
    may_manage = can(scope, "manage_rosters", park)
    staff = (
        Membership.objects.filter(jurisdiction=park, role__in=JURISDICTION_ROLES)
        .select_related("user")
        .order_by("user__username")
        if may_manage
        else Membership.objects.none()
    )
    return render(
        request,
        "command/rosters.html",
        {
            "park": park,
            "roster": selectors.roster_of(scope=scope, jurisdiction=park, start=start),
            "may_manage": may_manage,
            "staff": {m.user_id: m.user for m in staff}.values(),
            "checkpoints": selectors.open_orders_for_rosters(scope=scope, jurisdiction=park),
            "me": request.user.pk,
            "now": now,
        },
    )


@login_required
@require_POST
def shift_add(request: HttpRequest, jurisdiction_id: int) -> HttpResponse:
    scope = scope_of(request)
    park = selectors.park_for_command(scope=scope, jurisdiction_id=jurisdiction_id)
    form = ShiftForm(request.POST)
    if not form.is_valid():
        messages.error(request, BAD_FORM)
        return redirect("command_rosters", jurisdiction_id=park.pk)
    data = form.cleaned_data
    checkpoint = (
        get_visible_or_404(scope, Checkpoint, "view_command", pk=data["checkpoint"])
        if data["checkpoint"]
        else None
    )
    user = User.objects.filter(pk=data["user"]).first() if data["user"] else None
    _run(
        request,
        lambda: services.shift_add(
            scope=scope,
            jurisdiction=park,
            user=user,
            starts_at=_aware(data["starts_at"]),
            ends_at=_aware(data["ends_at"]),
            post=data["post"],
            checkpoint=checkpoint,
            by=_user(request),
            at=timezone.now(),
        ),
        "已排班",
    )
    return redirect("command_rosters", jurisdiction_id=park.pk)


@login_required
@require_POST
def shift_handover(request: HttpRequest, shift_id: int) -> HttpResponse:
    scope = scope_of(request)
    shift = get_visible_or_404(scope, Shift, "hand_over", pk=shift_id)
    _run(
        request,
        lambda: services.shift_handover(
            scope=scope,
            shift=shift,
            note=request.POST.get("note", "")[:300],
            by=_user(request),
            at=timezone.now(),
        ),
        "已交接",
    )
    return redirect("command_rosters", jurisdiction_id=shift.jurisdiction_id)


def _targets(
    request: HttpRequest, data: dict[str, Any]
) -> tuple[Enterprise | None, Checkpoint | None]:
    scope = scope_of(request)
    enterprise = (
        visible(scope, Enterprise).filter(pk=data["enterprise"]).first()
        if data.get("enterprise")
        else None
    )
    checkpoint = (
        visible(scope, Checkpoint, "view_command").filter(pk=data["checkpoint"]).first()
        if data.get("checkpoint")
        else None
    )
    return enterprise, checkpoint


@login_required
@require_POST
def need_count(request: HttpRequest, order_id: int) -> HttpResponse:
    scope = scope_of(request)
    o = selectors.order_for(scope=scope, order_id=order_id)
    form = NeedForm(request.POST)
    if not form.is_valid():
        messages.error(request, BAD_FORM)
        return redirect("command_order", order_id=o.pk)
    data = form.cleaned_data
    enterprise, checkpoint = _targets(request, data)
    _run(
        request,
        lambda: services.need_count(
            scope=scope,
            order=o,
            enterprise=enterprise,
            checkpoint=checkpoint,
            day=timezone.localdate(),
            kind=data["kind"],
            item=data["item"],
            quantity=data["quantity"],
            unit=data["unit"],
            by=_user(request),
            at=timezone.now(),
        ),
        "已登记今日需求",
    )
    return redirect("command_order", order_id=o.pk)


@login_required
@require_POST
def delivery_plan(request: HttpRequest, order_id: int) -> HttpResponse:
    scope = scope_of(request)
    o = selectors.order_for(scope=scope, order_id=order_id)
    form = DeliveryForm(request.POST)
    if not form.is_valid():
        messages.error(request, BAD_FORM)
        return redirect("command_order", order_id=o.pk)
    data = form.cleaned_data
    enterprise, checkpoint = _targets(request, data)
    _run(
        request,
        lambda: services.delivery_plan(
            scope=scope,
            order=o,
            enterprise=enterprise,
            checkpoint=checkpoint,
            contents=data["contents"],
            packages=data["packages"],
            due_at=_aware(data["due_at"]),
            courier=data["courier"],
            by=_user(request),
            at=timezone.now(),
        ),
        "已登记配送",
    )
    return redirect("command_order", order_id=o.pk)


@login_required
@require_POST
def delivery_confirm(request: HttpRequest, delivery_id: int) -> HttpResponse:
    scope = scope_of(request)
    delivery = get_visible_or_404(scope, Delivery, "living_supplies", pk=delivery_id)
    _run(
        request,
        lambda: services.delivery_confirm(
            scope=scope,
            delivery=delivery,
            receiver=request.POST.get("receiver", "")[:50],
            by=_user(request),
            at=timezone.now(),
        ),
        "已确认送达",
    )
    return redirect("command_order", order_id=delivery.order_id)


@login_required
@require_POST
def shortfall_raise(request: HttpRequest, order_id: int) -> HttpResponse:
    scope = scope_of(request)
    o = selectors.order_for(scope=scope, order_id=order_id)
    form = ShortfallForm(request.POST)
    if not form.is_valid():
        messages.error(request, BAD_FORM)
        return redirect("command_order", order_id=o.pk)
    data = form.cleaned_data
    enterprise, _ = _targets(request, data)
    _run(
        request,
        lambda: services.shortfall_raise(
            scope=scope,
            order=o,
            enterprise=enterprise,
            item=data["item"],
            short_by=data["short_by"],
            unit=data["unit"],
            by=_user(request),
            at=timezone.now(),
        ),
        "已向县生活、医疗物资保障组提出支援请求",
    )
    return redirect("command_order", order_id=o.pk)
