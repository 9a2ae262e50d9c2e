"""Pages of the rule packs: the packs in force, one pack explained, a plan preview, adoption."""

from __future__ import annotations

from typing import Any, cast

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
from parkguard.lib.forms import errors_flash, form_errors_apply
from parkguard.orgs.access import can, get_visible_or_404, scope_of
from parkguard.orgs.selectors import parks_of
from parkguard.policy import PackIssue, PlanRequest, PolicyInputError, Registry, explain
from parkguard.policy.diff import diff_packs
from parkguard.policy.facts import Facts
from parkguard.policy.requests import DeadlinesRequest, RouteRequest, ScheduleRequest
from parkguard.rules import selectors, services
from parkguard.rules.forms import (
    MODES,
    ApprovalForm,
    DraftForm,
    EnginePreviewForm,
    PreviewForm,
    adopted_params_shown,
    params_clean,
    params_form,
)
from parkguard.rules.registry import invalid_packs, park_registry, registry


@login_required
def pack_list(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    scope = scope_of(request)
    # The park's pack page is open to the park's own staff only (editable for its admins):
    # an enterprise's staff see the packs their park follows here but get no link there.
    openable = {p.pk: can(scope, "adopt", p) for p in parks_of(scope=scope)}
    parks = [
        (park, selectors.followed(park=park, on=today), openable.get(park.pk))
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
    """A park admin uploads a pack they wrote: mistakes with file, line, path and a Chinese
    message (nothing stored), else a draft of the park, never in force until a second admin
    publishes it. The page lists the park's uploads, drafts labelled as drafts."""
    scope = scope_of(request)
    park = get_visible_or_404(scope, parks_of(scope=scope), pk=jurisdiction_id)
    if not can(scope, "upload_pack", park):
        raise PermissionDenied
    form = DraftForm(request.POST or None, request.FILES or None)
    issues: tuple[PackIssue, ...] = ()
    if request.method == "POST" and form.is_valid():
        try:
            upload = services.pack_upload(
                scope=scope,
                park=park,
                file=form.cleaned_data["name"],
                text=form.cleaned_data["text"],
                by=cast(User, request.user),
                at=timezone.now(),
            )
        except services.UploadRefused as exc:
            issues = exc.issues
        else:
            messages.success(request, f"已保存为草稿：{upload.key}（草稿不生效）")
            return redirect("park_pack_upload", jurisdiction_id=park.pk, upload_id=upload.pk)
    uploads = selectors.uploads_for(scope=scope, park=park)
    context = {"park": park, "form": form, "issues": issues, "uploads": uploads}
    return render(request, "rules/pack_draft.html", context)


PREVIEW_MODES = {"plan": "到达人员计划", **MODES}


@login_required
@require_http_methods(["GET", "POST"])
def park_pack_upload(request: HttpRequest, jurisdiction_id: int, upload_id: int) -> HttpResponse:
    """One uploaded pack: its rules, its difference from the version in force, a preview
    with a hypothetical person computed by the upload itself (beside the version in force),
    and the two-person publication."""
    scope = scope_of(request)
    park = get_visible_or_404(scope, parks_of(scope=scope), pk=jurisdiction_id)
    upload = selectors.upload_get(scope=scope, park=park, upload_id=upload_id)
    check = selectors.upload_pack(upload=upload)
    mode = request.GET.get("mode", "plan")
    if mode not in PREVIEW_MODES:
        raise Http404(selectors.PACK_NOT_FOUND)
    context: dict[str, Any] = {
        "park": park,
        "upload": upload,
        "check": check,
        "mode": mode,
        "modes": PREVIEW_MODES,
        "can_publish": can(scope, "publish_pack", park),
        "me": request.user.pk,
    }
    if check.pack is None:
        return render(request, "rules/pack_upload.html", context)
    pack = check.pack
    today = timezone.localdate()
    current = selectors.in_force_for(park=park, pack_id=pack.id, on=today)
    context["current"] = current
    context["changes"] = diff_packs(current, pack) if current is not None else ()
    own = Registry([pack])
    data = request.POST if request.method == "POST" else None
    params_class = params_form(pack, {})
    params = params_class(
        data, prefix="p", initial=selectors.park_params(scope=scope, pack_id=pack.id)
    )
    context["params_form"] = params
    if mode == "plan":
        initial = {"arrived_at": timezone.localtime(), "pack": pack.id}
        form: Any = PreviewForm(data, initial=initial, packs=own)
    else:
        form = EnginePreviewForm(data, mode=mode, initial={"pack": pack.id}, packs=own)
    context["form"] = form
    if request.method == "POST" and form.is_valid() and params.is_valid():
        body = _preview_body(form, mode, params_clean(params))
        try:
            if mode == "plan":
                context["compared"] = selectors.upload_plan(
                    upload=upload, pack=pack, request=PlanRequest.model_validate(body)
                )
            else:
                context["preview"] = selectors.upload_preview(
                    upload=upload, pack=pack, command=mode, body=body
                )
        except PolicyInputError as exc:
            context["error"] = selectors.input_error(exc)
        except PydanticError as exc:
            context["error"] = "；".join(e["msg"] for e in translate(exc.errors()))
    template = "rules/_upload_preview.html" if request.htmx else "rules/pack_upload.html"  # type: ignore[attr-defined]
    return render(request, template, context)


def _preview_body(form: Any, mode: str, params: dict[str, Any]) -> dict[str, Any]:
    if mode == "plan":
        body = form.request.model_dump(mode="json", exclude_none=True)
    else:
        body = (
            PREVIEW_REQUESTS[mode]
            .model_validate(form.body)
            .model_dump(mode="json", exclude_none=True)
        )
    body["params"] = params
    return body


@login_required
@require_http_methods(["POST"])
def park_pack_publish(request: HttpRequest, jurisdiction_id: int, upload_id: int) -> HttpResponse:
    """Propose the draft for publication, or (a second admin of the park) approve it."""
    scope = scope_of(request)
    park = get_visible_or_404(scope, parks_of(scope=scope), pk=jurisdiction_id)
    upload = selectors.upload_get(scope=scope, park=park, upload_id=upload_id)
    form = ApprovalForm(request.POST)
    if not form.is_valid():
        raise Http404(selectors.PACK_NOT_FOUND)
    user, now = cast(User, request.user), timezone.now()
    try:
        if form.cleaned_data["action"] == "propose":
            services.pack_propose(scope=scope, upload=upload, by=user, at=now)
            messages.success(request, f"已提请发布：{upload.key}，待本园区另一位管理员批准")
        else:
            services.pack_publish(scope=scope, upload=upload, by=user, at=now)
            messages.success(request, f"已发布：{upload.key}（内容已锁定，不可再改）")
    except ValidationError as exc:
        errors_flash(request, exc)
    return redirect("park_pack_upload", jurisdiction_id=park.pk, upload_id=upload.pk)


@login_required
def pack_diff(request: HttpRequest, pack_id: str) -> HttpResponse:
    """The rule-level difference between two versions of a pack, in Chinese."""
    try:
        versions = registry().versions(pack_id)
        old = int(request.GET.get("old") or versions[0].version)
        new = int(request.GET.get("new") or versions[-1].version)
        changes = diff_packs(registry().get(pack_id, old), registry().get(pack_id, new))
    except (PolicyInputError, ValueError):
        raise Http404(selectors.PACK_NOT_FOUND) from None
    context = {
        "pack": versions[-1],
        "versions": versions,
        "old": old,
        "new": new,
        "changes": changes,
    }
    return render(request, "rules/pack_diff.html", context)


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
    packs = park_registry(park.pk)  # the site's packs and the park's published uploads
    uploaded = selectors.published_uploads(park=park)
    posted = request.POST.get("pack_id") if request.method == "POST" else None
    if posted is not None and posted not in packs.ids():
        raise Http404(selectors.PACK_NOT_FOUND)
    rows = []
    for pack_id in packs.ids():
        pack = packs.versions(pack_id)[-1]
        adoption = adopted.get(pack_id)
        form_class = params_form(pack, adoption.params if adoption else {})
        prefix = pack_id
        bound = request.method == "POST" and request.POST.get("pack_id") == pack_id
        form = form_class(
            request.POST if bound else None,
            prefix=prefix,
            initial=adoption.params if adoption else None,
        )
        upload = uploaded.get(pack.key)
        if upload is not None and upload.digest != pack.digest:
            upload = None  # the same id@version came from the site's packs, not this upload
        row = {
            "pack": pack,
            "adoption": adoption,
            "form": form,
            "upload": upload,
            "params": adopted_params_shown(pack, adoption.params if adoption else {}),
        }
        rows.append(row)
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
