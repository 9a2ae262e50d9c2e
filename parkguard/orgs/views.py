"""Pages of the organisation app: login, enterprises (create, edit), org units, device tokens."""

from __future__ import annotations

from typing import cast

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.views.decorators.http import require_http_methods, require_POST

from parkguard.audit.services import audit_record
from parkguard.lib.forms import form_errors_apply
from parkguard.orgs import selectors, services
from parkguard.orgs.access import (
    can_edit_enterprise,
    get_visible_or_404,
    require_edit_enterprise,
    scope_of,
    visible,
)
from parkguard.orgs.forms import ApiTokenForm, EnterpriseForm, OrgUnitForm
from parkguard.orgs.login import LoginForm, credential_posts_limited, login_success_record
from parkguard.orgs.models import ApiToken, Enterprise, Jurisdiction, OrgUnit
from parkguard.orgs.sessions import session_register

ENTERPRISE_FIELDS = EnterpriseForm.Meta.fields


@method_decorator(credential_posts_limited, name="dispatch")
class LoginView(auth_views.LoginView):
    form_class = LoginForm
    template_name = "orgs/login.html"
    redirect_authenticated_user = True

    def form_valid(self, form: LoginForm) -> HttpResponse:  # type: ignore[override]
        response = super().form_valid(form)
        user = form.get_user()
        now = timezone.now()
        login_success_record(user.get_username())
        session_register(request=self.request, user=user, at=now)
        audit_record(actor=user, action="login", at=now)
        return response


@login_required
@require_http_methods(["GET", "POST"])
def enterprise_create(request: HttpRequest) -> HttpResponse:
    scope = scope_of(request)
    if not (scope.admin_jurisdiction_ids or scope.superuser):
        raise PermissionDenied
    allowed = None if scope.superuser else scope.admin_jurisdiction_ids
    form = EnterpriseForm(request.POST or None, jurisdictions=allowed)
    if request.method == "POST" and form.is_valid():
        try:
            enterprise = services.enterprise_create(scope=scope, **form.cleaned_data)
        except ValidationError as exc:
            form_errors_apply(form, exc)
        else:
            messages.success(request, f"已创建企业：{enterprise.name}")
            return redirect("enterprise_detail", enterprise_id=enterprise.pk)
    return render(request, "orgs/enterprise_form.html", {"form": form, "title": "新建企业"})


@login_required
@require_http_methods(["GET", "POST"])
def enterprise_edit(request: HttpRequest, enterprise_id: int) -> HttpResponse:
    scope = scope_of(request)
    enterprise = get_visible_or_404(scope, Enterprise, pk=enterprise_id)
    require_edit_enterprise(scope, enterprise)
    # Park admins may move an enterprise between their parks and set its whitelist flag;
    # the enterprise's own officers edit the rest.
    park_level = scope.superuser or enterprise.jurisdiction_id in scope.admin_jurisdiction_ids
    allowed: set[int] | None = None
    if not scope.superuser:
        allowed = set(scope.admin_jurisdiction_ids) if park_level else {enterprise.jurisdiction_id}
    form = EnterpriseForm(
        request.POST or None, instance=enterprise, jurisdictions=allowed, park_level=park_level
    )
    if request.method == "POST" and form.is_valid():
        try:
            # Refetch so a failed validation leaves the instance on the page untouched.
            services.enterprise_update(
                scope=scope,
                enterprise=Enterprise.objects.get(pk=enterprise.pk),
                **form.cleaned_data,
            )
        except ValidationError as exc:
            form_errors_apply(form, exc)
        else:
            messages.success(request, "企业信息已保存")
            return redirect("enterprise_detail", enterprise_id=enterprise.pk)
    return render(
        request, "orgs/enterprise_form.html", {"form": form, "title": f"编辑：{enterprise.name}"}
    )


def _unit_page(
    request: HttpRequest, enterprise: Enterprise, form: OrgUnitForm, **extra: object
) -> HttpResponse:
    scope = scope_of(request)
    context = {
        "e": enterprise,
        "tree": selectors.org_unit_tree(scope=scope, enterprise=enterprise),
        "form": form,
        "can_edit": can_edit_enterprise(scope, enterprise),
        **extra,
    }
    template = "orgs/_unit_panel.html" if request.htmx else "orgs/org_units.html"  # type: ignore[attr-defined]
    return render(request, template, context)


