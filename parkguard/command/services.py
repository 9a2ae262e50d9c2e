"""Writes of lockdown command, rosters and living supplies. Every service asks
`orgs.access.require()` first, validates everything before it writes, and is one transaction:
a refused write changes nothing."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q

from parkguard.audit.services import audit_record
from parkguard.command import rules
from parkguard.command.choices import Deadline, NeedKind, OrderState, PassKind, TeamKind
from parkguard.command.models import (
    Checkpoint,
    DeadlineMiss,
    Delivery,
    LockdownOrder,
    LockdownPass,
    Shift,
    Shortfall,
    SupplyNeed,
    Team,
)
from parkguard.gate.models import PrintedPass
from parkguard.gate.services import printed_pass_issue, printed_pass_revoke
from parkguard.notify.choices import Kind
from parkguard.notify.services import notify_send
from parkguard.orgs.access import NOT_ALLOWED, Scope, can, require, visible
from parkguard.orgs.choices import JURISDICTION_ROLES, PARK_EDITORS, JurisdictionKind
from parkguard.orgs.models import Enterprise, Jurisdiction, Membership
from parkguard.people.choices import EmploymentStatus
from parkguard.people.models import Person
from parkguard.response.models import Area
from parkguard.status.choices import HoldKind
from parkguard.status.services import status_hold_clear, status_hold_open

TITLE_REQUIRED = "请填写封控指令名称"
REASON_REQUIRED = "请写明封控原因"
NO_TARGETS = "封控指令须至少指定一个封控区域或企业"
TARGET_OUTSIDE = "所选企业或区域不在本指挥部辖区内"
AREA_UNKNOWN = "所选区块不存在或不属于所选企业"
NO_DEADLINE_RULE = "所选用的规则包没有规定封控时限（到岗、完成封闭），请先选用封控规则包"
TEAM_LEADER_REQUIRED = "请填写该小组负责人"
ORDER_LIFTED = "该封控指令已解封"
LIFT_REASON_REQUIRED = "请写明解封理由（审计记录会看到）"
NOT_ON_ROSTER = "您不在该卡点当前的值班表上，不能报告该卡点"
ALREADY_STAFFED = "该卡点已报告到岗"
NOT_STAFFED_YET = "该卡点尚未报告到岗，请先报告到岗"
ALREADY_CLOSED = "该卡点已报告完成封闭"
PERSON_NOT_IN_LOCKDOWN = "此人不在本次封控的企业或区域内，无需通行证"
PASS_EXISTS = "此人已持有本次封控的有效通行证"
PASS_KIND_INVALID = "请选择通行证形式（纸质或电子）"
PURPOSE_REQUIRED = "请写明通行事由"
PASS_REVOKED = "该通行证已作废"
SHIFT_BACKWARDS = "班次的结束时间须晚于开始时间"
SHIFT_TOO_LONG = "一个班次不能超过 {hours} 小时（规则包的排班时长），请分成几班"
SHIFT_OVERLAP = "该值班人在这段时间已有班次"
POST_REQUIRED = "请填写岗位名称，或选择卡点"
USER_NOT_STAFF = "值班人须是本园区（指挥部）的工作人员"
CHECKPOINT_OTHER = "所选卡点不属于本园区（指挥部）"
NOTE_REQUIRED = "请填写交接记录（在岗情况、未完事项）"
ALREADY_HANDED_OVER = "该班次已交接"
NOT_IN_LOCKDOWN = "该企业不在本次封控范围内，不能登记物资需求或配送"
CHECKPOINT_OTHER_ORDER = "所选卡点不属于本次封控指令"
ITEM_REQUIRED = "请填写物资名称"
QUANTITY_INVALID = "数量须为正整数"
UNIT_REQUIRED = "请填写单位"
NEED_KIND_INVALID = "请选择物资类别（生活或医疗）"
CONTENTS_REQUIRED = "请填写配送物资"
COURIER_REQUIRED = "请填写配送人（网格员或志愿者）"
RECEIVER_REQUIRED = "请填写签收人"
ALREADY_DELIVERED = "该配送已确认送达"
NO_SUPPLY_GROUP = "未找到县生活、医疗物资保障组（县级指挥部的工作人员），无法提出支援请求"


def _cite(citations: Mapping[str, dict[str, object]], *keys: str) -> dict[str, object]:
    for key in keys:
        if key in citations:
            return dict(citations[key])
    return {}


def _audit(
    *,
    by: User | None,
    action: str,
    target: object,
    jurisdiction_id: int,
    at: dt.datetime,
    enterprise_id: int | None = None,
    reason: str = "",
    detail: dict[str, object] | None = None,
) -> None:
    audit_record(
        actor=by,
        action=action,
        at=at,
        target=target,
        enterprise_id=enterprise_id,
        jurisdiction_id=jurisdiction_id,
        reason=reason[:200],
        detail=detail or {},
    )


def _staff_user_ids(jurisdictions: Iterable[int], roles: Iterable[str]) -> list[int]:
    return list(
        Membership.objects.filter(
            jurisdiction_id__in=list(jurisdictions), role__in=list(roles), user__is_active=True
        )
        .values_list("user_id", flat=True)
        .distinct()
    )


def _parks_of(order: LockdownOrder) -> set[int]:
    """The order's own jurisdiction and the parks of the enterprises it closes."""
    parks = set(order.checkpoints.values_list("enterprise__jurisdiction_id", flat=True))
    return parks | {order.jurisdiction_id}


