"""JSON reads across apps: enterprises with their headcount and size."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.timezone import localdate
from ninja import Field, Router, Schema

from parkguard.api.auth import scope
from parkguard.orgs.access import get_visible_or_404
from parkguard.orgs.models import Enterprise
from parkguard.overview import selectors

router = Router(tags=["组织"])


class EnterpriseOut(Schema):
    id: int
    name: str
    credit_code: str
    jurisdiction_id: int
    jurisdiction: str
    legal_representative: str
    industry: str
    supervision_office_id: int | None
    supervision_office: str = Field(description="主管办所（园区自行设置的办所，H-3）")
    whitelisted: bool
    headcount: int
    large: bool = Field(
        description="在岗人数达到园区所采用规则包的企业规模门槛（如 J-1.2.5 的200人）"
    )


def _enterprise_out(row: selectors.EnterpriseRow) -> EnterpriseOut:
    e = row.enterprise
    return EnterpriseOut(
        id=e.pk,
        name=e.name,
        credit_code=e.credit_code,
        jurisdiction_id=e.jurisdiction_id,
        jurisdiction=e.jurisdiction.name,
        legal_representative=e.legal_representative,
        industry=e.industry,
        supervision_office_id=e.supervision_office_id,
        supervision_office=e.supervision_office.name if e.supervision_office else "",
        whitelisted=e.whitelisted,
        headcount=row.headcount,
        large=row.is_large,
    )


@router.get("/enterprises", response=list[EnterpriseOut], summary="可见的企业")
def enterprise_list(request: HttpRequest, q: str = "") -> list[EnterpriseOut]:
    enterprises = selectors.enterprise_list(scope=scope(request), search=q[:50])
    return [_enterprise_out(r) for r in selectors.enterprise_rows(enterprises, on=localdate())]


@router.get("/enterprises/{enterprise_id}", response=EnterpriseOut, summary="企业详情")
def enterprise_detail(request: HttpRequest, enterprise_id: int) -> EnterpriseOut:
    enterprise = get_visible_or_404(
        scope(request),
        Enterprise.objects.select_related("jurisdiction", "supervision_office"),
        pk=enterprise_id,
    )
    return _enterprise_out(selectors.enterprise_rows([enterprise], on=localdate())[0])
