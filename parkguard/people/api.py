"""JSON API of the person ledger: the same reads and writes as the pages, scoped, masked."""

from __future__ import annotations

import datetime as dt
from datetime import datetime
from typing import Annotated, Any, Literal

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status
from pydantic import field_validator

from parkguard.api.auth import scope
from parkguard.lib.api_errors import DB_ID_MAX, FieldErrors, field_errors, null_refused
from parkguard.lib.free_text import FreeText
from parkguard.orgs.access import (
    NOT_FOUND,
    get_visible_or_404,
    visible,
)
from parkguard.orgs.models import Enterprise, Jurisdiction, OrgUnit
from parkguard.orgs.selectors import parks_of
from parkguard.people import logins, selectors, services
from parkguard.people.choices import EmploymentStatus, StaffCategory
from parkguard.people.identity import phone_mask
from parkguard.people.importing import person_import_refresh
from parkguard.people.models import Person, PersonImport

router = Router(tags=["人员台账"])

UNIT_UNKNOWN = "本企业没有该部门/班组"
PLACE_UNKNOWN = "没有该村（社区）或网格"


class PersonOut(Schema):
    id: int
    enterprise_id: int
    name: str = Field(description="姓名")
    id_masked: str = Field(description="身份证号（脱敏）")
    phone_masked: str = Field(description="手机号（脱敏）")
    gender: str = Field(description="性别：male 男 / female 女")
    # Never the birth date: beside the masked ID it narrows the number (issue 8 §4).
    birth_year: int = Field(description="出生年份")
    age: int = Field(description="周岁（按今天计算）")
    category: StaffCategory = Field(description="人员类别")
    org_unit_id: int | None = Field(description="部门/车间/班组")
    post: str = Field(description="岗位")
    wide_contact: bool = Field(description="社会接触面广的岗位（J-1.5c）")
    labour_agency: str = Field(description="劳务/外包单位")
    workshop: str = Field(description="车间")
    dormitory: str = Field(description="宿舍")
    shift: str = Field(description="班次")
    home_community_id: int | None = Field(description="居住社区")
    home_grid_id: int | None = Field(description="所属网格")
    vaccination_doses: int = Field(description="疫苗接种剂次")
    status: EmploymentStatus = Field(description="在岗状态")
    joined_on: dt.date | None = Field(description="入职日期")
    left_on: dt.date | None = Field(description="离职日期")

    # A person, or this schema already dumped (the personal file extends it).
    @staticmethod
    def resolve_birth_year(obj: Person | dict[str, Any]) -> int:
        return int(obj["birth_year"]) if isinstance(obj, dict) else obj.birth_date.year

    @staticmethod
    def resolve_age(obj: Person | dict[str, Any]) -> int:
        if isinstance(obj, dict):
            return int(obj["age"])
        return selectors.age_on(obj.birth_date, timezone.localdate())


class HouseholdOut(Schema):
    name: str = Field(description="姓名")
    relation: str = Field(description="关系")
    phone_masked: str = Field(description="手机号（脱敏）")


class EventOut(Schema):
    status: EmploymentStatus = Field(description="状态")
    on: dt.date = Field(description="日期")
    note: FreeText = Field(description="说明")


class PersonFileOut(PersonOut):
    household: list[HouseholdOut] = Field(
        description="共同生活者（J-1.5b）；班组长等无权查看者为空列表"
    )
    employment_events: list[EventOut] = Field(description="在岗变动（J-2.1）")


class PersonIn(Schema):
    name: str = Field(min_length=1, max_length=50, description="姓名")
    id_number: str = Field(min_length=1, max_length=30, description="身份证号（18位）")
    phone: str = Field(min_length=1, max_length=20, description="手机号（11位）")
    category: StaffCategory = Field(description="人员类别")
    org_unit_id: int | None = Field(None, ge=1, le=DB_ID_MAX, description="部门/车间/班组")
    post: str = Field("", max_length=50, description="岗位")
    wide_contact: bool = Field(False, description="社会接触面广的岗位（J-1.5c）")
    labour_agency: str = Field("", max_length=100, description="劳务/外包单位")
    workshop: str = Field("", max_length=50, description="车间")
    dormitory: str = Field("", max_length=50, description="宿舍")
    shift: str = Field("", max_length=30, description="班次")
    home_community_id: int | None = Field(None, ge=1, le=DB_ID_MAX, description="居住社区")
    home_grid_id: int | None = Field(None, ge=1, le=DB_ID_MAX, description="所属网格")
    home_address: str = Field("", max_length=200, description="现住址")
    vaccination_doses: int = Field(0, ge=0, le=9, description="疫苗接种剂次")
    status: EmploymentStatus = Field(EmploymentStatus.ACTIVE, description="在岗状态")
    joined_on: dt.date | None = Field(None, description="入职日期")
    left_on: dt.date | None = Field(None, description="离职日期")


