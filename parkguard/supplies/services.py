"""Writes of supplies and disinfection. Each asks `require()` first and changes nothing when
the input is refused (a ValidationError with the field's Chinese message)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from parkguard.lib.images import image_type
from parkguard.notify.choices import Kind
from parkguard.notify.services import notify_send
from parkguard.orgs.access import Scope, require
from parkguard.orgs.choices import ENTERPRISE_EDITORS
from parkguard.orgs.models import Enterprise, Jurisdiction, Membership, OrgUnit
from parkguard.supplies.choices import ItemKind, MoveKind
from parkguard.supplies.models import (
    CoverMinimum,
    DisinfectionArea,
    DisinfectionTask,
    LowStockAlert,
    StockMove,
    SupplyItem,
)
from parkguard.supplies.rules import cover_minimum, disinfection_places, disinfection_slots
from parkguard.supplies.selectors import cover_days

KIND_UNKNOWN = "请选择物资类别"
NAME_REQUIRED = "请填写名称"
NAME_TAKEN = "本企业已有同名物资"
UNIT_REQUIRED = "请填写单位，如：个、瓶、支"
QUANTITY_INVALID = "数量应为大于 0 的整数"
ISSUE_EXCEEDS_STOCK = "发放数量 {quantity} 超过现有库存 {on_hand}，未作任何更改"
REPLACE_EXCEEDS_STOCK = "更换数量 {quantity} 超过现有库存 {on_hand}，未作任何更改"
DISPOSE_EXCEEDS_STOCK = "处置数量 {quantity} 超过现有库存 {on_hand}，未作任何更改"
UNIT_FOREIGN = "领用部门不属于本企业"
UNIT_REQUIRED_FOR_ISSUE = "请选择领用部门"
EXPIRY_REQUIRED = "更换后请填写新物资的到期日"
EXPIRY_PAST = "到期日不能早于今天"
DISPOSAL_NOTE_REQUIRED = "请填写处置方式（如：按医疗废物交由有资质单位处置）"
MINIMUM_DAYS_INVALID = "最低保障天数应为大于 0 的整数"
MINIMUM_BASIS_REQUIRED = "请填写依据（文件名称及条款）"
AREA_NAME_REQUIRED = "请填写区域名称"
AREA_KIND_UNKNOWN = "区域类别须为本园区规则包消杀安排中的场所：{places}"
AREA_NO_SCHEDULE = "本园区采用的规则包未规定日常消杀安排，无法登记消杀区域"
ROUNDS_INVALID = "每个时段消杀次数应为 1 到 {high} 之间的整数"
KEY_AREA_ROUNDS = "重点区域应多次消杀：请填写 2 次或以上"
ASSIGNEE_FOREIGN = "负责人须为本企业的账号"
TASK_OTHER_ENTERPRISE = "该消杀任务属于其他企业的区域，不能在此标记完成"
TASK_DONE_ALREADY = "该消杀任务已于 {at} 标记完成"
TASK_NOT_YET = "不能提前标记尚未到来的日期的消杀任务"
PHOTO_TOO_LARGE = "照片不能超过 {limit} KB"
PHOTO_TYPE = "照片须为 JPEG、PNG 或 WebP 图片"
LOW_TITLE = "防护物资不足：{name}"
LOW_BODY = (
    "{enterprise} 的{name}库存 {on_hand}{unit}，按当前用量可保障 {cover} 天，"
    "低于 {minimum} 天（{basis}）。请及时采购补充。"
)
CLEARED_TITLE = "防护物资已补足：{name}"

# Image formats by their first bytes; the declared content type is not trusted.


def _quantity(value: object, field: str = "quantity") -> int:
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise ValidationError({field: QUANTITY_INVALID})
    try:
        number = int(value)
    except ValueError:
        raise ValidationError({field: QUANTITY_INVALID}) from None
    if number <= 0 or number > settings.SUPPLIES_MAX_QUANTITY:
        raise ValidationError({field: QUANTITY_INVALID})
    return number


def _officers(enterprise: Enterprise) -> list[int]:
    return list(
        Membership.objects.filter(enterprise=enterprise, role__in=ENTERPRISE_EDITORS)
        .values_list("user_id", flat=True)
        .distinct()
    )


@transaction.atomic
def supply_item_create(
    *,
    scope: Scope,
    enterprise: Enterprise,
    kind: str,
    name: str,
    unit: str,
    planned_daily_use: object = 0,
) -> SupplyItem:
    require(scope, "manage_supplies", enterprise)
    errors: dict[str, str] = {}
    name, unit = (name or "").strip(), (unit or "").strip()
    if kind not in ItemKind.values:
        errors["kind"] = KIND_UNKNOWN
    if not name:
        errors["name"] = NAME_REQUIRED
    elif SupplyItem.objects.filter(enterprise=enterprise, name=name).exists():
        errors["name"] = NAME_TAKEN
    if not unit:
        errors["unit"] = UNIT_REQUIRED
    planned = 0
    if planned_daily_use not in (0, "", None):
        try:
            planned = _quantity(planned_daily_use, "planned_daily_use")
        except ValidationError as exc:
            errors.update({k: v[0] for k, v in exc.message_dict.items()})
    if errors:
        raise ValidationError(errors)
    return SupplyItem.objects.create(
        enterprise=enterprise, kind=kind, name=name, unit=unit, planned_daily_use=planned
    )


def _locked(item: SupplyItem) -> SupplyItem:
    # Two officers issuing at once must not both spend the same stock.
    return (
        SupplyItem.objects.select_for_update()
        .select_related("enterprise__jurisdiction")
        .get(pk=item.pk)
    )


def _move(
    item: SupplyItem, *, kind: str, quantity: int, at: dt.datetime, by: User | None, **extra: Any
) -> StockMove:
    item.save(update_fields=["on_hand", "expires_on"])
    move = StockMove.objects.create(
        item=item, kind=kind, quantity=quantity, balance=item.on_hand, at=at, by=by, **extra
    )
    _alert_check(item=item, at=at)
    return move


def _alert_check(*, item: SupplyItem, at: dt.datetime) -> None:
    """Open a low-stock alert when cover falls below the minimum; close it once it is met."""
    enterprise = item.enterprise
    minimum = cover_minimum(park=enterprise.jurisdiction, on=timezone.localdate(at))
    cover = cover_days(item=item, at=at)
    low = minimum is not None and cover is not None and cover < minimum.days
    open_alert = LowStockAlert.objects.filter(item=item, closed_at__isnull=True).first()
    link = reverse("supplies_ledger", args=[enterprise.pk])
    if low and open_alert is None and minimum is not None and cover is not None:
        LowStockAlert.objects.create(
            item=item,
            cover_days=cover,
            minimum_days=minimum.days,
            basis=minimum.basis[:300],
            opened_at=at,
        )
        body = LOW_BODY.format(
            enterprise=enterprise.name,
            name=item.name,
            on_hand=item.on_hand,
            unit=item.unit,
            cover=cover,
            minimum=minimum.days,
            basis=minimum.basis,
        )
        notify_send(
            user_ids=_officers(enterprise),
            enterprise=enterprise,
            kind=Kind.SUPPLIES_LOW,
            title=LOW_TITLE.format(name=item.name),
            body=body,
            link=link,
            at=at,
        )
    elif not low and open_alert is not None:
        open_alert.closed_at = at
        open_alert.save(update_fields=["closed_at"])
        notify_send(
            user_ids=_officers(enterprise),
            enterprise=enterprise,
            kind=Kind.SUPPLIES_LOW,
            title=CLEARED_TITLE.format(name=item.name),
            body=f"{enterprise.name} 的{item.name}库存 {item.on_hand}{item.unit}，不足预警已解除。",
            link=link,
            at=at,
        )


def _expiry(value: dt.date | None, at: dt.datetime, *, required: bool) -> dt.date | None:
    if value is None:
        if required:
            raise ValidationError({"expires_on": EXPIRY_REQUIRED})
        return None
    if value < timezone.localdate(at):
        raise ValidationError({"expires_on": EXPIRY_PAST})
    return value


@transaction.atomic
def stock_receive(
    *,
    scope: Scope,
    item: SupplyItem,
    quantity: object,
    expires_on: dt.date | None = None,
    note: str = "",
    at: dt.datetime,
    by: User | None,
) -> StockMove:
    """A receipt (H-4.1 统一管理): stock rises; a low-stock alert it makes good closes."""
    require(scope, "manage_supplies", item)
    number = _quantity(quantity)
    expiry = _expiry(expires_on, at, required=False)
    item = _locked(item)
    if expiry is not None and (item.on_hand == 0 or item.expires_on is None):
        item.expires_on = expiry
    elif expiry is not None and item.expires_on is not None:
        item.expires_on = min(item.expires_on, expiry)
    item.on_hand += number
    return _move(
        item, kind=MoveKind.RECEIPT, quantity=number, at=at, by=by, expires_on=expiry, note=note
    )


@transaction.atomic
def stock_issue(
    *,
    scope: Scope,
    item: SupplyItem,
    quantity: object,
    org_unit: OrgUnit | None,
    note: str = "",
    at: dt.datetime,
    by: User | None,
) -> StockMove:
    """An issue to an org unit (H-4.1 统一发放); never more than the stock."""
    require(scope, "manage_supplies", item)
    number = _quantity(quantity)
    if org_unit is None:
        raise ValidationError({"org_unit": UNIT_REQUIRED_FOR_ISSUE})
    if org_unit.enterprise_id != item.enterprise_id:
        raise ValidationError({"org_unit": UNIT_FOREIGN})
    item = _locked(item)
    if number > item.on_hand:
        raise ValidationError(
            {"quantity": ISSUE_EXCEEDS_STOCK.format(quantity=number, on_hand=item.on_hand)}
        )
    item.on_hand -= number
    if item.on_hand == 0:
        item.expires_on = None
    return _move(
        item, kind=MoveKind.ISSUE, quantity=number, at=at, by=by, org_unit=org_unit, note=note
    )


@transaction.atomic
def stock_replace(
    *,
    scope: Scope,
    item: SupplyItem,
    quantity: object,
    expires_on: dt.date | None,
    note: str = "",
    at: dt.datetime,
    by: User | None,
) -> StockMove:
    """Expiring stock swapped for new (H-4.1 定期更换更新): the count stays, the expiry moves."""
    require(scope, "manage_supplies", item)
    number = _quantity(quantity)
    expiry = _expiry(expires_on, at, required=True)
    item = _locked(item)
    if number > item.on_hand:
        raise ValidationError(
            {"quantity": REPLACE_EXCEEDS_STOCK.format(quantity=number, on_hand=item.on_hand)}
        )
    item.expires_on = expiry
    return _move(
        item, kind=MoveKind.REPLACE, quantity=number, at=at, by=by, expires_on=expiry, note=note
    )


@transaction.atomic
def stock_dispose(
    *,
    scope: Scope,
    item: SupplyItem,
    quantity: object,
    note: str,
    at: dt.datetime,
    by: User | None,
) -> StockMove:
    """Used or expired items disposed of properly (Z-5.3e 规范处置), with how."""
    require(scope, "manage_supplies", item)
    number = _quantity(quantity)
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": DISPOSAL_NOTE_REQUIRED})
    item = _locked(item)
    if number > item.on_hand:
        raise ValidationError(
            {"quantity": DISPOSE_EXCEEDS_STOCK.format(quantity=number, on_hand=item.on_hand)}
        )
    item.on_hand -= number
    if item.on_hand == 0:
        item.expires_on = None
    return _move(item, kind=MoveKind.DISPOSE, quantity=number, at=at, by=by, note=note)


@transaction.atomic
def cover_minimum_set(
    *, scope: Scope, park: Jurisdiction, days: object, basis: str, at: dt.datetime, by: User | None
) -> CoverMinimum:
    """The park's minimum days of cover and the document it comes from."""
    require(scope, "administer", park)
    errors = {}
    try:
        number = _quantity(days, "days")
    except ValidationError:
        errors["days"] = MINIMUM_DAYS_INVALID
    basis = (basis or "").strip()
    if not basis:
        errors["basis"] = MINIMUM_BASIS_REQUIRED
    if errors:
        raise ValidationError(errors)
    row, _ = CoverMinimum.objects.update_or_create(
        jurisdiction=park, defaults={"days": number, "basis": basis, "set_at": at, "set_by": by}
    )
    return row