def _notify_order(order: LockdownOrder, *, title: str, body: str, at: dt.datetime) -> None:
    notify_send(
        user_ids=_staff_user_ids(_parks_of(order), JURISDICTION_ROLES),
        jurisdiction=order.jurisdiction,
        kind=Kind.LOCKDOWN,
        title=title,
        body=body,
        link=f"/command/orders/{order.pk}/",
        at=at,
    )


def may_on_order(scope: Scope, action: str, order: LockdownOrder) -> bool:
    """The order's own command, or the park of one of the enterprises it closes."""
    if can(scope, action, order):
        return True
    return visible(scope, Checkpoint, action).filter(order=order).exists()


def require_on_order(scope: Scope, action: str, order: LockdownOrder) -> None:
    if not may_on_order(scope, action, order):
        raise PermissionDenied(NOT_ALLOWED)


# --- who is inside ----------------------------------------------------------------------
def people_inside(checkpoint: Checkpoint) -> Q:
    """The people a checkpoint closes in: the whole enterprise's active staff, or those whose
    workshop or dormitory is the area, or who are placed in it (response zones)."""
    q = Q(enterprise_id=checkpoint.enterprise_id, status=EmploymentStatus.ACTIVE)
    if checkpoint.area is not None:
        name = checkpoint.area.name
        q &= Q(workshop=name) | Q(dormitory=name) | Q(zone__area_id=checkpoint.area_id)
    return q


def people_of_order(order: LockdownOrder) -> list[int]:
    query = Q(pk__in=[])
    for checkpoint in order.checkpoints.select_related("area"):
        query |= people_inside(checkpoint)
    return list(Person.objects.filter(query).values_list("pk", flat=True).distinct())


def _pass_holders(order: LockdownOrder) -> set[int]:
    return set(order.passes.filter(revoked_at__isnull=True).values_list("person_id", flat=True))