class PersonPatch(Schema):
    name: str | None = Field(None, min_length=1, max_length=50, description="姓名")
    id_number: str | None = Field(None, max_length=30, description="更正身份证号")
    phone: str | None = Field(None, max_length=20, description="手机号")
    category: StaffCategory | None = Field(None, description="人员类别")
    org_unit_id: int | None = Field(None, ge=1, le=DB_ID_MAX, description="部门/车间/班组")
    post: str | None = Field(None, max_length=50, description="岗位")
    wide_contact: bool | None = Field(None, description="社会接触面广的岗位")
    labour_agency: str | None = Field(None, max_length=100, description="劳务/外包单位")
    workshop: str | None = Field(None, max_length=50, description="车间")
    dormitory: str | None = Field(None, max_length=50, description="宿舍")
    shift: str | None = Field(None, max_length=30, description="班次")
    home_community_id: int | None = Field(None, ge=1, le=DB_ID_MAX, description="居住社区")
    home_grid_id: int | None = Field(None, ge=1, le=DB_ID_MAX, description="所属网格")
    home_address: str | None = Field(None, max_length=200, description="现住址")
    vaccination_doses: int | None = Field(None, ge=0, le=9, description="疫苗接种剂次")
    status: EmploymentStatus | None = Field(None, description="在岗状态")
    joined_on: dt.date | None = Field(None, description="入职日期")
    left_on: dt.date | None = Field(None, description="离职日期")

    # Omit a field to leave it alone; null is only for the fields that may be empty.
    _not_null = field_validator(
        "name",
        "id_number",
        "phone",
        "category",
        "post",
        "wide_contact",
        "labour_agency",
        "workshop",
        "dormitory",
        "shift",
        "home_address",
        "vaccination_doses",
        "status",
        mode="before",
    )(null_refused)


class PersonQuery(Schema):
    category: StaffCategory | None = Field(None, description="人员类别")
    status: EmploymentStatus | None = Field(None, description="在岗状态")
    org_unit_id: int | None = Field(None, ge=1, le=DB_ID_MAX, description="部门/班组（含下级）")
    post: str = Field("", max_length=50, description="岗位（包含）")
    wide_contact: bool | None = Field(None, description="仅接触面广岗位 / 仅其他岗位")
    q: str = Field(
        "",
        max_length=50,
        description="姓名、拼音首字母，或身份证号末4位/末6位（完整号码不得放在网址中）",
    )
    limit: int = Field(100, ge=1, le=1000, description="每页条数")
    offset: int = Field(0, ge=0, le=selectors.OFFSET_MAX, description="起始位置")

    @field_validator("q")
    @classmethod
    def _no_full_number(cls, value: str) -> str:
        selectors.search_check(value)
        return value


class RevealIn(Schema):
    reason: str = Field(min_length=1, max_length=200, description="查看事由（会被记录）")


class RevealOut(Schema):
    id_number: str = Field(description="完整身份证号；本次查看已记入审计日志")


class RosterPersonOut(Schema):
    id: int
    name: str
    id_masked: str
    phone_masked: str
    enterprise_id: int
    enterprise: str
    home_grid: str | None
    status: EmploymentStatus


class ConflictOut(Schema):
    id_masked: str = Field(description="身份证号（脱敏）")
    people: list[PersonOut] = Field(description="各企业台账中的人员")
    reviewed_note: FreeText | None = Field(description="处理说明；为空表示待处理")


class ImportOut(Schema):
    id: int
    status: str = Field(description="状态")
    filename: str
    total_rows: int
    processed_rows: int
    percent: int = Field(description="进度（%）")
    create_count: int
    update_count: int
    unchanged_count: int
    errors: list[dict[str, Any]] = Field(description="每个错误：行号 row、列 column、说明 message")


# Model fields as the payload names them.
PAYLOAD_NAMES = {
    "org_unit": "org_unit_id",
    "home_community": "home_community_id",
    "home_grid": "home_grid_id",
}


def _field_errors(exc: DjangoValidationError) -> Status[dict[str, Any]]:
    return field_errors(exc, names=PAYLOAD_NAMES)


