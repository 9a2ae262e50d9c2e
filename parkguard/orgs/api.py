"""JSON API of the organisation app: the caller, org units."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest
from django.utils import timezone
from ninja import Field, Router, Schema
from ninja.responses import Status

from parkguard.api.auth import scope
from parkguard.lib.api_errors import DB_ID_MAX, FieldErrors, field_errors
from parkguard.lib.redact import login_label
from parkguard.orgs import accounts, selectors, services
from parkguard.orgs.access import (
    NOT_FOUND,
    get_visible_or_404,
    grantable_roles,
    memberships_manageable,
    visible,
)
from parkguard.orgs.choices import OrgUnitKind, Role
from parkguard.orgs.login import client_address
from parkguard.orgs.models import Enterprise, Jurisdiction, Membership, OrgUnit

router = Router(tags=["组织"])

PLACE_REQUIRED = "请指定企业（enterprise_id）或园区、社区（jurisdiction_id）"
ACTIVATED = "密码已设置，请用登录名和新密码登录"


def _actor(request: HttpRequest) -> User | None:
    return request.user if request.user.is_authenticated else None


class MembershipOut(Schema):
    role: str
    role_label: str
    jurisdiction_id: int | None
    enterprise_id: int | None


class MeOut(Schema):
    username: str | None
    device_token: bool
    roles: list[str]
    memberships: list[MembershipOut]


class OrgUnitOut(Schema):
    id: int
    parent_id: int | None
    kind: str
    name: str
    responsible_name: str | None = Field(description="负责人；设备令牌读不到姓名，为 null")

    @staticmethod
    def resolve_responsible_name(obj: OrgUnit, context: dict[str, Any]) -> str | None:
        names = selectors.names_visible(scope(context["request"]))
        return obj.responsible_name if names else None


class OrgUnitIn(Schema):
    name: str = Field(min_length=1, max_length=60, description="名称")
    kind: OrgUnitKind = Field(description="类型：department 部门 / workshop 车间 / team 班组")
    parent_id: int | None = Field(None, ge=1, le=DB_ID_MAX, description="上级单元；为空表示顶层")
    responsible_name: str = Field("", max_length=50, description="负责人")
    responsible_phone: str = Field("", max_length=20, description="负责人电话")


@router.get("/me", response=MeOut, summary="当前调用者及其角色")
def me(request: HttpRequest) -> MeOut:
    s = scope(request)
    rows = Membership.objects.filter(user_id=s.user_id) if s.user_id else Membership.objects.none()
    return MeOut(
        username=request.user.get_username() if request.user.is_authenticated else None,
        device_token=s.token_id is not None,
        roles=sorted(s.roles),
        memberships=[
            MembershipOut(
                role=m.role,
                role_label=m.get_role_display(),
                jurisdiction_id=m.jurisdiction_id,
                enterprise_id=m.enterprise_id,
            )
            for m in rows
        ],
    )


@router.get("/enterprises/{enterprise_id}/units", response=list[OrgUnitOut], summary="企业组织单元")
def org_unit_list(request: HttpRequest, enterprise_id: int) -> list[OrgUnit]:
    s = scope(request)
    enterprise = get_visible_or_404(s, Enterprise, pk=enterprise_id)
    return list(visible(s, OrgUnit).filter(enterprise=enterprise).order_by("id"))


@router.post(
    "/enterprises/{enterprise_id}/units",
    response={201: OrgUnitOut, 422: FieldErrors},
    summary="新建组织单元",
)
def org_unit_create(request: HttpRequest, enterprise_id: int, payload: OrgUnitIn) -> Status[Any]:
    s = scope(request)
    enterprise = get_visible_or_404(s, Enterprise, pk=enterprise_id)
    parent = (
        get_visible_or_404(s, OrgUnit, pk=payload.parent_id, enterprise=enterprise)
        if payload.parent_id
        else None
    )
    try:
        unit = services.org_unit_save(
            scope=s,
            enterprise=enterprise,
            unit=None,
            parent=parent,
            kind=payload.kind,
            name=payload.name,
            responsible_name=payload.responsible_name,
            responsible_phone=payload.responsible_phone,
        )
    except DjangoValidationError as exc:
        return field_errors(exc)
    return Status(201, unit)


# --- accounts and roles (issue 7 §1) --------------------------------------------------------

accounts_router = Router(tags=["账号与角色"])


class AccountRoleOut(Schema):
    id: int
    role: str
    role_label: str
    enterprise_id: int | None
    jurisdiction_id: int | None
    org_unit_id: int | None
    person_id: int | None


class AccountOut(Schema):
    id: int
    login: str = Field(description="登录名；手机号作登录名时脱敏显示")
    full_name: str
    state: str = Field(description="已启用 / 待激活 / 未激活 / 已停用")
    is_active: bool
    pending_until: datetime | None
    manageable: bool = Field(description="调用者能否停用、启用、重置该账号")
    roles: list[AccountRoleOut]


class IssuedOut(Schema):
    id: int
    login: str
    full_name: str
    code: str = Field(description="一次性激活码，只在此响应中出现一次")
    expires_at: datetime


class AccountIn(Schema):
    login: str = Field(min_length=1, max_length=150, description="登录名")
    full_name: str = Field(min_length=1, max_length=150, description="姓名")
    role: str = Field(description="角色，须是调用者在此可授予的角色")
    org_unit_id: int | None = Field(None, description="班组长负责的组织单元")
    community_id: int | None = Field(None, description="社区联络员所在的社区（园区账号）")


class RoleIn(Schema):
    role: str = Field(description="角色")
    enterprise_id: int | None = Field(None, description="在哪个企业（企业角色）")
    jurisdiction_id: int | None = Field(None, description="在哪个园区或社区（园区角色）")
    org_unit_id: int | None = Field(None, description="班组长负责的组织单元")


class RoleRemoveIn(Schema):
    membership_id: int = Field(description="要撤销的角色授予（roles[].id）")


class ActivateIn(Schema):
    login: str = Field(max_length=150, description="登录名")
    code: str = Field(max_length=40, description="一次性激活码")
    password1: str = Field(max_length=128, description="新密码")
    password2: str = Field(max_length=128, description="再次输入新密码")


class ActivatedOut(Schema):
    detail: str


def _account_out(row: selectors.AccountRow) -> AccountOut:
    return AccountOut(
        id=row.user.pk,
        login=row.login_shown,
        full_name=row.user.first_name,
        state=row.state,
        is_active=row.user.is_active,
        pending_until=row.pending_until,
        manageable=row.manageable,
        roles=[
            AccountRoleOut(
                id=m.pk,
                role=m.role,
                role_label=m.get_role_display(),
                enterprise_id=m.enterprise_id,
                jurisdiction_id=m.jurisdiction_id,
                org_unit_id=m.org_unit_id,
                person_id=m.person_id,
            )
            for m in row.memberships
        ],
    )


def _issued_out(issued: accounts.IssuedCode) -> IssuedOut:
    return IssuedOut(
        id=issued.user.pk,
        login=login_label(issued.user.get_username()),
        full_name=issued.user.first_name,
        code=issued.code_display,
        expires_at=issued.expires_at,
    )


@accounts_router.get(
    "/enterprises/{enterprise_id}/accounts", response=list[AccountOut], summary="企业的账号"
)
def enterprise_accounts(request: HttpRequest, enterprise_id: int) -> list[AccountOut]:
    s = scope(request)
    enterprise = get_visible_or_404(s, selectors.account_enterprises(scope=s), pk=enterprise_id)
    return [_account_out(r) for r in selectors.account_rows(scope=s, place=enterprise)]


@accounts_router.post(
    "/enterprises/{enterprise_id}/accounts",
    response={201: IssuedOut, 422: FieldErrors},
    summary="新建企业账号（返回一次性激活码）",
)
def enterprise_account_create(
    request: HttpRequest, enterprise_id: int, payload: AccountIn
) -> Status[Any]:
    s = scope(request)
    enterprise = get_visible_or_404(s, selectors.account_enterprises(scope=s), pk=enterprise_id)
    unit = (
        get_visible_or_404(s, OrgUnit, pk=payload.org_unit_id, enterprise=enterprise)
        if payload.org_unit_id
        else None
    )
    try:
        issued = accounts.account_create(
            scope=s,
            actor=_actor(request),
            place=enterprise,
            role=payload.role,
            login=payload.login,
            full_name=payload.full_name,
            org_unit=unit,
            at=timezone.now(),
        )
    except DjangoValidationError as exc:
        return field_errors(exc, names={"org_unit": "org_unit_id"})
    return Status(201, _issued_out(issued))


@accounts_router.get(
    "/parks/{jurisdiction_id}/accounts", response=list[AccountOut], summary="园区工作人员账号"
)
def park_accounts(request: HttpRequest, jurisdiction_id: int) -> list[AccountOut]:
    s = scope(request)
    park = get_visible_or_404(s, selectors.account_parks(scope=s), pk=jurisdiction_id)
    return [_account_out(r) for r in selectors.account_rows(scope=s, place=park)]


@accounts_router.post(
    "/parks/{jurisdiction_id}/accounts",
    response={201: IssuedOut, 422: FieldErrors},
    summary="新建园区工作人员账号（返回一次性激活码）",
)
def park_account_create(
    request: HttpRequest, jurisdiction_id: int, payload: AccountIn
) -> Status[Any]:
    s = scope(request)
    park = get_visible_or_404(s, selectors.account_parks(scope=s), pk=jurisdiction_id)
    place: Jurisdiction = park
    if payload.role == Role.COMMUNITY_LIAISON:
        allowed = selectors.liaison_communities_grantable(scope=s, park=park)
        place = next((c for c in allowed if c.pk == payload.community_id), park)
    try:
        issued = accounts.account_create(
            scope=s,
            actor=_actor(request),
            place=place,
            role=payload.role,
            login=payload.login,
            full_name=payload.full_name,
            at=timezone.now(),
        )
    except DjangoValidationError as exc:
        return field_errors(exc)
    return Status(201, _issued_out(issued))


@accounts_router.get("/users/{id}", response=AccountOut, summary="一个账号及其角色")
def account_detail(request: HttpRequest, id: int) -> AccountOut:
    return _account_out(selectors.account_get(scope=scope(request), user_id=id))


@accounts_router.post(
    "/users/{id}/roles",
    response={201: AccountRoleOut, 422: FieldErrors},
    summary="为账号授予角色",
)
def account_role_grant(request: HttpRequest, id: int, payload: RoleIn) -> Status[Any]:
    s = scope(request)
    row = selectors.account_get(scope=s, user_id=id)
    place: Enterprise | Jurisdiction
    if payload.enterprise_id is not None:
        place = get_visible_or_404(s, Enterprise, "manage_accounts", pk=payload.enterprise_id)
    elif payload.jurisdiction_id is not None:
        # A park, or a community of its county where the caller may appoint a liaison.
        found = Jurisdiction.objects.filter(pk=payload.jurisdiction_id).first()
        if found is None or not grantable_roles(s, found):
            raise Http404(NOT_FOUND)
        place = found
    else:
        return field_errors(DjangoValidationError({"enterprise_id": PLACE_REQUIRED}))
    unit = get_visible_or_404(s, OrgUnit, pk=payload.org_unit_id) if payload.org_unit_id else None
    try:
        m = accounts.role_grant(
            scope=s,
            actor=_actor(request),
            user=row.user,
            role=payload.role,
            place=place,
            org_unit=unit,
            at=timezone.now(),
        )
    except DjangoValidationError as exc:
        return field_errors(exc, names={"org_unit": "org_unit_id"})
    return Status(
        201,
        AccountRoleOut(
            id=m.pk,
            role=m.role,
            role_label=m.get_role_display(),
            enterprise_id=m.enterprise_id,
            jurisdiction_id=m.jurisdiction_id,
            org_unit_id=m.org_unit_id,
            person_id=m.person_id,
        ),
    )


@accounts_router.post("/users/{id}/roles/remove", response=AccountOut, summary="撤销账号的一个角色")
def account_role_remove(request: HttpRequest, id: int, payload: RoleRemoveIn) -> AccountOut:
    s = scope(request)
    row = selectors.account_get(scope=s, user_id=id)
    membership = next((m for m in row.memberships if m.pk == payload.membership_id), None)
    if membership is None:
        raise Http404(NOT_FOUND)
    accounts.role_revoke(scope=s, actor=_actor(request), membership=membership, at=timezone.now())
    if not memberships_manageable(s).filter(user=row.user).exists():
        row = selectors.AccountRow(
            user=row.user, memberships=[], pending_until=None, manageable=False
        )
        row.user.refresh_from_db()
        return _account_out(row)
    return _account_out(selectors.account_get(scope=s, user_id=id))


def _switch(request: HttpRequest, id: int, *, on: bool) -> Status[Any]:
    s = scope(request)
    row = selectors.account_get(scope=s, user_id=id)
    service = accounts.account_reactivate if on else accounts.account_deactivate
    try:
        service(scope=s, actor=_actor(request), user=row.user, at=timezone.now())
    except DjangoValidationError as exc:
        return field_errors(exc)
    return Status(200, _account_out(selectors.account_get(scope=s, user_id=id)))


@accounts_router.post(
    "/users/{id}/deactivate", response={200: AccountOut, 422: FieldErrors}, summary="停用账号"
)
def account_deactivate(request: HttpRequest, id: int) -> Status[Any]:
    return _switch(request, id, on=False)


@accounts_router.post(
    "/users/{id}/reactivate", response={200: AccountOut, 422: FieldErrors}, summary="启用账号"
)
def account_reactivate(request: HttpRequest, id: int) -> Status[Any]:
    return _switch(request, id, on=True)


@accounts_router.post(
    "/users/{id}/reset",
    response={200: IssuedOut, 422: FieldErrors},
    summary="重置账号：生成新的一次性激活码，旧密码作废",
)
def account_reset(request: HttpRequest, id: int) -> Status[Any]:
    s = scope(request)
    row = selectors.account_get(scope=s, user_id=id)
    try:
        (issued,) = accounts.accounts_reset(
            scope=s, actor=_actor(request), users=[row.user], at=timezone.now()
        )
    except DjangoValidationError as exc:
        return field_errors(exc)
    return Status(200, _issued_out(issued))


@accounts_router.post(
    "/accounts/activate",
    auth=None,
    response={200: ActivatedOut, 422: FieldErrors},
    summary="首次登录：用一次性激活码设置密码（无需登录）",
)
def account_activate(request: HttpRequest, payload: ActivateIn) -> Status[Any]:
    try:
        accounts.account_activate(
            **payload.dict(), at=timezone.now(), address=client_address(request)
        )
    except DjangoValidationError as exc:
        return field_errors(exc)
    return Status(200, ActivatedOut(detail=ACTIVATED))