# --- orders -----------------------------------------------------------------------------
@transaction.atomic
def lockdown_order(
    *,
    scope: Scope,
    jurisdiction: Jurisdiction,
    title: str,
    reason: str,
    enterprise_ids: Iterable[int] = (),
    area_ids: Iterable[int] = (),
    teams: Mapping[str, tuple[str, str]] | None = None,
    by: User | None,
    at: dt.datetime,
) -> LockdownOrder:
    """The command orders closure of whole enterprises and/or areas (L-3.0). One checkpoint,
    the one entrance, per controlled area (L-3.1); the pack's due times start now; everyone
    inside is held at the gate unless they hold a pass."""
    require(scope, "command_lockdown", jurisdiction)
    errors: dict[str, str] = {}
    title, reason = (title or "").strip(), (reason or "").strip()
    if not title:
        errors["title"] = TITLE_REQUIRED
    if not reason:
        errors["reason"] = REASON_REQUIRED
    whole_ids = sorted(set(enterprise_ids))
    part_ids = sorted(set(area_ids))
    if not whole_ids and not part_ids:
        errors["targets"] = NO_TARGETS
    prefix = jurisdiction.path
    wholes = list(
        Enterprise.objects.filter(pk__in=whole_ids, jurisdiction__path__startswith=prefix)
    )
    areas = list(
        Area.objects.filter(pk__in=part_ids, enterprise__jurisdiction__path__startswith=prefix)
        .select_related("enterprise")
        .order_by("enterprise_id", "pk")
    )
    if len(wholes) != len(whole_ids) or len(areas) != len(part_ids):
        errors.setdefault("targets", TARGET_OUTSIDE)
    for name, (leader, _hotline) in (teams or {}).items():
        if name not in TeamKind.values:
            errors["teams"] = TEAM_LEADER_REQUIRED
        elif _hotline and not (leader or "").strip():
            errors[f"team_{name}"] = TEAM_LEADER_REQUIRED
    found = rules.command_rules(jurisdiction=jurisdiction, on=at.date())
    if found.staff_minutes is None or found.close_minutes is None:
        errors["__all__"] = NO_DEADLINE_RULE
    if errors:
        raise ValidationError(errors)
    assert found.staff_minutes is not None and found.close_minutes is not None
    order = LockdownOrder.objects.create(
        jurisdiction=jurisdiction,
        title=title[:120],
        reason=reason[:300],
        ordered_at=at,
        ordered_by=by,
        staff_due_at=at + dt.timedelta(minutes=found.staff_minutes),
        close_due_at=at + dt.timedelta(minutes=found.close_minutes),
        citation={
            "staffed": _cite(found.citations, "staff_minutes"),
            "closed": _cite(found.citations, "close_minutes"),
        },
    )
    whole = {e.pk for e in wholes}
    for e in sorted(wholes, key=lambda e: e.pk):
        Checkpoint.objects.create(order=order, enterprise=e, name=f"{e.name}出入口"[:80])
    for area in areas:
        owner = area.enterprise
        if owner is None or area.enterprise_id in whole:
            # The whole enterprise is closed already, at its one entrance (a park's own area
            # never comes here: `areas` are the enterprises' by the filter above).
            continue
        Checkpoint.objects.create(
            order=order,
            enterprise=owner,
            area=area,
            name=f"{owner.name}{area.name}出入口"[:80],
        )
    for name, (leader, hotline) in (teams or {}).items():
        if (leader or "").strip():
            Team.objects.create(
                order=order, kind=name, leader=leader.strip()[:50], hotline=(hotline or "")[:20]
            )
    held = people_of_order(order)
    status_hold_open(
        person_ids=held,
        kind=HoldKind.LOCKDOWN,
        reason=f"{order.title}：封控区域内，凭通行证出入"[:300],
        citation=order.citation["staffed"],
        source=order.source,
        at=at,
    )
    _audit(
        by=by,
        action="command.lockdown.order",
        target=order,
        jurisdiction_id=jurisdiction.pk,
        at=at,
        reason=reason,
        detail={
            "enterprises": sorted(whole),
            "areas": [a.pk for a in areas],
            "held": len(held),
        },
    )
    _notify_order(
        order,
        title=f"封控指令：{order.title}",
        body=(
            f"{order.checkpoints.count()} 个卡点须于 {order.staff_due_at:%H:%M} 前到岗、"
            f"{order.close_due_at:%H:%M} 前完成封闭。"
        ),
        at=at,
    )
    return order


def _on_roster(checkpoint: Checkpoint, user: User | None, at: dt.datetime) -> bool:
    if user is None:
        return False
    return Shift.objects.filter(
        checkpoint=checkpoint, user=user, starts_at__lte=at, ends_at__gt=at
    ).exists()