def _relations(enterprise: Enterprise, data: dict[str, Any]) -> dict[str, Any]:
    """Turn *_id fields into objects; an id outside the enterprise or area is a field error."""
    errors: dict[str, str] = {}
    if "org_unit_id" in data:
        unit_id = data.pop("org_unit_id")
        unit = (
            OrgUnit.objects.filter(pk=unit_id, enterprise=enterprise).first() if unit_id else None
        )
        if unit_id and unit is None:
            errors["org_unit"] = UNIT_UNKNOWN
        data["org_unit"] = unit
    for key in ("home_community", "home_grid"):
        if f"{key}_id" in data:
            place_id = data.pop(f"{key}_id")
            place = Jurisdiction.objects.filter(pk=place_id).first() if place_id else None
            if place_id and place is None:
                errors[key] = PLACE_UNKNOWN
            data[key] = place
    if errors:
        raise DjangoValidationError(errors)
    return data


@router.get(
    "/enterprises/{enterprise_id}/people", response=list[PersonOut], summary="人员台账（脱敏）"
)
def person_list(
    request: HttpRequest, enterprise_id: int, filters: Query[PersonQuery]
) -> list[Person]:
    s = scope(request)
    enterprise = get_visible_or_404(s, Enterprise, pk=enterprise_id)
    people = selectors.person_list(
        scope=s,
        enterprise=enterprise,
        filters=selectors.PersonFilters(
            category=filters.category or "",
            status=filters.status or "",
            org_unit=filters.org_unit_id,
            post=filters.post,
            wide_contact=filters.wide_contact,
            search=filters.q,
        ),
    )
    return list(people[filters.offset : filters.offset + filters.limit])


@router.post(
    "/enterprises/{enterprise_id}/people",
    response={201: PersonOut, 422: FieldErrors},
    summary="新增人员",
)
def person_create(request: HttpRequest, enterprise_id: int, payload: PersonIn) -> Status[Any]:
    s = scope(request)
    enterprise = get_visible_or_404(
        s, Enterprise.objects.select_related("jurisdiction"), pk=enterprise_id
    )
    data = payload.dict()
    try:
        data = _relations(enterprise, data)
        person = services.person_create(
            scope=s,
            enterprise=enterprise,
            id_number=data.pop("id_number"),
            phone=data.pop("phone"),
            today=timezone.localdate(),
            actor=request.user if request.user.is_authenticated else None,
            **data,
        )
    except DjangoValidationError as exc:
        return _field_errors(exc)
    return Status(201, person)


def _person(request: HttpRequest, person_id: int) -> Person:
    return get_visible_or_404(
        scope(request), Person.objects.select_related("enterprise__jurisdiction"), pk=person_id
    )


@router.get("/people/{person_id}", response=PersonFileOut, summary="个人档案（B-2.2，脱敏）")
def person_detail(request: HttpRequest, person_id: int) -> dict[str, Any]:
    person = _person(request, person_id)
    out = PersonOut.from_orm(person).dict()
    out["household"] = [
        {"name": m.name, "relation": m.relation, "phone_masked": phone_mask(m.phone)}
        for m in selectors.household(scope=scope(request), person=person)
    ]
    events = visible(scope(request), person.employment_events.all())
    out["employment_events"] = list(events.values("status", "on", "note"))
    return out


@router.patch(
    "/people/{person_id}", response={200: PersonOut, 422: FieldErrors}, summary="修改人员"
)
def person_update(request: HttpRequest, person_id: int, payload: PersonPatch) -> Status[Any]:
    s = scope(request)
    person = _person(request, person_id)
    data = payload.dict(exclude_unset=True)
    try:
        data = _relations(person.enterprise, data)
        person = services.person_update(
            scope=s,
            person=person,
            today=timezone.localdate(),
            actor=request.user if request.user.is_authenticated else None,
            id_number=data.pop("id_number", None) or "",
            phone=data.pop("phone", None),
            **data,
        )
    except DjangoValidationError as exc:
        return _field_errors(exc)
    return Status(200, person)


@router.post(
    "/people/{person_id}/reveal",
    response={200: RevealOut, 422: FieldErrors},
    summary="查看完整身份证号（须填写事由，记入审计）",
)
def person_reveal(request: HttpRequest, person_id: int, payload: RevealIn) -> Status[Any]:
    s = scope(request)
    person = _person(request, person_id)
    if not request.user.is_authenticated or not selectors.can_reveal_id(s, person):
        raise PermissionDenied
    try:
        value = services.person_id_reveal(
            scope=s,
            person=person,
            actor=request.user,
            reason=payload.reason,
            at=timezone.now(),
        )
    except DjangoValidationError as exc:
        return _field_errors(exc)
    return Status(200, {"id_number": value})


