"""Pages for accounts and roles: lists per park and enterprise, one account, activation.

Views only parse, call one service or selector, and render; `orgs.access` and the services
in `orgs.accounts` decide. Pages that show one-time codes are never cached.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.views.decorators.http import require_http_methods, require_POST

from parkguard.lib.forms import form_errors_apply
from parkguard.orgs import accounts, selectors
from parkguard.orgs.access import NOT_FOUND, get_visible_or_404, grantable_roles, scope_of
from parkguard.orgs.choices import Role
from parkguard.orgs.forms import AccountForm, ActivationForm, RoleGrantForm
from parkguard.orgs.login import client_address, credential_posts_limited
from parkguard.orgs.models import Enterprise, Jurisdiction, OrgUnit

ROLE_LABELS = dict(Role.choices)


def _role_choices(roles: frozenset[str]) -> list[tuple[str, str]]:
    return [(value, label) for value, label in Role.choices if value in roles]


def sheet_response(
    request: HttpRequest, rows: Sequence[accounts.SheetRow], *, title: str, back: str
) -> HttpResponse:
    """The print-friendly sheet of one-time codes; shown once, never cached."""
    response = render(
        request, "orgs/activation_sheet.html", {"rows": rows, "title": title, "back": back}
    )
    add_never_cache_headers(response)
    return response


@login_required
def account_home(request: HttpRequest) -> HttpResponse:
    """Where a park admin, an enterprise admin or an officer finds the accounts they manage."""
    scope = scope_of(request)
    parks = list(selectors.account_parks(scope=scope))
    enterprises = list(selectors.account_enterprises(scope=scope)[:200])
    if not parks and not enterprises:
        raise PermissionDenied
    if not parks and len(enterprises) == 1:
        return redirect("enterprise_accounts", enterprise_id=enterprises[0].pk)
    return render(request, "orgs/account_home.html", {"parks": parks, "enterprises": enterprises})


def _create(
    request: HttpRequest, form: AccountForm, place: Enterprise | Jurisdiction, back: str
) -> HttpResponse | None:
    data = form.cleaned_data
    target: Enterprise | Jurisdiction = place
    if data["role"] == Role.COMMUNITY_LIAISON and data.get("community") is not None:
        target = data["community"]
    try:
        issued = accounts.account_create(
            scope=scope_of(request),
            actor=cast(User, request.user),
            place=target,
            role=data["role"],
            login=data["login"],
            full_name=data["full_name"],
            org_unit=data.get("org_unit"),
            at=timezone.now(),
        )
    except ValidationError as exc:
        form_errors_apply(form, exc)
        return None
    title = f"新账号激活码：{ROLE_LABELS[data['role']]}"
    return sheet_response(request, accounts.sheet_rows_of([issued]), title=title, back=back)


@login_required
@require_http_methods(["GET", "POST"])
def park_accounts(request: HttpRequest, jurisdiction_id: int) -> HttpResponse:
    """A park's staff accounts (cadres, inspectors, liaisons), and a form for a new one."""
    scope = scope_of(request)
    park = get_visible_or_404(scope, selectors.account_parks(scope=scope), pk=jurisdiction_id)
    communities = selectors.liaison_communities_grantable(scope=scope, park=park)
    roles = set(grantable_roles(scope, park))
    if communities:
        roles.add(Role.COMMUNITY_LIAISON)
    form = AccountForm(
        request.POST or None,
        roles=_role_choices(frozenset(roles)),
        communities=Jurisdiction.objects.filter(pk__in=[c.pk for c in communities]),
    )
    if request.method == "POST" and form.is_valid():
        back = reverse("park_accounts", args=[park.pk])
        if (response := _create(request, form, park, back)) is not None:
            return response
    return render(
        request,
        "orgs/park_accounts.html",
        {
            "park": park,
            "rows": selectors.account_rows(scope=scope, place=park),
            "form": form,
            "enterprises": selectors.account_enterprises(scope=scope).filter(jurisdiction=park),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def enterprise_accounts(request: HttpRequest, enterprise_id: int) -> HttpResponse:
    """An enterprise's accounts: officers, team leaders, guards, employees; new ones."""
    scope = scope_of(request)
    enterprise = get_visible_or_404(
        scope, selectors.account_enterprises(scope=scope), pk=enterprise_id
    )
    roles = grantable_roles(scope, enterprise)
    form = AccountForm(
        request.POST or None,
        roles=_role_choices(roles),
        units=OrgUnit.objects.filter(enterprise=enterprise).order_by("name"),
    )
    if request.method == "POST" and form.is_valid():
        back = reverse("enterprise_accounts", args=[enterprise.pk])
        if (response := _create(request, form, enterprise, back)) is not None:
            return response
    role = request.GET.get("role", "")
    role = role if role in roles else ""
    pending_only = request.GET.get("pending") == "1"
    return render(
        request,
        "orgs/enterprise_accounts.html",
        {
            "e": enterprise,
            "rows": selectors.account_rows(
                scope=scope, place=enterprise, role=role, pending_only=pending_only
            ),
            "form": form,
            "role": role,
            "pending_only": pending_only,
            "role_filters": _role_choices(roles),
            "can_bulk": Role.EMPLOYEE in roles,
        },
    )


@login_required
@require_POST
def enterprise_codes_reissue(request: HttpRequest, enterprise_id: int) -> HttpResponse:
    """New codes for the chosen accounts (those waiting for activation), as one sheet."""
    scope = scope_of(request)
    enterprise = get_visible_or_404(
        scope, selectors.account_enterprises(scope=scope), pk=enterprise_id
    )
    back = reverse("enterprise_accounts", args=[enterprise.pk])
    ids = [int(v) for v in request.POST.getlist("user") if v.isdigit()]
    if not ids:
        messages.error(request, "请至少选择一个账号")
        return redirect(back)
    users = list(User.objects.filter(pk__in=ids, memberships__enterprise=enterprise).distinct())
    if len(users) != len(set(ids)):
        raise PermissionDenied
    try:
        issued = accounts.accounts_reset(
            scope=scope, actor=cast(User, request.user), users=users, at=timezone.now()
        )
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
        return redirect(back)
    return sheet_response(
        request, accounts.sheet_rows_of(issued), title=f"{enterprise.name} · 激活码", back=back
    )


def _grant_choices(row: selectors.AccountRow, request: HttpRequest) -> list[tuple[str, str]]:
    """Roles the caller may add at the places where the account already holds one."""
    scope = scope_of(request)
    choices = []
    seen: set[tuple[str, int]] = set()
    for m in row.memberships:
        place: Enterprise | Jurisdiction | None = m.enterprise or m.jurisdiction
        if place is None:
            continue
        kind = "enterprise" if isinstance(place, Enterprise) else "jurisdiction"
        if (kind, place.pk) in seen:
            continue
        seen.add((kind, place.pk))
        held = {x.role for x in row.memberships if (x.enterprise or x.jurisdiction) == place}
        for value, label in _role_choices(grantable_roles(scope, place)):
            if value not in held:
                choices.append((f"{kind}:{place.pk}:{value}", f"{place} · {label}"))
    return choices


def _detail(request: HttpRequest, user_id: int, form: RoleGrantForm | None = None) -> HttpResponse:
    row = selectors.account_get(scope=scope_of(request), user_id=user_id)
    enterprises = {m.enterprise_id for m in row.memberships if m.enterprise_id}
    form = form or RoleGrantForm(
        choices=_grant_choices(row, request),
        units=OrgUnit.objects.filter(enterprise_id__in=enterprises).order_by("name"),
    )
    return render(request, "orgs/account_detail.html", {"row": row, "form": form})


@login_required
def account_detail(request: HttpRequest, id: int) -> HttpResponse:
    return _detail(request, id)


@login_required
@require_POST
def account_role_grant(request: HttpRequest, id: int) -> HttpResponse:
    scope = scope_of(request)
    row = selectors.account_get(scope=scope, user_id=id)
    enterprises = {m.enterprise_id for m in row.memberships if m.enterprise_id}
    form = RoleGrantForm(
        request.POST,
        choices=_grant_choices(row, request),
        units=OrgUnit.objects.filter(enterprise_id__in=enterprises),
    )
    if form.is_valid():
        kind, place_id, role = form.cleaned_data["grant"].split(":")
        # The place is one where the account already holds a role the caller manages.
        places = {
            (
                ("enterprise", m.enterprise_id)
                if m.enterprise
                else ("jurisdiction", m.jurisdiction_id)
            ): (m.enterprise or m.jurisdiction)
            for m in row.memberships
        }
        place = places.get((kind, int(place_id)))
        if place is None:
            raise Http404(NOT_FOUND)
        try:
            accounts.role_grant(
                scope=scope,
                actor=cast(User, request.user),
                user=row.user,
                role=role,
                place=place,
                org_unit=form.cleaned_data.get("org_unit"),
                at=timezone.now(),
            )
        except ValidationError as exc:
            errors = {("grant" if k == "role" else k): v for k, v in exc.message_dict.items()}
            form_errors_apply(form, ValidationError(errors))
        else:
            messages.success(request, f"已授予：{ROLE_LABELS[role]}")
            return redirect("account_detail", id=row.user.pk)
    return _detail(request, id, form)


@login_required
@require_POST
def account_role_remove(request: HttpRequest, id: int) -> HttpResponse:
    scope = scope_of(request)
    row = selectors.account_get(scope=scope, user_id=id)
    wanted = request.POST.get("membership", "")
    membership = next((m for m in row.memberships if str(m.pk) == wanted), None)
    if membership is None:
        messages.error(request, "请选择要撤销的角色")
        return redirect("account_detail", id=row.user.pk)
    accounts.role_revoke(
        scope=scope, actor=cast(User, request.user), membership=membership, at=timezone.now()
    )
    messages.success(request, f"已撤销：{membership.get_role_display()}")
    if selectors.memberships_manageable(scope).filter(user=row.user).exists():
        return redirect("account_detail", id=row.user.pk)
    return redirect("account_home")


def _switch(request: HttpRequest, id: int, *, on: bool) -> HttpResponse:
    scope = scope_of(request)
    row = selectors.account_get(scope=scope, user_id=id)
    service = accounts.account_reactivate if on else accounts.account_deactivate
    try:
        service(scope=scope, actor=cast(User, request.user), user=row.user, at=timezone.now())
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, "账号已启用" if on else "账号已停用")
    return redirect("account_detail", id=row.user.pk)


@login_required
@require_POST
def account_deactivate(request: HttpRequest, id: int) -> HttpResponse:
    return _switch(request, id, on=False)


@login_required
@require_POST
def account_reactivate(request: HttpRequest, id: int) -> HttpResponse:
    return _switch(request, id, on=True)


@login_required
@require_POST
def account_reset(request: HttpRequest, id: int) -> HttpResponse:
    scope = scope_of(request)
    row = selectors.account_get(scope=scope, user_id=id)
    try:
        issued = accounts.accounts_reset(
            scope=scope, actor=cast(User, request.user), users=[row.user], at=timezone.now()
        )
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
        return redirect("account_detail", id=row.user.pk)
    back = reverse("account_detail", args=[row.user.pk])
    return sheet_response(request, accounts.sheet_rows_of(issued), title="重置激活码", back=back)


@login_required
@require_POST
def account_second_factor_reset(request: HttpRequest, id: int) -> HttpResponse:
    """A lost phone: remove the account's TOTP device; it enrols anew at the next login."""
    scope = scope_of(request)
    row = selectors.account_get(scope=scope, user_id=id)
    removed = accounts.account_second_factor_reset(
        scope=scope, actor=cast(User, request.user), user=row.user, at=timezone.now()
    )
    messages.success(
        request,
        "已清除两步验证设备：该账号下次登录时重新绑定" if removed else "该账号未绑定两步验证设备",
    )
    return redirect("account_detail", id=row.user.pk)


@require_http_methods(["GET", "POST"])
@credential_posts_limited
def activate(request: HttpRequest) -> HttpResponse:
    """First login: the one-time code from the sheet sets the password. Open to anyone."""
    form = ActivationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            accounts.account_activate(
                **form.cleaned_data, at=timezone.now(), address=client_address(request)
            )
        except ValidationError as exc:
            form_errors_apply(form, exc)
        else:
            messages.success(request, "密码已设置，请用登录名和新密码登录")
            return redirect("login")
    response = render(request, "orgs/activate.html", {"form": form})
    add_never_cache_headers(response)
    return response