def _miss(checkpoint: Checkpoint, deadline: str, due: dt.datetime, at: dt.datetime) -> bool:
    _row, created = DeadlineMiss.objects.get_or_create(
        checkpoint=checkpoint, deadline=deadline, defaults={"due_at": due, "recorded_at": at}
    )
    return created


@transaction.atomic
def checkpoint_report(
    *, scope: Scope, checkpoint: Checkpoint, what: str, by: User | None, at: dt.datetime
) -> Checkpoint:
    """A checkpoint reports its staff arrived (`staffed`) or its closure complete (`closed`);
    only someone on its roster at this moment may. A late report records the miss."""
    require(scope, "report_checkpoint", checkpoint)
    checkpoint = (
        Checkpoint.objects.select_for_update().select_related("order").get(pk=checkpoint.pk)
    )
    order = checkpoint.order
    if order.state == OrderState.LIFTED:
        raise ValidationError({"__all__": ORDER_LIFTED})
    if what not in Deadline.values:
        raise ValidationError({"what": NOT_STAFFED_YET})
    if not _on_roster(checkpoint, by, at):
        raise ValidationError({"__all__": NOT_ON_ROSTER})
    if what == Deadline.STAFFED:
        if checkpoint.staffed_at is not None:
            raise ValidationError({"__all__": ALREADY_STAFFED})
        checkpoint.staffed_at, checkpoint.staffed_by = at, by
        if at > order.staff_due_at:
            _miss(checkpoint, Deadline.STAFFED, order.staff_due_at, at)
    else:
        if checkpoint.staffed_at is None:
            raise ValidationError({"__all__": NOT_STAFFED_YET})
        if checkpoint.closed_at is not None:
            raise ValidationError({"__all__": ALREADY_CLOSED})
        checkpoint.closed_at, checkpoint.closed_by = at, by
        if at > order.close_due_at:
            _miss(checkpoint, Deadline.CLOSED, order.close_due_at, at)
    checkpoint.save(update_fields=["staffed_at", "staffed_by", "closed_at", "closed_by"])
    if what == Deadline.CLOSED and not order.checkpoints.filter(closed_at__isnull=True).exists():
        order.closed_at = at
        order.save(update_fields=["closed_at"])
    _audit(
        by=by,
        action=f"command.checkpoint.{what}",
        target=checkpoint,
        jurisdiction_id=order.jurisdiction_id,
        enterprise_id=checkpoint.enterprise_id,
        at=at,
    )
    return checkpoint


def lockdown_misses_record(*, at: dt.datetime) -> int:
    """Record each deadline a checkpoint of an open order has passed without its report, once,
    and tell the command. Run every minute by a task; returns the misses recorded."""
    recorded = 0
    open_orders = LockdownOrder.objects.filter(state=OrderState.ORDERED, staff_due_at__lt=at)
    for order in open_orders:
        with transaction.atomic():
            late: list[str] = []
            for checkpoint in order.checkpoints.all():
                if checkpoint.staffed_at is None and _miss(
                    checkpoint, Deadline.STAFFED, order.staff_due_at, at
                ):
                    late.append(f"{checkpoint.name}未按时到岗")
                if (
                    checkpoint.closed_at is None
                    and order.close_due_at < at
                    and _miss(checkpoint, Deadline.CLOSED, order.close_due_at, at)
                ):
                    late.append(f"{checkpoint.name}未按时完成封闭")
            if late:
                recorded += len(late)
                _notify_order(order, title=f"封控超时：{order.title}", body="；".join(late), at=at)
    return recorded