@router.get("/roster", response=list[RosterPersonOut], summary="社区花名册（J-2.1，脱敏）")
def roster(
    request: HttpRequest,
    community_id: int | None = None,
    status: EmploymentStatus | None = EmploymentStatus.ACTIVE,
) -> list[dict[str, Any]]:
    s = scope(request)
    communities = list(selectors.liaison_communities(scope=s))
    if community_id is not None:
        communities = [c for c in communities if c.pk == community_id]
        if not communities:
            raise Http404(NOT_FOUND)
    out: list[dict[str, Any]] = []
    for community in communities:
        found = selectors.community_roster(
            scope=s, community=community, status=status or "", on=timezone.localdate()
        )
        for group in found.groups:
            out.extend(
                {
                    "id": p.pk,
                    "name": p.name,
                    "id_masked": p.id_masked,
                    "phone_masked": p.phone_masked,
                    "enterprise_id": group.enterprise.pk,
                    "enterprise": group.enterprise.name,
                    "home_grid": p.home_grid.name if p.home_grid else None,
                    "status": p.status,
                }
                for p in group.people
            )
    return out


@router.get(
    "/parks/{jurisdiction_id}/id-conflicts",
    response=list[ConflictOut],
    summary="园区内跨企业重复的身份证号",
)
def id_conflicts(request: HttpRequest, jurisdiction_id: int) -> list[dict[str, Any]]:
    s = scope(request)
    park = get_visible_or_404(s, parks_of(scope=s), pk=jurisdiction_id)
    found = [
        *selectors.id_conflicts(scope=s, park=park),
        *selectors.id_conflicts(scope=s, park=park, reviewed=True),
    ]
    return [
        {
            "id_masked": c.id_masked,
            "people": c.people,
            "reviewed_note": c.review.note if c.review else None,
        }
        for c in found
    ]


@router.get("/imports/{import_id}", response=ImportOut, summary="导入进度与错误清单")
def import_detail(request: HttpRequest, import_id: int) -> PersonImport:
    batch = get_visible_or_404(scope(request), PersonImport.objects.defer("payload"), pk=import_id)
    return person_import_refresh(batch=batch, now=timezone.now())


# --- employee logins from the ledger (issue 7 §1) -------------------------------------------

logins_router = Router(tags=["账号与角色"])


class EmployeeLoginsIn(Schema):
    person_ids: list[Annotated[int, Field(ge=1, le=DB_ID_MAX)]] = Field(
        default_factory=list, description="选中的人员"
    )
    org_unit_id: int | None = Field(
        None, description="或：该单元（含下级）中尚未开通账号的全部在岗人员"
    )
    login_by: Literal["phone", "number", "given"] = Field(
        "phone", description="登录名：phone 手机号 / number 前缀+编号 / given 逐人指定"
    )
    prefix: str = Field("", max_length=20, description="工号前缀（number）")
    start: int = Field(1, ge=0, description="起始编号（number）")
    logins: dict[int, str] = Field(
        default_factory=dict, description="逐人指定的登录名（given）：人员 id → 登录名"
    )


class SheetRowOut(Schema):
    name: str
    unit: str
    phone_masked: str
    login: str = Field(description="登录名；为手机号时显示“本人手机号”")
    code: str = Field(description="一次性激活码，只在此响应中出现一次")
    expires_at: datetime


@logins_router.post(
    "/enterprises/{enterprise_id}/employee-logins",
    response={201: list[SheetRowOut], 422: FieldErrors},
    summary="从台账批量开通员工账号（返回激活码清单，只出现一次）",
)
def employee_logins_create(
    request: HttpRequest, enterprise_id: int, payload: EmployeeLoginsIn
) -> Status[Any]:
    s = scope(request)
    enterprise = get_visible_or_404(s, Enterprise, "manage_accounts", pk=enterprise_id)
    unit = (
        get_visible_or_404(s, OrgUnit, pk=payload.org_unit_id, enterprise=enterprise)
        if payload.org_unit_id
        else None
    )
    try:
        rows = logins.employee_logins_create(
            scope=s,
            actor=request.user if request.user.is_authenticated else None,
            enterprise=enterprise,
            person_ids=payload.person_ids,
            unit=unit,
            login_by=payload.login_by,
            prefix=payload.prefix,
            start=payload.start,
            logins=payload.logins,
            at=timezone.now(),
        )
    except DjangoValidationError as exc:
        return _field_errors(exc)
    return Status(
        201,
        [
            SheetRowOut(
                name=r.name,
                unit=r.unit,
                phone_masked=r.phone_masked,
                login=r.login_shown,
                code=r.code_display,
                expires_at=r.expires_at,
            )
            for r in rows
        ],
    )
