"""JSON API of trucks (browser sessions only: crews are personal data)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Router, Schema, Status

from parkguard.api.auth import SessionScope, scope
from parkguard.lib.api_datetimes import LocalDateTime
from parkguard.lib.api_errors import FieldErrors, field_errors
from parkguard.lib.free_text import FreeText
from parkguard.logistics import passes, selectors, services
from parkguard.logistics.models import TruckDeclaration
from parkguard.orgs.access import scope_of

router = Router(tags=["货车与物流"], auth=SessionScope(scope_of))


class CrewIn(Schema):
    name: str = Field(max_length=50)
    id_number: str = Field(max_length=30)
    phone: str = Field(max_length=20)
    tested_at: LocalDateTime | None = Field(default=None, description="核酸采样时间")
    test_negative: bool = False
    vaccine_doses: int = Field(default=0, ge=0, le=99)


class TruckDeclarationIn(Schema):
    plate: str = Field(max_length=12)
    planned_arrival: LocalDateTime
    route: str = Field(max_length=300)
    travel_history: str = Field(max_length=300, description="近7天旅居史")
    crew: list[CrewIn] = Field(max_length=20)


class TruckOut(Schema):
    id: int
    plate: str
    state: str
    planned_arrival: LocalDateTime
    crew: int
    loading_zone: str
    entered_at: LocalDateTime | None
    left_at: LocalDateTime | None
    dwell_minutes: int | None


class EntryIn(Schema):
    temperatures: dict[int, str] = Field(description="司乘人员编号 → 体温（℃）")
    codes_checked: bool
    truck_disinfected: bool
    goods_disinfected: bool
    loading_zone: str = Field(max_length=60)
    loaders: str = Field(default="", max_length=200)


class ExitIn(Schema):
    plate: str = Field(max_length=12)


def _out(truck: TruckDeclaration) -> dict[str, Any]:
    return {
        "id": truck.pk,
        "plate": truck.plate,
        "state": truck.state,
        "planned_arrival": truck.planned_arrival,
        "crew": truck.crew.count(),
        "loading_zone": truck.loading_zone,
        "entered_at": truck.entered_at,
        "left_at": truck.left_at,
        "dwell_minutes": services.dwell_minutes(truck, timezone.now()),
    }


@router.get(
    "/logistics/enterprises/{enterprise_id}/trucks",
    response=list[TruckOut],
    summary="今日货车（在园的含停留时长）",
)
def truck_list(request: HttpRequest, enterprise_id: int) -> Any:
    caller = scope(request)
    enterprise = selectors.enterprise_for_trucks(scope=caller, enterprise_id=enterprise_id)
    day = timezone.localdate()
    return [_out(t) for t in selectors.trucks_of_day(scope=caller, enterprise=enterprise, on=day)]


@router.post(
    "/logistics/enterprises/{enterprise_id}/trucks",
    response={201: TruckOut, 422: FieldErrors},
    summary="收货企业代为申报货车",
)
def truck_declare(request: HttpRequest, enterprise_id: int, payload: TruckDeclarationIn) -> Any:
    caller = scope(request)
    enterprise = selectors.enterprise_for_trucks(scope=caller, enterprise_id=enterprise_id)
    try:
        truck = services.truck_declare(
            scope=caller,
            enterprise=enterprise,
            plate=payload.plate,
            planned_arrival=payload.planned_arrival,
            route=payload.route,
            travel_history=payload.travel_history,
            crew=services.crew_from_rows([c.dict() for c in payload.crew]),
            at=timezone.now(),
        )
    except DjangoValidationError as exc:
        return field_errors(exc)
    return Status(201, _out(truck))


@router.post(
    "/logistics/trucks/{truck_id}/entry",
    response={200: TruckOut, 422: FieldErrors},
    summary="入园查验（测温、三码、消杀、装卸区）并放行",
)
def truck_entry(request: HttpRequest, truck_id: int, payload: EntryIn) -> Any:
    caller = scope(request)
    truck = selectors.truck_get(scope=caller, truck_id=truck_id)
    data = payload.dict()
    temperatures: dict[int, str] = dict(data.pop("temperatures"))
    try:
        truck = services.truck_enter(
            scope=caller,
            truck=truck,
            temperatures=temperatures,
            **data,
            at=timezone.now(),
            by=request.user,  # type: ignore[arg-type]
        )
    except DjangoValidationError as exc:
        return field_errors(exc)
    return _out(truck)


@router.post(
    "/logistics/enterprises/{enterprise_id}/exit",
    response={200: TruckOut, 422: FieldErrors},
    summary="按车牌号登记离园",
)
def truck_exit(request: HttpRequest, enterprise_id: int, payload: ExitIn) -> Any:
    caller = scope(request)
    enterprise = selectors.enterprise_for_trucks(scope=caller, enterprise_id=enterprise_id)
    try:
        truck = services.truck_exit(
            scope=caller, enterprise=enterprise, plate=payload.plate, at=timezone.now()
        )
    except DjangoValidationError as exc:
        return field_errors(exc)
    return _out(truck)


# Verification also answers gate devices (the API's default auth: device token or session).
gate_router = Router(tags=["货车与物流"])


class VerifyIn(Schema):
    token: str = Field(max_length=300, description="通行证二维码的内容")


class VerifyOut(Schema):
    valid: bool
    reason: FreeText
    plate: str
    enterprise: str
    valid_until: dt.date | None


@gate_router.post("/logistics/passes/verify", response=VerifyOut, summary="查验运输通行证二维码")
def pass_verify(request: HttpRequest, payload: VerifyIn) -> Any:
    verdict = passes.pass_verify(scope=scope(request), token=payload.token, at=timezone.now())
    return verdict.__dict__