@transaction.atomic
def lockdown_lift(
    *, scope: Scope, order: LockdownOrder, reason: str, by: User | None, at: dt.datetime
) -> LockdownOrder:
    """Lift a lockdown: who, when and why recorded and audited; everyone's hold is cleared."""
    require(scope, "command_lockdown", order)
    order = LockdownOrder.objects.select_for_update().get(pk=order.pk)
    if order.state == OrderState.LIFTED:
        raise ValidationError({"__all__": ORDER_LIFTED})
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": LIFT_REASON_REQUIRED})
    order.state, order.lifted_at, order.lifted_by = OrderState.LIFTED, at, by
    order.lift_reason = reason[:300]
    order.save(update_fields=["state", "lifted_at", "lifted_by", "lift_reason"])
    cleared = status_hold_clear(
        person_ids=people_of_order(order), kind=HoldKind.LOCKDOWN, source=order.source, by=by, at=at
    )
    _audit(
        by=by,
        action="command.lockdown.lift",
        target=order,
        jurisdiction_id=order.jurisdiction_id,
        at=at,
        reason=reason,
        detail={"cleared": cleared},
    )
    _notify_order(order, title=f"解除封控：{order.title}", body=reason, at=at)
    return order


# --- passes -----------------------------------------------------------------------------
@transaction.atomic
def lockdown_pass_issue(
    *,
    scope: Scope,
    order: LockdownOrder,
    person: Person,
    kind: str,
    purpose: str,
    by: User | None,
    at: dt.datetime,
) -> LockdownPass:
    """A pass for someone the lockdown lets through (L-3.1): printed (a gate printed pass, with
    its QR) or electronic (their phone pass). Their lockdown hold is cleared, so the gate,
    which reads only the status row, lets them through."""
    require(scope, "command_lockdown", person)
    if order.state == OrderState.LIFTED:
        raise ValidationError({"__all__": ORDER_LIFTED})
    errors: dict[str, str] = {}
    purpose = (purpose or "").strip()
    if kind not in PassKind.values:
        errors["kind"] = PASS_KIND_INVALID
    if not purpose:
        errors["purpose"] = PURPOSE_REQUIRED
    if person.pk not in set(people_of_order(order)):
        errors["person"] = PERSON_NOT_IN_LOCKDOWN
    elif person.pk in _pass_holders(order):
        errors["person"] = PASS_EXISTS
    if errors:
        raise ValidationError(errors)
    serial = ""
    if kind == PassKind.PRINTED:
        serial = printed_pass_issue(scope=scope, person=person, at=at, by=by).serial
    issued = LockdownPass.objects.create(
        order=order,
        person=person,
        kind=kind,
        purpose=purpose[:120],
        printed_serial=serial,
        issued_at=at,
        issued_by=by,
    )
    status_hold_clear(
        person_ids=[person.pk], kind=HoldKind.LOCKDOWN, source=order.source, by=by, at=at
    )
    _audit(
        by=by,
        action="command.pass.issue",
        target=issued,
        jurisdiction_id=order.jurisdiction_id,
        enterprise_id=person.enterprise_id,
        at=at,
        reason=purpose,
        detail={"person_id": person.pk, "kind": kind},
    )
    return issued


@transaction.atomic
def lockdown_pass_revoke(
    *, scope: Scope, issued: LockdownPass, by: User | None, at: dt.datetime
) -> LockdownPass:
    """Revoke a pass: the person is held at the gate again while the lockdown lasts."""
    require(scope, "command_lockdown", issued)
    issued = (
        LockdownPass.objects.select_for_update().select_related("order", "person").get(pk=issued.pk)
    )
    if issued.revoked_at is not None:
        raise ValidationError({"__all__": PASS_REVOKED})
    issued.revoked_at = at
    issued.save(update_fields=["revoked_at"])
    printed = PrintedPass.objects.filter(
        serial=issued.printed_serial, revoked_at__isnull=True
    ).first()
    if issued.printed_serial and printed is not None:
        printed_pass_revoke(scope=scope, printed=printed, at=at, by=by)
    order = issued.order
    if order.state == OrderState.ORDERED:
        status_hold_open(
            person_ids=[issued.person_id],
            kind=HoldKind.LOCKDOWN,
            reason=f"{order.title}：通行证已作废"[:300],
            citation=order.citation.get("staffed", {}),
            source=order.source,
            at=at,
        )
    _audit(
        by=by,
        action="command.pass.revoke",
        target=issued,
        jurisdiction_id=order.jurisdiction_id,
        enterprise_id=issued.person.enterprise_id,
        at=at,
        detail={"person_id": issued.person_id},
    )
    return issued


