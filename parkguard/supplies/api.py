"""JSON API of protective supplies and disinfection (browser sessions only: the ledger and
the checklists name people and units)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Router, Schema, Status

from parkguard.api.auth import SessionScope, scope
from parkguard.lib.api_datetimes import LocalDateTime
from parkguard.lib.api_errors import DB_ID_MAX, FieldErrors, field_errors
from parkguard.orgs.access import get_visible_or_404, scope_of, visible
from parkguard.orgs.models import OrgUnit
from parkguard.supplies import selectors, services
from parkguard.supplies.choices import ItemKind, MoveKind
from parkguard.supplies.models import DisinfectionTask, SupplyItem

router = Router(tags=["防护物资与消杀"], auth=SessionScope(scope_of))


class ItemOut(Schema):
    id: int
    kind: str
    name: str
    unit: str
    on_hand: int
    usage_per_day: str
    cover_days: str | None = Field(description="按当前用量可保障天数；无消耗为 null")
    low: bool
    expires_on: dt.date | None
    alert_open: bool


class SuppliesLedgerOut(Schema):
    enterprise_id: int
    minimum_days: int | None
    minimum_basis: str
    items: list[ItemOut]


class ItemIn(Schema):
    kind: ItemKind
    name: str = Field(max_length=60)
    unit: str = Field(max_length=10)
    planned_daily_use: int = Field(default=0, ge=0, le=DB_ID_MAX)


class MoveIn(Schema):
    kind: MoveKind = Field(
        description="receipt 入库 / issue 发放 / replace 到期更换 / dispose 处置"
    )
    quantity: int = Field(ge=0, le=DB_ID_MAX)
    org_unit_id: int | None = Field(default=None, ge=1, le=DB_ID_MAX, description="发放的领用部门")
    expires_on: dt.date | None = None
    note: str = Field(default="", max_length=200)


class MoveOut(Schema):
    id: int
    kind: str
    quantity: int
    balance: int


class CoverOut(Schema):
    enterprise_id: int
    name: str
    lowest_cover_days: str | None
    low_items: int
    items: int


class ParkCoverOut(Schema):
    minimum_days: int | None
    minimum_basis: str
    enterprises: list[CoverOut]


class TaskOut(Schema):
    id: int
    area: str
    kind: str
    slot: str
    round: int
    assignee: str
    done_at: LocalDateTime | None


class DoneIn(Schema):
    task_id: int = Field(ge=1, le=DB_ID_MAX)
    note: str = Field(default="", max_length=200)


def _ledger_json(ledger: selectors.Ledger) -> dict[str, Any]:
    return {
        "enterprise_id": ledger.enterprise.pk,
        "minimum_days": ledger.minimum.days if ledger.minimum else None,
        "minimum_basis": ledger.minimum.basis if ledger.minimum else "",
        "items": [
            {
                "id": r.item.pk,
                "kind": r.item.kind,
                "name": r.item.name,
                "unit": r.item.unit,
                "on_hand": r.item.on_hand,
                "usage_per_day": str(r.rate),
                "cover_days": None if r.cover is None else str(r.cover),
                "low": r.low,
                "expires_on": r.item.expires_on,
                "alert_open": r.alert is not None,
            }
            for r in ledger.rows
        ],
    }


@router.get(
    "/supplies/enterprises/{enterprise_id}/ledger",
    response=SuppliesLedgerOut,
    summary="防护物资台账",
)
def ledger(request: HttpRequest, enterprise_id: int) -> Any:
    caller = scope(request)
    enterprise = selectors.enterprise_for_supplies(scope=caller, enterprise_id=enterprise_id)
    return _ledger_json(
        selectors.supplies_ledger(scope=caller, enterprise=enterprise, at=timezone.now())
    )


@router.post(
    "/supplies/enterprises/{enterprise_id}/items",
    response={201: ItemOut, 422: FieldErrors},
    summary="添加防护物资",
)
def item_create(request: HttpRequest, enterprise_id: int, payload: ItemIn) -> Any:
    caller = scope(request)
    enterprise = selectors.enterprise_for_supplies(scope=caller, enterprise_id=enterprise_id)
    try:
        item = services.supply_item_create(scope=caller, enterprise=enterprise, **payload.dict())
    except DjangoValidationError as exc:
        return field_errors(exc)
    found = selectors.supplies_ledger(scope=caller, enterprise=enterprise, at=timezone.now())
    row = next(r for r in _ledger_json(found)["items"] if r["id"] == item.pk)
    return Status(201, row)


@router.post(
    "/supplies/items/{item_id}/moves",
    response={201: MoveOut, 422: FieldErrors},
    summary="登记入库、发放、到期更换或处置",
)
def move_create(request: HttpRequest, item_id: int, payload: MoveIn) -> Any:
    caller = scope(request)
    item = get_visible_or_404(caller, SupplyItem, pk=item_id)
    common: dict[str, Any] = {
        "scope": caller,
        "item": item,
        "quantity": payload.quantity,
        "at": timezone.now(),
        "by": request.user,
    }
    try:
        if payload.kind == MoveKind.RECEIPT:
            move = services.stock_receive(
                **common, expires_on=payload.expires_on, note=payload.note
            )
        elif payload.kind == MoveKind.ISSUE:
            unit = (
                visible(caller, OrgUnit).filter(pk=payload.org_unit_id).first()
                if payload.org_unit_id
                else None
            )
            move = services.stock_issue(**common, org_unit=unit, note=payload.note)
        elif payload.kind == MoveKind.REPLACE:
            move = services.stock_replace(
                **common, expires_on=payload.expires_on, note=payload.note
            )
        else:
            move = services.stock_dispose(**common, note=payload.note)
    except DjangoValidationError as exc:
        return field_errors(exc)
    return Status(
        201, {"id": move.pk, "kind": move.kind, "quantity": move.quantity, "balance": move.balance}
    )


@router.get(
    "/supplies/parks/{jurisdiction_id}/cover",
    response=ParkCoverOut,
    summary="园区各企业物资保障天数",
)
def park_cover(request: HttpRequest, jurisdiction_id: int) -> Any:
    caller = scope(request)
    park = selectors.park_for_supplies(scope=caller, jurisdiction_id=jurisdiction_id)
    minimum, rows = selectors.park_cover(scope=caller, park=park, at=timezone.now())
    return {
        "minimum_days": minimum.days if minimum else None,
        "minimum_basis": minimum.basis if minimum else "",
        "enterprises": [
            {
                "enterprise_id": r.enterprise_id,
                "name": r.name,
                "lowest_cover_days": None if r.lowest_cover is None else str(r.lowest_cover),
                "low_items": r.low_items,
                "items": r.items,
            }
            for r in rows
        ],
    }


def _task_json(task: DisinfectionTask) -> dict[str, Any]:
    who = task.assignee
    return {
        "id": task.pk,
        "area": task.area.name,
        "kind": task.area.kind,
        "slot": task.slot,
        "round": task.round,
        "assignee": (who.get_full_name() or who.username) if who else "",
        "done_at": task.done_at,
    }


@router.get(
    "/supplies/enterprises/{enterprise_id}/disinfection",
    response=list[TaskOut],
    summary="某日消杀任务清单",
)
def disinfection_day(request: HttpRequest, enterprise_id: int, on: dt.date | None = None) -> Any:
    caller = scope(request)
    enterprise = selectors.enterprise_for_supplies(scope=caller, enterprise_id=enterprise_id)
    day = on or timezone.localdate()
    return [
        _task_json(t)
        for t in selectors.disinfection_day(scope=caller, enterprise=enterprise, on=day)
    ]


@router.post(
    "/supplies/enterprises/{enterprise_id}/disinfection/done",
    response={200: TaskOut, 422: FieldErrors},
    summary="标记消杀任务完成（照片请在页面上传）",
)
def disinfection_done(request: HttpRequest, enterprise_id: int, payload: DoneIn) -> Any:
    caller = scope(request)
    enterprise = get_visible_or_404(caller, selectors.Enterprise, pk=enterprise_id)
    task = get_visible_or_404(
        caller, DisinfectionTask.objects.select_related("area").defer("photo"), pk=payload.task_id
    )
    try:
        task = services.disinfection_task_complete(
            scope=caller,
            enterprise=enterprise,
            task=task,
            note=payload.note,
            at=timezone.now(),
            by=request.user,  # type: ignore[arg-type]
        )
    except DjangoValidationError as exc:
        return field_errors(exc)
    return _task_json(DisinfectionTask.objects.select_related("area", "assignee").get(pk=task.pk))
