"""JSON API of lockdown command (session only): orders with their checkpoints and timers,
checkpoint reports, lifting, passes, 24-hour rosters with their flags, living supplies."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Router, Schema, Status

from parkguard.api.auth import SessionScope, scope
from parkguard.command import selectors, services
from parkguard.command.choices import NeedKind, PassKind
from parkguard.command.models import Checkpoint, Delivery, LockdownOrder, LockdownPass, Shift
from parkguard.lib.api_datetimes import LocalDateTime
from parkguard.lib.api_errors import DB_ID_MAX, FieldErrors, field_errors
from parkguard.lib.free_text import FreeText
from parkguard.orgs.access import get_visible_or_404, scope_of, visible
from parkguard.orgs.models import Enterprise
from parkguard.people.models import Person

router = Router(tags=["封控指挥"])
SESSION = SessionScope(scope_of)
ID = Field(ge=1, le=DB_ID_MAX)
AnId = Annotated[int, Field(ge=1, le=DB_ID_MAX)]


class CommandTeamIn(Schema):
    leader: str = Field(max_length=50, description="负责人")
    hotline: str = Field(default="", max_length=20, description="电话")


class CommandOrderIn(Schema):
    title: str = Field(max_length=120, description="指令名称")
    reason: str = Field(max_length=300, description="封控原因")
    enterprise_ids: list[AnId] = Field(default=[], max_length=500, description="整企封控的企业")
    area_ids: list[AnId] = Field(default=[], max_length=500, description="封控的区块")
    teams: dict[str, CommandTeamIn] = Field(
        default={}, description="policy 政策解答组 / requests 诉求解决组 / living 生活保障组"
    )


class CommandCheckpointOut(Schema):
    id: int
    name: str
    enterprise_id: int
    area_id: int | None
    staffed_at: LocalDateTime | None
    closed_at: LocalDateTime | None
    missed: list[str]


class CommandOrderOut(Schema):
    id: int
    jurisdiction_id: int
    title: str
    state: str
    ordered_at: LocalDateTime
    staff_due_at: LocalDateTime
    close_due_at: LocalDateTime
    closed_at: LocalDateTime | None
    lifted_at: LocalDateTime | None
    lift_reason: FreeText
    citation: dict[str, Any]
    checkpoints: list[CommandCheckpointOut]
    teams: dict[str, CommandTeamIn]


class CommandLiftIn(Schema):
    reason: str = Field(max_length=300, description="解封理由")


class CommandPassIn(Schema):
    person_id: int = ID
    kind: PassKind = Field(description="printed 纸质 / electronic 电子")
    purpose: str = Field(max_length=120, description="通行事由")


class CommandPassOut(Schema):
    id: int
    person_id: int
    kind: str
    purpose: FreeText
    printed_serial: str
    issued_at: LocalDateTime
    revoked_at: LocalDateTime | None


class CommandShiftIn(Schema):
    user_id: int = ID
    checkpoint_id: int | None = Field(default=None, ge=1, le=DB_ID_MAX)
    post: str = Field(default="", max_length=80, description="岗位（不选卡点时）")
    starts_at: LocalDateTime
    ends_at: LocalDateTime


class CommandShiftOut(Schema):
    id: int
    post: str
    checkpoint_id: int | None
    user_id: int
    starts_at: LocalDateTime
    ends_at: LocalDateTime
    handed_over_at: LocalDateTime | None
    too_long: bool = False


class CommandGapOut(Schema):
    starts_at: LocalDateTime
    ends_at: LocalDateTime


class CommandPostOut(Schema):
    post: str
    checkpoint_id: int | None
    shifts: list[CommandShiftOut]
    gaps: list[CommandGapOut]


class CommandRosterOut(Schema):
    starts_at: LocalDateTime
    ends_at: LocalDateTime
    shift_max_hours: int | None
    posts: list[CommandPostOut]


class CommandHandoverIn(Schema):
    note: str = Field(max_length=300, description="交接记录")


class CommandNeedIn(Schema):
    enterprise_id: int | None = Field(default=None, ge=1, le=DB_ID_MAX)
    checkpoint_id: int | None = Field(default=None, ge=1, le=DB_ID_MAX)
    day: dt.date | None = None
    kind: NeedKind
    item: str = Field(max_length=60)
    quantity: int = Field(ge=1, le=DB_ID_MAX)
    unit: str = Field(max_length=10)


class CommandNeedOut(Schema):
    id: int
    enterprise_id: int
    checkpoint_id: int | None
    day: dt.date
    kind: str
    item: str
    quantity: int
    unit: str


class CommandDeliveryIn(Schema):
    enterprise_id: int | None = Field(default=None, ge=1, le=DB_ID_MAX)
    checkpoint_id: int | None = Field(default=None, ge=1, le=DB_ID_MAX)
    contents: str = Field(max_length=200)
    packages: int = Field(ge=1, le=DB_ID_MAX)
    due_at: LocalDateTime
    courier: str = Field(max_length=50, description="配送人（网格员或志愿者）")


class CommandDeliveryOut(Schema):
    id: int
    enterprise_id: int
    checkpoint_id: int | None
    contents: FreeText
    packages: int
    due_at: LocalDateTime
    courier: str
    delivered_at: LocalDateTime | None
    confirmed_by: str


class CommandConfirmIn(Schema):
    receiver: str = Field(max_length=50, description="签收人")


class CommandShortfallIn(Schema):
    enterprise_id: int = ID
    item: str = Field(max_length=60)
    short_by: int = Field(ge=1, le=DB_ID_MAX)
    unit: str = Field(max_length=10)


class CommandShortfallOut(Schema):
    id: int
    enterprise_id: int
    item: str
    short_by: int
    unit: str
    notified: int


def _order_out(o: LockdownOrder) -> dict[str, Any]:
    return {
        "id": o.pk,
        "jurisdiction_id": o.jurisdiction_id,
        "title": o.title,
        "state": o.state,
        "ordered_at": o.ordered_at,
        "staff_due_at": o.staff_due_at,
        "close_due_at": o.close_due_at,
        "closed_at": o.closed_at,
        "lifted_at": o.lifted_at,
        "lift_reason": o.lift_reason,
        "citation": o.citation,
        "checkpoints": [
            {
                "id": c.pk,
                "name": c.name,
                "enterprise_id": c.enterprise_id,
                "area_id": c.area_id,
                "staffed_at": c.staffed_at,
                "closed_at": c.closed_at,
                "missed": [m.deadline for m in c.misses.all()],
            }
            for c in o.checkpoints.all()
        ],
        "teams": {t.kind: {"leader": t.leader, "hotline": t.hotline} for t in o.teams.all()},
    }


def _fields(row: Any, names: tuple[str, ...]) -> dict[str, Any]:
    return {n: getattr(row, "pk" if n == "id" else n) for n in names}


PASS_FIELDS = ("id", "person_id", "kind", "purpose", "printed_serial", "issued_at", "revoked_at")
SHIFT_FIELDS = (
    "id", "post", "checkpoint_id", "user_id", "starts_at", "ends_at", "handed_over_at",
)  # fmt: skip
NEED_FIELDS = ("id", "enterprise_id", "checkpoint_id", "day", "kind", "item", "quantity", "unit")
DELIVERY_FIELDS = (
    "id", "enterprise_id", "checkpoint_id", "contents", "packages", "due_at", "courier",
    "delivered_at", "confirmed_by",
)  # fmt: skip
SHORTFALL_FIELDS = ("id", "enterprise_id", "item", "short_by", "unit", "notified")


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


@router.get(
    "/command/parks/{jurisdiction_id}/orders",
    response=list[CommandOrderOut],
    auth=SESSION,
    summary="封控指令及其卡点、时限（封控看板）",
)
def order_list(request: HttpRequest, jurisdiction_id: int) -> Any:
    caller = scope(request)
    park = selectors.park_for_command(scope=caller, jurisdiction_id=jurisdiction_id)
    return [_order_out(o) for o in selectors.orders_of(scope=caller, jurisdiction=park)]


@router.post(
    "/command/parks/{jurisdiction_id}/orders",
    response={201: CommandOrderOut, 422: FieldErrors},
    auth=SESSION,
    summary="下达封控指令（L-3.0）：须指定封控区域或企业",
)
def order_create(request: HttpRequest, jurisdiction_id: int, payload: CommandOrderIn) -> Any:
    caller = scope(request)
    park = selectors.park_for_command(scope=caller, jurisdiction_id=jurisdiction_id)
    try:
        o = services.lockdown_order(
            scope=caller,
            jurisdiction=park,
            title=payload.title,
            reason=payload.reason,
            enterprise_ids=payload.enterprise_ids,
            area_ids=payload.area_ids,
            teams={k: (t.leader, t.hotline) for k, t in payload.teams.items()},
            by=_user(request),
            at=timezone.now(),
        )
    except DjangoValidationError as exc:
        return field_errors(exc, names={"targets": "enterprise_ids"})
    return Status(201, _order_out(o))


@router.get(
    "/command/orders/{order_id}",
    response=CommandOrderOut,
    auth=SESSION,
    summary="一条封控指令",
)
def order_get(request: HttpRequest, order_id: int) -> Any:
    return _order_out(selectors.order_for(scope=scope(request), order_id=order_id))


@router.post(
    "/command/orders/{order_id}/lift",
    response={200: CommandOrderOut, 422: FieldErrors},
    auth=SESSION,
    summary="解除封控（记录解封人、时间和理由）",
)
def order_lift(request: HttpRequest, order_id: int, payload: CommandLiftIn) -> Any:
    caller = scope(request)
    o = selectors.order_for(scope=caller, order_id=order_id)
    try:
        o = services.lockdown_lift(
            scope=caller, order=o, reason=payload.reason, by=_user(request), at=timezone.now()
        )
    except DjangoValidationError as exc:
        return field_errors(exc)
    return _order_out(o)


def _report(request: HttpRequest, checkpoint_id: int, what: str) -> Any:
    caller = scope(request)
    checkpoint = get_visible_or_404(caller, Checkpoint, "view_command", pk=checkpoint_id)
    try:
        services.checkpoint_report(
            scope=caller, checkpoint=checkpoint, what=what, by=_user(request), at=timezone.now()
        )
    except DjangoValidationError as exc:
        return field_errors(exc)
    return _order_out(selectors.order_for(scope=caller, order_id=checkpoint.order_id))


@router.post(
    "/command/checkpoints/{checkpoint_id}/staffed",
    response={200: CommandOrderOut, 422: FieldErrors},
    auth=SESSION,
    summary="卡点报告到岗（须在该卡点当前值班表上）",
)
def checkpoint_staffed(request: HttpRequest, checkpoint_id: int) -> Any:
    return _report(request, checkpoint_id, "staffed")


@router.post(
    "/command/checkpoints/{checkpoint_id}/closed",
    response={200: CommandOrderOut, 422: FieldErrors},
    auth=SESSION,
    summary="卡点报告完成封闭（须在该卡点当前值班表上）",
)
def checkpoint_closed(request: HttpRequest, checkpoint_id: int) -> Any:
    return _report(request, checkpoint_id, "closed")


@router.post(
    "/command/orders/{order_id}/passes",
    response={201: CommandPassOut, 422: FieldErrors},
    auth=SESSION,
    summary="签发封控通行证（纸质或电子），门岗据此放行",
)
def pass_issue(request: HttpRequest, order_id: int, payload: CommandPassIn) -> Any:
    caller = scope(request)
    o = selectors.order_for(scope=caller, order_id=order_id)
    person = get_visible_or_404(caller, Person, pk=payload.person_id)
    try:
        issued = services.lockdown_pass_issue(
            scope=caller,
            order=o,
            person=person,
            kind=payload.kind,
            purpose=payload.purpose,
            by=_user(request),
            at=timezone.now(),
        )
    except DjangoValidationError as exc:
        return field_errors(exc, names={"person": "person_id"})
    return Status(201, _fields(issued, PASS_FIELDS))


@router.post(
    "/command/passes/{lockdown_pass_id}/revoke",
    response={200: CommandPassOut, 422: FieldErrors},
    auth=SESSION,
    summary="作废封控通行证",
)
def pass_revoke(request: HttpRequest, lockdown_pass_id: int) -> Any:
    caller = scope(request)
    issued = get_visible_or_404(caller, LockdownPass, "command_lockdown", pk=lockdown_pass_id)
    try:
        issued = services.lockdown_pass_revoke(
            scope=caller, issued=issued, by=_user(request), at=timezone.now()
        )
    except DjangoValidationError as exc:
        return field_errors(exc)
    return _fields(issued, PASS_FIELDS)


@router.get(
    "/command/parks/{jurisdiction_id}/roster",
    response=CommandRosterOut,
    auth=SESSION,
    summary="24 小时值班表：每个岗位和卡点的班次、空档与超长班次",
)
def roster_get(
    request: HttpRequest, jurisdiction_id: int, starts_at: LocalDateTime | None = None
) -> Any:
    caller = scope(request)
    park = selectors.park_for_command(scope=caller, jurisdiction_id=jurisdiction_id)
    start = starts_at or timezone.now().replace(minute=0, second=0, microsecond=0)
    roster = selectors.roster_of(scope=caller, jurisdiction=park, start=start)
    return {
        "starts_at": roster.start,
        "ends_at": roster.end,
        "shift_max_hours": roster.shift_max_hours,
        "posts": [
            {
                "post": p.post,
                "checkpoint_id": p.checkpoint_id,
                "shifts": [
                    {**_fields(s, SHIFT_FIELDS), "too_long": s.pk in p.long_ids} for s in p.shifts
                ],
                "gaps": [{"starts_at": a, "ends_at": b} for a, b in p.gaps],
            }
            for p in roster.posts
        ],
    }


@router.post(
    "/command/parks/{jurisdiction_id}/shifts",
    response={201: CommandShiftOut, 422: FieldErrors},
    auth=SESSION,
    summary="排一个班次（卡点或岗位）",
)
def shift_add(request: HttpRequest, jurisdiction_id: int, payload: CommandShiftIn) -> Any:
    caller = scope(request)
    park = selectors.park_for_command(scope=caller, jurisdiction_id=jurisdiction_id)
    checkpoint = None
    if payload.checkpoint_id is not None:
        checkpoint = get_visible_or_404(
            caller, Checkpoint, "view_command", pk=payload.checkpoint_id
        )
    try:
        shift = services.shift_add(
            scope=caller,
            jurisdiction=park,
            user=User.objects.filter(pk=payload.user_id).first(),
            starts_at=payload.starts_at,
            ends_at=payload.ends_at,
            post=payload.post,
            checkpoint=checkpoint,
            by=_user(request),
            at=timezone.now(),
        )
    except DjangoValidationError as exc:
        return field_errors(exc, names={"user": "user_id", "checkpoint": "checkpoint_id"})
    return Status(201, _fields(shift, SHIFT_FIELDS))


@router.post(
    "/command/shifts/{shift_id}/handover",
    response={200: CommandShiftOut, 422: FieldErrors},
    auth=SESSION,
    summary="交接班",
)
def shift_handover(request: HttpRequest, shift_id: int, payload: CommandHandoverIn) -> Any:
    caller = scope(request)
    shift = get_visible_or_404(caller, Shift, "hand_over", pk=shift_id)
    try:
        shift = services.shift_handover(
            scope=caller, shift=shift, note=payload.note, by=_user(request), at=timezone.now()
        )
    except DjangoValidationError as exc:
        return field_errors(exc)
    return _fields(shift, SHIFT_FIELDS)


def _targets(caller: Any, enterprise_id: int | None, checkpoint_id: int | None) -> Any:
    enterprise = (
        visible(caller, Enterprise).filter(pk=enterprise_id).first() if enterprise_id else None
    )
    checkpoint = (
        visible(caller, Checkpoint, "view_command").filter(pk=checkpoint_id).first()
        if checkpoint_id
        else None
    )
    return enterprise, checkpoint


@router.post(
    "/command/orders/{order_id}/needs",
    response={201: CommandNeedOut, 422: FieldErrors},
    auth=SESSION,
    summary="登记封控企业或卡点当日的生活、医疗物资需求（L-3.2）",
)
def need_count(request: HttpRequest, order_id: int, payload: CommandNeedIn) -> Any:
    caller = scope(request)
    o = selectors.order_for(scope=caller, order_id=order_id)
    enterprise, checkpoint = _targets(caller, payload.enterprise_id, payload.checkpoint_id)
    try:
        need = services.need_count(
            scope=caller,
            order=o,
            enterprise=enterprise,
            checkpoint=checkpoint,
            day=payload.day or timezone.localdate(),
            kind=payload.kind,
            item=payload.item,
            quantity=payload.quantity,
            unit=payload.unit,
            by=_user(request),
            at=timezone.now(),
        )
    except DjangoValidationError as exc:
        return field_errors(exc, names={"enterprise": "enterprise_id"})
    return Status(201, _fields(need, NEED_FIELDS))


@router.post(
    "/command/orders/{order_id}/deliveries",
    response={201: CommandDeliveryOut, 422: FieldErrors},
    auth=SESSION,
    summary="登记定时配送（只限封控范围内的企业和卡点）",
)
def delivery_plan(request: HttpRequest, order_id: int, payload: CommandDeliveryIn) -> Any:
    caller = scope(request)
    o = selectors.order_for(scope=caller, order_id=order_id)
    enterprise, checkpoint = _targets(caller, payload.enterprise_id, payload.checkpoint_id)
    try:
        delivery = services.delivery_plan(
            scope=caller,
            order=o,
            enterprise=enterprise,
            checkpoint=checkpoint,
            contents=payload.contents,
            packages=payload.packages,
            due_at=payload.due_at,
            courier=payload.courier,
            by=_user(request),
            at=timezone.now(),
        )
    except DjangoValidationError as exc:
        return field_errors(exc, names={"enterprise": "enterprise_id"})
    return Status(201, _fields(delivery, DELIVERY_FIELDS))


@router.post(
    "/command/deliveries/{delivery_id}/delivered",
    response={200: CommandDeliveryOut, 422: FieldErrors},
    auth=SESSION,
    summary="确认送达（签收）",
)
def delivery_confirm(request: HttpRequest, delivery_id: int, payload: CommandConfirmIn) -> Any:
    caller = scope(request)
    delivery = get_visible_or_404(caller, Delivery, "living_supplies", pk=delivery_id)
    try:
        delivery = services.delivery_confirm(
            scope=caller,
            delivery=delivery,
            receiver=payload.receiver,
            by=_user(request),
            at=timezone.now(),
        )
    except DjangoValidationError as exc:
        return field_errors(exc)
    return _fields(delivery, DELIVERY_FIELDS)


@router.post(
    "/command/orders/{order_id}/shortfalls",
    response={201: CommandShortfallOut, 422: FieldErrors},
    auth=SESSION,
    summary="物资不足：向县生活、医疗物资保障组提出支援请求",
)
def shortfall_raise(request: HttpRequest, order_id: int, payload: CommandShortfallIn) -> Any:
    caller = scope(request)
    o = selectors.order_for(scope=caller, order_id=order_id)
    enterprise, _ = _targets(caller, payload.enterprise_id, None)
    try:
        row = services.shortfall_raise(
            scope=caller,
            order=o,
            enterprise=enterprise,
            item=payload.item,
            short_by=payload.short_by,
            unit=payload.unit,
            by=_user(request),
            at=timezone.now(),
        )
    except DjangoValidationError as exc:
        return field_errors(exc, names={"enterprise": "enterprise_id"})
    return Status(201, _fields(row, SHORTFALL_FIELDS))