# --- rosters ----------------------------------------------------------------------------
@transaction.atomic
def shift_add(
    *,
    scope: Scope,
    jurisdiction: Jurisdiction,
    user: User | None,
    starts_at: dt.datetime | None,
    ends_at: dt.datetime | None,
    post: str = "",
    checkpoint: Checkpoint | None = None,
    by: User | None,
    at: dt.datetime,
) -> Shift:
    """Put someone on the 24-hour roster of a checkpoint or a post (L-4.4b). No shift longer
    than the pack allows; gaps are flagged on the roster, not refused."""
    require(scope, "manage_rosters", jurisdiction)
    errors: dict[str, str] = {}
    post = (post or "").strip()
    if checkpoint is not None:
        if not checkpoint.enterprise.jurisdiction.path.startswith(
            jurisdiction.path
        ) and not checkpoint.order.jurisdiction.path.startswith(jurisdiction.path):
            errors["checkpoint"] = CHECKPOINT_OTHER
        post = checkpoint.name
    elif not post:
        errors["post"] = POST_REQUIRED
    ancestors = [int(pk) for pk in jurisdiction.path.strip("/").split("/") if pk]
    if (
        user is None
        or not Membership.objects.filter(
            user=user,
            jurisdiction_id__in=[*ancestors, jurisdiction.pk],
            role__in=JURISDICTION_ROLES,
        ).exists()
    ):
        errors["user"] = USER_NOT_STAFF
    found = rules.command_rules(jurisdiction=jurisdiction, on=at.date())
    if starts_at is None or ends_at is None or ends_at <= starts_at:
        errors["ends_at"] = SHIFT_BACKWARDS
    elif found.roster_hours is not None and ends_at - starts_at > dt.timedelta(
        hours=found.roster_hours
    ):
        errors["ends_at"] = SHIFT_TOO_LONG.format(hours=found.roster_hours)
    elif (
        user is not None
        and Shift.objects.filter(user=user, starts_at__lt=ends_at, ends_at__gt=starts_at).exists()
    ):
        errors["starts_at"] = SHIFT_OVERLAP
    if errors:
        raise ValidationError(errors)
    assert user is not None and starts_at is not None and ends_at is not None
    shift = Shift.objects.create(
        jurisdiction=jurisdiction,
        checkpoint=checkpoint,
        post=post[:80],
        user=user,
        starts_at=starts_at,
        ends_at=ends_at,
        created_by=by,
    )
    _audit(
        by=by,
        action="command.shift.add",
        target=shift,
        jurisdiction_id=jurisdiction.pk,
        at=at,
        detail={"user_id": user.pk, "post": shift.post},
    )
    notify_send(
        user_ids=[user.pk],
        kind=Kind.ROSTER,
        title=f"值班安排：{shift.post}",
        body=f"{starts_at:%m-%d %H:%M} 至 {ends_at:%m-%d %H:%M}",
        link=f"/command/parks/{jurisdiction.pk}/rosters/",
        at=at,
    )
    return shift


@transaction.atomic
def shift_handover(
    *, scope: Scope, shift: Shift, note: str, by: User | None, at: dt.datetime
) -> Shift:
    """The person on duty (or an admin) hands the shift over with a note (L-4.4b)."""
    require(scope, "hand_over", shift)
    shift = Shift.objects.select_for_update().get(pk=shift.pk)
    if shift.handed_over_at is not None:
        raise ValidationError({"__all__": ALREADY_HANDED_OVER})
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": NOTE_REQUIRED})
    shift.handed_over_at, shift.handover_note = at, note[:300]
    shift.save(update_fields=["handed_over_at", "handover_note"])
    _audit(
        by=by,
        action="command.shift.handover",
        target=shift,
        jurisdiction_id=shift.jurisdiction_id,
        at=at,
    )
    following = (
        Shift.objects.filter(
            post=shift.post, jurisdiction=shift.jurisdiction, starts_at__gte=shift.starts_at
        )
        .exclude(pk=shift.pk)
        .order_by("starts_at")
        .first()
    )
    if following is not None:
        notify_send(
            user_ids=[following.user_id],
            kind=Kind.ROSTER,
            title=f"交接班：{shift.post}",
            body=note[:300],
            link=f"/command/parks/{shift.jurisdiction_id}/rosters/",
            at=at,
        )
    return shift