@login_required
@require_http_methods(["GET", "POST"])
def org_units(request: HttpRequest, enterprise_id: int) -> HttpResponse:
    """The tree of an enterprise with a form to add a unit."""
    scope = scope_of(request)
    enterprise = get_visible_or_404(scope, Enterprise, pk=enterprise_id)
    form = OrgUnitForm(request.POST or None, enterprise=enterprise)
    if request.method == "POST":
        require_edit_enterprise(scope, enterprise)
        if form.is_valid():
            try:
                unit = services.org_unit_save(
                    scope=scope, enterprise=enterprise, unit=None, **form.cleaned_data
                )
            except ValidationError as exc:
                form_errors_apply(form, exc)
            else:
                messages.success(request, f"已添加：{unit.name}")
                form = OrgUnitForm(enterprise=enterprise)
    return _unit_page(request, enterprise, form)


@login_required
@require_http_methods(["GET", "POST"])
def org_unit_edit(request: HttpRequest, unit_id: int) -> HttpResponse:
    scope = scope_of(request)
    unit = get_visible_or_404(scope, OrgUnit.objects.select_related("enterprise"), pk=unit_id)
    enterprise = unit.enterprise
    require_edit_enterprise(scope, enterprise)
    form = OrgUnitForm(request.POST or None, instance=unit, enterprise=enterprise)
    if request.method == "POST" and form.is_valid():
        try:
            services.org_unit_save(
                scope=scope,
                enterprise=enterprise,
                unit=OrgUnit.objects.get(pk=unit.pk),
                **form.cleaned_data,
            )
        except ValidationError as exc:
            form_errors_apply(form, exc)
        else:
            messages.success(request, "已保存")
            return redirect("org_units", enterprise_id=enterprise.pk)
    return _unit_page(request, enterprise, form, editing=unit)


@login_required
@require_POST
def org_unit_delete(request: HttpRequest, unit_id: int) -> HttpResponse:
    scope = scope_of(request)
    unit = get_visible_or_404(scope, OrgUnit.objects.select_related("enterprise"), pk=unit_id)
    require_edit_enterprise(scope, unit.enterprise)
    try:
        services.org_unit_delete(scope=scope, unit=unit)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, f"已删除：{unit.name}")
    return redirect("org_units", enterprise_id=unit.enterprise_id)


def healthz(request: HttpRequest) -> HttpResponse:
    Jurisdiction.objects.exists()
    return HttpResponse("ok", content_type="text/plain")


@login_required
@require_http_methods(["GET", "POST"])
def api_tokens(request: HttpRequest) -> HttpResponse:
    """Device tokens for gate devices and lab systems, each scoped to an enterprise or a park."""
    scope = scope_of(request)
    enterprises = Enterprise.objects.filter(
        pk__in=scope.editor_enterprise_ids
    ) | Enterprise.objects.filter(jurisdiction_id__in=scope.admin_jurisdiction_ids)
    parks = selectors.parks_of(scope=scope).filter(pk__in=scope.admin_jurisdiction_ids)
    if not (scope.superuser or enterprises.exists() or parks.exists()):
        raise PermissionDenied
    form = ApiTokenForm(request.POST or None, enterprises=enterprises, parks=parks)
    created = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        _, created = services.api_token_issue(
            scope=scope,
            actor=cast(User, request.user),
            name=data["name"],
            enterprise=data["enterprise"],
            jurisdiction=data["park"],
            at=timezone.now(),
        )
        form = ApiTokenForm(enterprises=enterprises, parks=parks)
    tokens = (
        visible(scope, ApiToken)
        .select_related("enterprise", "jurisdiction")
        .order_by("-created_at")
    )
    return render(
        request, "orgs/api_tokens.html", {"form": form, "tokens": tokens, "created": created}
    )


@login_required
@require_POST
def api_token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    scope = scope_of(request)
    token = get_visible_or_404(scope, ApiToken, pk=token_id)
    services.api_token_revoke(
        scope=scope, actor=cast(User, request.user), token=token, at=timezone.now()
    )
    messages.success(request, f"已吊销：{token.name}")
    return redirect("api_tokens")
