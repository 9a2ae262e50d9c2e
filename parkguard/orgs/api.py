"""JSON API of the organisation app: the caller, org units."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import HttpRequest
from ninja import Field, Router, Schema
from ninja.responses import Status

from parkguard.api.auth import scope
from parkguard.lib.api_errors import FieldErrors, field_errors
from parkguard.orgs import services
from parkguard.orgs.access import get_visible_or_404, visible
from parkguard.orgs.choices import OrgUnitKind
from parkguard.orgs.models import Enterprise, Membership, OrgUnit

router = Router(tags=["组织"])


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
    responsible_name: str


class OrgUnitIn(Schema):
    name: str = Field(min_length=1, max_length=60, description="名称")
    kind: OrgUnitKind = Field(description="类型：department 部门 / workshop 车间 / team 班组")
    parent_id: int | None = Field(None, description="上级单元；为空表示顶层")
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