# --- disinfection -----------------------------------------------------------------------
@transaction.atomic
def disinfection_area_create(
    *,
    scope: Scope,
    enterprise: Enterprise,
    name: str,
    kind: str,
    key_area: bool,
    rounds: object,
    assignee: User | None,
    on: dt.date,
) -> DisinfectionArea:
    """An area to disinfect; its kind must be a place the park's packs schedule (B-2.5)."""
    require(scope, "manage_disinfection", enterprise)
    places = disinfection_places(park=enterprise.jurisdiction, on=on)
    if not places:
        raise ValidationError({"kind": AREA_NO_SCHEDULE})
    errors: dict[str, str] = {}
    name = (name or "").strip()
    if not name:
        errors["name"] = AREA_NAME_REQUIRED
    if kind not in places:
        errors["kind"] = AREA_KIND_UNKNOWN.format(places="、".join(places))
    high = settings.DISINFECTION_MAX_ROUNDS
    try:
        count = int(str(rounds))
    except ValueError:
        count = 0
    if isinstance(rounds, bool) or not 1 <= count <= high:
        errors["rounds"] = ROUNDS_INVALID.format(high=high)
    elif key_area and count < 2:
        errors["rounds"] = KEY_AREA_ROUNDS
    if (
        assignee is not None
        and not Membership.objects.filter(user=assignee, enterprise=enterprise).exists()
    ):
        errors["assignee"] = ASSIGNEE_FOREIGN
    if errors:
        raise ValidationError(errors)
    return DisinfectionArea.objects.create(
        enterprise=enterprise,
        name=name,
        kind=kind,
        key_area=key_area,
        rounds=count,
        assignee=assignee,
    )