# --- living and medical supplies --------------------------------------------------------
def _target(
    order: LockdownOrder, enterprise: Enterprise | None, checkpoint: Checkpoint | None
) -> tuple[Enterprise | None, dict[str, str]]:
    """The enterprise a need or delivery is for; it must be inside this lockdown."""
    if checkpoint is not None:
        if checkpoint.order_id != order.pk:
            return None, {"checkpoint": CHECKPOINT_OTHER_ORDER}
        enterprise = enterprise or checkpoint.enterprise
    if enterprise is None or not order.checkpoints.filter(enterprise=enterprise).exists():
        return None, {"enterprise": NOT_IN_LOCKDOWN}
    if checkpoint is not None and checkpoint.enterprise_id != enterprise.pk:
        return None, {"checkpoint": CHECKPOINT_OTHER_ORDER}
    return enterprise, {}


def _quantity_ok(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 1


@transaction.atomic
def need_count(
    *,
    scope: Scope,
    order: LockdownOrder,
    enterprise: Enterprise | None,
    checkpoint: Checkpoint | None = None,
    day: dt.date,
    kind: str,
    item: str,
    quantity: int | None,
    unit: str,
    by: User | None,
    at: dt.datetime,
) -> SupplyNeed:
    """A day's need counted for a locked-down enterprise or one of its checkpoints (L-3.2)."""
    require_on_order(scope, "living_supplies", order)
    target, errors = _target(order, enterprise, checkpoint)
    if target is not None:
        require(scope, "living_supplies", target)
    item, unit = (item or "").strip(), (unit or "").strip()
    if order.state == OrderState.LIFTED:
        errors["__all__"] = ORDER_LIFTED
    if kind not in NeedKind.values:
        errors["kind"] = NEED_KIND_INVALID
    if not item:
        errors["item"] = ITEM_REQUIRED
    if not _quantity_ok(quantity):
        errors["quantity"] = QUANTITY_INVALID
    if not unit:
        errors["unit"] = UNIT_REQUIRED
    if errors or target is None or quantity is None:
        raise ValidationError(errors)
    need = SupplyNeed.objects.create(
        order=order,
        enterprise=target,
        checkpoint=checkpoint,
        day=day,
        kind=kind,
        item=item[:60],
        quantity=quantity,
        unit=unit[:10],
        counted_at=at,
        counted_by=by,
    )
    _audit(
        by=by,
        action="command.need.count",
        target=need,
        jurisdiction_id=order.jurisdiction_id,
        enterprise_id=target.pk,
        at=at,
    )
    return need


@transaction.atomic
def delivery_plan(
    *,
    scope: Scope,
    order: LockdownOrder,
    enterprise: Enterprise | None,
    checkpoint: Checkpoint | None = None,
    contents: str,
    packages: int | None,
    due_at: dt.datetime | None,
    courier: str,
    by: User | None,
    at: dt.datetime,
) -> Delivery:
    """Packages packed for an enterprise or checkpoint inside the lockdown, to be delivered at a
    set time by a grid worker or volunteer (L-3.2). Outside the lockdown: refused."""
    require_on_order(scope, "living_supplies", order)
    target, errors = _target(order, enterprise, checkpoint)
    if target is not None:
        require(scope, "living_supplies", target)
    contents, courier = (contents or "").strip(), (courier or "").strip()
    if order.state == OrderState.LIFTED:
        errors["__all__"] = ORDER_LIFTED
    if not contents:
        errors["contents"] = CONTENTS_REQUIRED
    if not _quantity_ok(packages):
        errors["packages"] = QUANTITY_INVALID
    if not courier:
        errors["courier"] = COURIER_REQUIRED
    if due_at is None:
        errors["due_at"] = "请填写约定送达时间"
    if errors or target is None or packages is None or due_at is None:
        raise ValidationError(errors)
    delivery = Delivery.objects.create(
        order=order,
        enterprise=target,
        checkpoint=checkpoint,
        contents=contents[:200],
        packages=packages,
        due_at=due_at,
        courier=courier[:50],
        packed_at=at,
        created_by=by,
    )
    _audit(
        by=by,
        action="command.delivery.plan",
        target=delivery,
        jurisdiction_id=order.jurisdiction_id,
        enterprise_id=target.pk,
        at=at,
    )
    return delivery


@transaction.atomic
def delivery_confirm(
    *, scope: Scope, delivery: Delivery, receiver: str, by: User | None, at: dt.datetime
) -> Delivery:
    """The package arrived: who signed for it and when (late if past the set time plus the
    pack's allowance, shown on the order page)."""
    require(scope, "living_supplies", delivery)
    delivery = Delivery.objects.select_for_update().get(pk=delivery.pk)
    if delivery.delivered_at is not None:
        raise ValidationError({"__all__": ALREADY_DELIVERED})
    receiver = (receiver or "").strip()
    if not receiver:
        raise ValidationError({"receiver": RECEIVER_REQUIRED})
    delivery.delivered_at, delivery.confirmed_by = at, receiver[:50]
    delivery.save(update_fields=["delivered_at", "confirmed_by"])
    _audit(
        by=by,
        action="command.delivery.confirm",
        target=delivery,
        jurisdiction_id=delivery.order.jurisdiction_id,
        enterprise_id=delivery.enterprise_id,
        at=at,
    )
    return delivery


def supply_group(order: LockdownOrder) -> tuple[Jurisdiction | None, list[int]]:
    """The county above the order's jurisdiction and its staff: the county supply group."""
    ids = [int(pk) for pk in order.jurisdiction.path.strip("/").split("/") if pk]
    county = (
        Jurisdiction.objects.filter(pk__in=ids, kind=JurisdictionKind.COUNTY)
        .order_by("-path")
        .first()
    )
    if county is None:
        return None, []
    return county, _staff_user_ids([county.pk], JURISDICTION_ROLES | PARK_EDITORS)


@transaction.atomic
def shortfall_raise(
    *,
    scope: Scope,
    order: LockdownOrder,
    enterprise: Enterprise | None,
    item: str,
    short_by: int | None,
    unit: str,
    by: User | None,
    at: dt.datetime,
) -> Shortfall:
    """Supplies run short for a locked-down enterprise: ask the county supply group (L-3.2)."""
    require_on_order(scope, "living_supplies", order)
    target, errors = _target(order, enterprise, None)
    if target is not None:
        require(scope, "living_supplies", target)
    item, unit = (item or "").strip(), (unit or "").strip()
    if not item:
        errors["item"] = ITEM_REQUIRED
    if not _quantity_ok(short_by):
        errors["short_by"] = QUANTITY_INVALID
    if not unit:
        errors["unit"] = UNIT_REQUIRED
    county, group = supply_group(order)
    if county is None or not group:
        errors["__all__"] = NO_SUPPLY_GROUP
    if errors or target is None or short_by is None:
        raise ValidationError(errors)
    row = Shortfall.objects.create(
        order=order,
        enterprise=target,
        item=item[:60],
        short_by=short_by,
        unit=unit[:10],
        raised_at=at,
        raised_by=by,
    )
    row.notified = notify_send(
        user_ids=group,
        jurisdiction=county,
        kind=Kind.LIVING_SUPPLIES,
        title=f"生活物资支援请求：{target.name}",
        body=f"{order.title}：{item} 缺 {short_by}{unit}，请县生活、医疗物资保障组支援。",
        link=f"/command/orders/{order.pk}/",
        at=at,
    )
    row.save(update_fields=["notified"])
    _audit(
        by=by,
        action="command.shortfall.raise",
        target=row,
        jurisdiction_id=order.jurisdiction_id,
        enterprise_id=target.pk,
        at=at,
    )
    return row
