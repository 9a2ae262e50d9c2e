"""Pages of the rule packs: the packs in force, one pack explained, a plan preview, adoption."""

from __future__ import annotations

from typing import cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods
from pydantic import ValidationError as PydanticError

from parkguard.lib.api_errors import translate
from parkguard.lib.forms import form_errors_apply
from parkguard.orgs.access import can, get_visible_or_404, scope_of
from parkguard.orgs.selectors import parks_of
from parkguard.policy import PolicyInputError, explain
from parkguard.policy.facts import Facts
from parkguard.policy.requests import DeadlinesRequest, RouteRequest, ScheduleRequest
from parkguard.rules import selectors, services
from parkguard.rules.forms import (
    MODES,
    DraftForm,
    EnginePreviewForm,
    PreviewForm,
    params_clean,
    params_form,
)
from parkguard.rules.registry import invalid_packs, registry


@login_required
def pack_list(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    scope = scope_of(request)
    parks = [
        (park, selectors.followed(park=park, on=today))
        for park in selectors.parks_for_scope(scope=scope)
    ]
    return render(
        request,
        "rules/pack_list.html",
        {"packs": registry().packs(), "parks": parks, "today": today, "invalid": invalid_packs()},
    )


@login_required
def pack_detail(request: HttpRequest, pack_id: str) -> HttpResponse:
    try:
        versions = registry().versions(pack_id)
    except PolicyInputError:
        raise Http404(selectors.PACK_NOT_FOUND) from None
    today = timezone.localdate()
    current = next((p for p in versions if registry().is_in_force(p, today)), versions[-1])
    return render(
        request,
        "rules/pack_detail.html",
        {"pack": current, "versions": versions, "lines": explain(current), "today": today},
    )


@login_required
@require_http_methods(["GET", "POST"])
def plan_preview(request: HttpRequest) -> HttpResponse:
    """Park staff try a hypothetical arrival against a pack and see the plan with citations."""
    initial = {"arrived_at": timezone.localtime(), **request.GET.dict()}
    form = PreviewForm(request.POST or None, initial=initial)
    plan = error = None
    if request.method == "POST" and form.is_valid() and form.request is not None:
        facts = form.request
        if not facts.params:
            params = selectors.park_params(scope=scope_of(request), pack_id=facts.pack)
            facts = facts.model_copy(update={"params": params})
        try:
            plan = selectors.plan_compute(request=facts)
        except PolicyInputError as exc:
            error = selectors.input_error(exc)
    template = "rules/_plan.html" if request.htmx else "rules/plan_preview.html"  # type: ignore[attr-defined]
    context = {"form": form, "plan": plan, "error": error, "modes": MODES, "mode": "plan"}
    return render(request, template, context)


@login_required
@require_http_methods(["GET", "POST"])
def engine_preview(request: HttpRequest, mode: str) -> HttpResponse:
    """Events, schedules and deadlines tried against a pack, every item with its citation."""
    if mode not in MODES:
        raise Http404(selectors.PACK_NOT_FOUND)
    form = EnginePreviewForm(request.POST or None, mode=mode, initial=request.GET.dict())
    result = error = None
    if request.method == "POST" and form.is_valid() and form.body is not None:
        try:
            body = PREVIEW_REQUESTS[mode].model_validate(form.body)
            if not getattr(body, "params", None):
                params = selectors.park_params(scope=scope_of(request), pack_id=form.body["pack"])
                body = body.model_copy(update={"params": params})
            result = selectors.engine_run_request(command=mode, request=body)
        except PolicyInputError as exc:
            error = selectors.input_error(exc)
        except PydanticError as exc:
            error = "；".join(e["msg"] for e in translate(exc.errors()))
    template = "rules/_engine.html" if request.htmx else "rules/engine_preview.html"  # type: ignore[attr-defined]
    context = {"form": form, "mode": mode, "modes": MODES, "result": result, "error": error}
    return render(request, template, context)


PREVIEW_REQUESTS: dict[str, type[Facts]] = {
    "route": RouteRequest,
    "schedule": ScheduleRequest,
    "deadlines": DeadlinesRequest,
}


@login_required
@require_http_methods(["GET", "POST"])
def park_pack_draft(request: HttpRequest, jurisdiction_id: int) -> HttpResponse:
    """A park admin checks a pack they wrote: mistakes with line and path, else the draft's
    rules in Chinese. The draft is never in force and never added to the site's packs."""
    scope = scope_of(request)
    park = get_visible_or_404(scope, parks_of(scope=scope), pk=jurisdiction_id)
    form = DraftForm(request.POST or None, request.FILES or None)
    check = None
    if request.method == "POST" and form.is_valid():
        check = selectors.pack_draft_check(
            scope=scope, park=park, file=form.cleaned_data["name"], text=form.cleaned_data["text"]
        )
    elif request.method == "GET" and not can(scope, "upload_pack", park):
        raise PermissionDenied
    return render(request, "rules/pack_draft.html", {"park": park, "form": form, "check": check})


@login_required
@require_http_methods(["GET", "POST"])
def park_packs(request: HttpRequest, jurisdiction_id: int) -> HttpResponse:
    """A park admin chooses the packs the park follows and sets their parameters."""
    scope = scope_of(request)
    park = get_visible_or_404(scope, parks_of(scope=scope), pk=jurisdiction_id)
    editable = can(scope, "adopt", park)
    now = timezone.now()
    adopted = {
        a.pack_id: a for a in selectors.adoptions_for(park=park) if a.jurisdiction_id == park.pk
    }
    posted = request.POST.get("pack_id") if request.method == "POST" else None
    if posted is not None and posted not in registry().ids():
        raise Http404(selectors.PACK_NOT_FOUND)
    rows = []
    for pack_id in registry().ids():
        pack = registry().versions(pack_id)[-1]
        adoption = adopted.get(pack_id)
        form_class = params_form(pack, adoption.params if adoption else {})
        prefix = pack_id
        bound = request.method == "POST" and request.POST.get("pack_id") == pack_id
        form = form_class(
            request.POST if bound else None,
            prefix=prefix,
            initial=adoption.params if adoption else None,
        )
        rows.append({"pack": pack, "adoption": adoption, "form": form})
        if not bound:
            continue
        user = cast(User, request.user)
        if request.POST.get("action") == "drop":
            if adoption is not None:
                services.pack_drop(scope=scope, adoption=adoption, by=user, at=now)
                messages.success(request, f"已停止采用：{pack.meta.title}")
            return redirect("park_packs", jurisdiction_id=park.pk)
        if form.is_valid():
            try:
                services.pack_adopt(
                    scope=scope,
                    park=park,
                    pack_id=pack_id,
                    params=params_clean(form),
                    by=user,
                    at=now,
                )
            except ValidationError as exc:
                form_errors_apply(form, exc)
            else:
                messages.success(request, f"已采用：{pack.meta.title}")
                return redirect("park_packs", jurisdiction_id=park.pk)
    return render(
        request, "rules/park_packs.html", {"park": park, "rows": rows, "editable": editable}
    )