@transaction.atomic
def disinfection_day_generate(*, scope: Scope, enterprise: Enterprise, on: dt.date) -> int:
    """The day's tasks from the packs' schedule: each area, each slot its kind is scheduled
    in, key areas as many rounds as the enterprise's plan says. Idempotent; returns new tasks."""
    require(scope, "manage_disinfection", enterprise)
    slots = disinfection_slots(park=enterprise.jurisdiction, on=on)
    by_place: dict[str, list[Any]] = {}
    for slot in slots:
        by_place.setdefault(slot.place, []).append(slot)
    existing = set(
        DisinfectionTask.objects.filter(area__enterprise=enterprise, on=on).values_list(
            "area_id", "slot", "round"
        )
    )
    rows = []
    for area in DisinfectionArea.objects.filter(enterprise=enterprise):
        rounds = area.rounds if area.key_area else 1
        for slot in by_place.get(area.kind, []):
            for number in range(1, rounds + 1):
                if (area.pk, slot.slot, number) in existing:
                    continue
                rows.append(
                    DisinfectionTask(
                        area=area,
                        on=on,
                        slot=slot.slot,
                        round=number,
                        assignee_id=area.assignee_id,
                        citation=slot.citation,
                    )
                )
    DisinfectionTask.objects.bulk_create(rows)
    return len(rows)


