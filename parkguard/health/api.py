"""JSON API of daily health: the declaration, temperature readings (also from a gate device
token, which writes but reads no personal data back), and the officer's board."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest
from django.utils import timezone
from ninja import Field, Router, Schema, Status

from parkguard.api.auth import SessionScope, scope
from parkguard.health import selectors, services
from parkguard.health.choices import CodeColour, ReadingSource
from parkguard.lib.api_datetimes import LocalDateTime
from parkguard.lib.api_errors import FieldErrors, error_at, field_errors
from parkguard.orgs.access import NOT_FOUND, scope_of, visible
from parkguard.orgs.models import ApiToken
from parkguard.people.models import Person

router = Router(tags=["健康管理"])
# Endpoints that return personal data or act for the person themself: browser sessions only.
SESSION = SessionScope(scope_of)


class DeclarationIn(Schema):
    # Text or number: the service gives the Chinese message for "abc", 25 or 45 ℃.
    temperature: str | float = Field(description="体温（℃），如 36.5")
    symptoms: list[str] = Field(default=[], description="症状，须为本园区规则包列出的症状")
    case_contact: bool = Field(default=False, description="近期接触过确诊或疑似病例")
    household_travel: bool = Field(default=False, description="共同生活者近期有外出行程")
    household_travel_note: str = Field(default="", max_length=200, description="共同生活者行程")
    code_colour: CodeColour = Field(description="健康码颜色（本人所见）")


class DeclarationOut(Schema):
    id: int
    on: dt.date
    temperature: str
    symptoms: list[str]
    alert: str | None = Field(description="生成的预警原因；无预警为 null")


class ReadingIn(Schema):
    person_id: int = Field(description="人员编号（本企业）")
    temperature: str | float = Field(description="体温（℃）")
    source: ReadingSource = Field(
        description="测温点：gate 厂区入口 / office 办公场所入口 / manual 人工"
    )
    place: str = Field(default="", max_length=50, description="位置，如 1号门")
    taken_at: LocalDateTime | None = Field(default=None, description="测温时间，默认为现在")


class ReadingOut(Schema):
    # No name, no history: a gate device learns only that its reading was stored.
    id: int
    alert: bool = Field(description="体温达到规则包的发热阈值，已生成预警")


class UnitOut(Schema):
    name: str
    headcount: int
    declared: int


class BoardOut(Schema):
    on: dt.date
    headcount: int
    declared: int
    open_alerts: int
    units: list[UnitOut]
    not_declared: list[dict[str, Any]] = Field(description="未申报人员：id、姓名、部门")


@router.post(
    "/health/declarations",
    response={201: DeclarationOut, 404: FieldErrors, 422: FieldErrors},
    auth=SESSION,
    summary="提交本人今日健康申报",
)
def declaration_submit(request: HttpRequest, payload: DeclarationIn) -> Any:
    caller = scope(request)
    person = selectors.my_person(scope=caller)
    if person is None:
        return error_at(["body"], selectors.NO_PERSON, status=404)
    try:
        declaration, alert = services.declaration_submit(
            scope=caller,
            person=person,
            temperature=payload.temperature,
            symptoms=payload.symptoms,
            case_contact=payload.case_contact,
            household_travel=payload.household_travel,
            household_travel_note=payload.household_travel_note,
            code_colour=payload.code_colour,
            at=timezone.now(),
            by=request.user,  # type: ignore[arg-type]
        )
    except DjangoValidationError as exc:
        return field_errors(exc)
    return Status(
        201,
        {
            "id": declaration.pk,
            "on": declaration.on,
            "temperature": str(declaration.temperature),
            "symptoms": declaration.symptoms,
            "alert": alert.reason if alert else None,
        },
    )


@router.post(
    "/health/readings",
    response={201: ReadingOut, 422: FieldErrors},
    summary="记录体温（防疫专员、门岗或门岗设备令牌）",
)
def reading_submit(request: HttpRequest, payload: ReadingIn) -> Any:
    caller = scope(request)
    # The person is found through the action, not the read scope: a device token may record
    # for its enterprise's staff without being able to read them. Unknown or foreign → 404.
    person = (
        visible(caller, Person, "record_temperature")
        .select_related("enterprise__jurisdiction")
        .filter(pk=payload.person_id)
        .first()
    )
    if person is None:
        raise Http404(NOT_FOUND)
    device = ApiToken.objects.get(pk=caller.token_id) if caller.token_id else None
    try:
        reading, alert = services.reading_record(
            scope=caller,
            person=person,
            temperature=payload.temperature,
            source=payload.source,
            place=payload.place,
            taken_at=payload.taken_at,
            at=timezone.now(),
            by=None if device else request.user,  # type: ignore[arg-type]
            device=device,
        )
    except DjangoValidationError as exc:
        return field_errors(exc)
    return Status(201, {"id": reading.pk, "alert": alert is not None})


@router.get(
    "/health/enterprises/{enterprise_id}/board",
    response=BoardOut,
    auth=SESSION,
    summary="企业今日申报情况（按部门）",
)
def board(request: HttpRequest, enterprise_id: int, on: dt.date | None = None) -> Any:
    caller = scope(request)
    enterprise = selectors.enterprise_for_health(scope=caller, enterprise_id=enterprise_id)
    found = selectors.declaration_board(
        scope=caller, enterprise=enterprise, on=on or timezone.localdate()
    )
    return {
        "on": found.on,
        "headcount": found.headcount,
        "declared": found.declared,
        "open_alerts": found.open_alerts,
        "units": [
            {"name": u.name, "headcount": u.headcount, "declared": u.declared} for u in found.units
        ],
        "not_declared": [
            {"id": p.pk, "name": p.name, "unit": p.org_unit.name if p.org_unit else ""}
            for p in found.missing_people
        ],
    }