def photo_check(*, data: bytes | None) -> tuple[bytes | None, str]:
    """An optional photo: at most the configured size, and a real JPEG, PNG or WebP."""
    if not data:
        return None, ""
    limit = settings.DISINFECTION_PHOTO_MAX_BYTES
    if len(data) > limit:
        raise ValidationError({"photo": PHOTO_TOO_LARGE.format(limit=limit // 1024)})
    kind = image_type(data)
    if kind is None:
        raise ValidationError({"photo": PHOTO_TYPE})
    return data, kind


@transaction.atomic
def disinfection_task_complete(
    *,
    scope: Scope,
    enterprise: Enterprise,
    task: DisinfectionTask,
    photo: bytes | None = None,
    note: str = "",
    at: dt.datetime,
    by: User | None,
) -> DisinfectionTask:
    """The assigned person (or an officer) marks the task done, with an optional photo."""
    if task.area.enterprise_id != enterprise.pk:
        raise ValidationError({"task": TASK_OTHER_ENTERPRISE})
    require(scope, "disinfect", task)
    task = DisinfectionTask.objects.select_for_update().get(pk=task.pk)
    if task.done_at is not None:
        raise ValidationError({"task": TASK_DONE_ALREADY.format(at=task.done_at)})
    if task.on > timezone.localdate(at):
        raise ValidationError({"task": TASK_NOT_YET})
    data, kind = photo_check(data=photo)
    task.done_at, task.done_by, task.note = at, by, (note or "").strip()[:200]
    task.photo, task.photo_type = data, kind
    task.save(update_fields=["done_at", "done_by", "note", "photo", "photo_type"])
    return task
