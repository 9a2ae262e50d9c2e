"""Writes of production continuity. Each asks `require()` first and changes nothing when the
input is refused (a ValidationError with the field's Chinese message, a module constant).

Closed loop (Z-5.0, Z-5.2d): switching the plan on names the people inside with their
dormitory and workshop, puts every gate of the enterprise into its closed-loop period (the
gate then lets the people inside through only on their dormitory–workshop route), and opens a
CLOSED_LOOP hold on everyone outside: the gate reads only the status row. Switching off
clears those holds and restores the gates as they were. Both are audited."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from parkguard.audit.services import audit_record
from parkguard.continuity.choices import FaultState, PostKind, PostRole, Utility
from parkguard.continuity.models import (
    KeyPost,
    Leave,
    LoopDay,
    LoopMember,
    LoopPlan,
    PostStaff,
    RotaShift,
    UtilityFault,
)
from parkguard.continuity.rules import (
    MEALS_PER_DAY,
    REPAIR_HOURS,
    number,
    requirement_citation,
)
from parkguard.gate.models import Gate
from parkguard.gate.services import gate_update
from parkguard.notify.choices import Kind
from parkguard.notify.services import notify_send
from parkguard.orgs.access import Scope, require
from parkguard.orgs.choices import ENTERPRISE_EDITORS, PARK_EDITORS
from parkguard.orgs.models import Enterprise, Jurisdiction, Membership
from parkguard.people.choices import EmploymentStatus
from parkguard.people.models import Person
from parkguard.response.models import Incident
from parkguard.status.choices import HoldKind
from parkguard.status.services import status_hold_clear, status_hold_open

LOOP_REASON_REQUIRED = "请填写启动闭环生产的原因（如：园区发现阳性病例）"
LOOP_ALREADY_ACTIVE = "本企业已在闭环生产中（{since} 起），无需重复启动"
LOOP_NOT_ACTIVE = "该闭环生产已于 {at} 解除"
LOOP_END_REASON_REQUIRED = "请填写解除闭环生产的原因（如：疫情解除，经园区同意）"
LOOP_EMPTY = "闭环内没有人员：请先在人员台账中登记员工的宿舍和车间"
INCIDENT_FOREIGN = "该疫情事件不属于本企业"
MEMBER_FOREIGN = "所选人员中有 {count} 人不是本企业在岗人员"
MEMBER_NO_ROUTE = (
    "所选人员中有 {count} 人未登记宿舍或车间，无法按“两点一线”管理：请先在人员台账中补全"
)
MEMBER_ALREADY = "此人已在闭环内"
MEMBER_LEFT = "此人已离开闭环"
DAY_FUTURE = "不能登记尚未到来的日期"
DAY_BEFORE_LOOP = "该日期早于闭环启动日期 {since}"
COUNT_INVALID = "请填写 0 到 {high} 之间的整数"
MET_EXCEEDS = "已解决的就医需求不能多于就医需求"
POST_NAME_REQUIRED = "请填写岗位或工序名称"
POST_NAME_TAKEN = "本企业已有同名的关键岗位或工序"
POST_KIND_UNKNOWN = "请选择关键岗位或关键工序"
POST_MINIMUM_INVALID = "最低在岗人数应为 1 到 {high} 之间的整数"
ROLE_UNKNOWN = "请选择在岗或备岗"
STAFF_FOREIGN = "所选人员不是本企业在岗人员"
STAFF_TAKEN = "此人已在该岗位名单中"
ROTA_NOT_STAFF = "只能为该岗位名单中的人员排班"
SHIFT_REQUIRED = "请填写班次，如：白班、夜班"
DATE_REQUIRED = "请填写日期"
LEAVE_ORDER = "结束日期不能早于开始日期"
LEAVE_REASON_REQUIRED = "请填写事由（如：轮休、事假）"
UTILITY_UNKNOWN = "请选择故障类别：供水、供电或供气"
LOCATION_REQUIRED = "请填写故障位置"
DESCRIPTION_REQUIRED = "请填写故障情况"
ENTERPRISE_OTHER_PARK = "该企业不在本园区"
FAULT_NOT_REPORTED = "该故障已派修（{state}），不能重复派修"
FAULT_NOT_ASSIGNED = "请先派修，再登记修复"
FAULT_REPAIRED = "该故障已于 {at} 修复"
ASSIGNEE_REQUIRED = "请填写抢修单位或人员"
REPAIR_NOTE_REQUIRED = "请填写修复说明（如：更换受损电缆，已恢复供电）"

# Sanity bounds on counts typed into a form (not policy: no notice sets them).
COUNT_MAX = 100_000
POST_MINIMUM_MAX = 999

LOOP_HOLD_REASON = "{enterprise}闭环生产中，非闭环内人员不得进出"


def _loop_source(plan: LoopPlan) -> str:
    return f"continuity.loop:{plan.pk}"


def _officers(enterprise: Enterprise) -> list[int]:
    return list(
        Membership.objects.filter(enterprise=enterprise, role__in=ENTERPRISE_EDITORS)
        .values_list("user_id", flat=True)
        .distinct()
    )


def _park_admins(park: Jurisdiction) -> list[int]:
    return list(
        Membership.objects.filter(jurisdiction=park, role__in=PARK_EDITORS)
        .values_list("user_id", flat=True)
        .distinct()
    )


def _count(value: object, field: str, errors: dict[str, str], high: int = COUNT_MAX) -> int:
    try:
        number_ = int(str(value).strip()) if not isinstance(value, bool) else -1
    except ValueError:
        number_ = -1
    if not 0 <= number_ <= high:
        errors[field] = COUNT_INVALID.format(high=high)
        return 0
    return number_


def _active_people(enterprise: Enterprise) -> Any:
    return Person.objects.filter(enterprise=enterprise).exclude(status=EmploymentStatus.LEFT)


# --- closed loop --------------------------------------------------------------------------
@transaction.atomic
def closed_loop_start(
    *,
    scope: Scope,
    enterprise: Enterprise,
    reason: str,
    person_ids: Iterable[int] | None = None,
    incident: Incident | None = None,
    at: dt.datetime,
    by: User | None,
) -> LoopPlan:
    """Switch the enterprise's closed-loop plan on (Z-5.0). Inside: `person_ids`, or else every
    active person with a dormitory and a workshop on file; everyone else is held at the gate."""
    require(scope, "manage_closed_loop", enterprise)
    enterprise = Enterprise.objects.select_for_update().get(pk=enterprise.pk)
    errors: dict[str, str] = {}
    reason = (reason or "").strip()
    if not reason:
        errors["reason"] = LOOP_REASON_REQUIRED
    running = LoopPlan.objects.filter(enterprise=enterprise, ended_at__isnull=True).first()
    if running is not None:
        since = timezone.localtime(running.started_at).strftime("%Y-%m-%d %H:%M")
        errors["enterprise"] = LOOP_ALREADY_ACTIVE.format(since=since)
    if incident is not None and incident.enterprise_id != enterprise.pk:
        errors["incident"] = INCIDENT_FOREIGN
    people = _active_people(enterprise)
    if person_ids is None:
        inside = list(people.exclude(dormitory="").exclude(workshop=""))
    else:
        wanted = set(person_ids)
        inside = list(people.filter(pk__in=wanted))
        if len(inside) != len(wanted):
            errors["person_ids"] = MEMBER_FOREIGN.format(count=len(wanted) - len(inside))
        else:
            missing = [p for p in inside if not p.dormitory or not p.workshop]
            if missing:
                errors["person_ids"] = MEMBER_NO_ROUTE.format(count=len(missing))
    if not inside and "person_ids" not in errors:
        errors["person_ids"] = LOOP_EMPTY
    if errors:
        raise ValidationError(errors)
    park = enterprise.jurisdiction
    on = timezone.localdate(at)
    citation = requirement_citation(park=park, on=on, requirement="Z-5.0")
    gates = list(Gate.objects.filter(enterprise=enterprise, active=True).order_by("pk"))
    plan = LoopPlan.objects.create(
        enterprise=enterprise,
        reason=reason[:200],
        incident=incident,
        citation=citation,
        started_at=at,
        started_by=by,
    )
    LoopMember.objects.bulk_create(
        [
            LoopMember(
                plan=plan, person=p, dormitory=p.dormitory, workshop=p.workshop, joined_at=at
            )
            for p in inside
        ]
    )
    # The gates: each enforces the route of the people inside. A gate with no route of its
    # own is given the loop's dormitories and workshops (it is then on everyone's route);
    # what each gate was is kept on the plan so switching off restores it.
    route = sorted({p.dormitory for p in inside} | {p.workshop for p in inside})
    before = []
    for gate in gates:
        before.append(
            {
                "gate_id": gate.pk,
                "route_areas": list(gate.route_areas),
                "closed_loop": gate.closed_loop,
            }
        )
        gate_update(
            scope=scope,
            gate=gate,
            route_areas=gate.route_areas or route,
            closed_loop=True,
            active=gate.active,
            at=at,
            by=by,
        )
    plan.gates_before = before
    plan.save(update_fields=["gates_before"])
    outside = list(people.exclude(pk__in=[p.pk for p in inside]).values_list("pk", flat=True))
    status_hold_open(
        person_ids=outside,
        kind=HoldKind.CLOSED_LOOP,
        reason=LOOP_HOLD_REASON.format(enterprise=enterprise.name),
        citation=citation,
        source=_loop_source(plan),
        at=at,
    )
    audit_record(
        actor=by,
        action="continuity.loop.start",
        at=at,
        target=plan,
        enterprise_id=enterprise.pk,
        jurisdiction_id=park.pk,
        reason=reason,
        detail={"inside": len(inside), "outside": len(outside), "gates": len(gates)},
    )
    notify_send(
        user_ids=[*_officers(enterprise), *_park_admins(park)],
        enterprise=enterprise,
        jurisdiction=park,
        kind=Kind.CLOSED_LOOP,
        title=f"{enterprise.name} 启动闭环生产",
        body=f"原因：{reason}。闭环内 {len(inside)} 人，闭环外人员不得进出。",
        link=reverse("continuity_loop", args=[enterprise.pk]),
        at=at,
    )
    return plan


def _locked_active(plan: LoopPlan) -> LoopPlan:
    plan = LoopPlan.objects.select_for_update().select_related("enterprise").get(pk=plan.pk)
    if plan.ended_at is not None:
        at = timezone.localtime(plan.ended_at).strftime("%Y-%m-%d %H:%M")
        raise ValidationError({"plan": LOOP_NOT_ACTIVE.format(at=at)})
    return plan


@transaction.atomic
def closed_loop_end(
    *, scope: Scope, plan: LoopPlan, reason: str, at: dt.datetime, by: User | None
) -> LoopPlan:
    """Switch the closed loop off: holds cleared, gates restored, the members' stay closed."""
    require(scope, "manage_closed_loop", plan)
    plan = _locked_active(plan)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": LOOP_END_REASON_REQUIRED})
    enterprise = plan.enterprise
    held = _active_people(enterprise).values_list("pk", flat=True)
    status_hold_clear(
        person_ids=list(held), kind=HoldKind.CLOSED_LOOP, source=_loop_source(plan), by=by, at=at
    )
    gates = {g.pk: g for g in Gate.objects.filter(pk__in=[b["gate_id"] for b in plan.gates_before])}
    for was in plan.gates_before:
        gate = gates.get(was["gate_id"])
        if gate is not None:
            gate_update(
                scope=scope,
                gate=gate,
                route_areas=was["route_areas"],
                closed_loop=was["closed_loop"],
                active=gate.active,
                at=at,
                by=by,
            )
    plan.members.filter(left_at__isnull=True).update(left_at=at)
    plan.ended_at, plan.ended_by, plan.end_reason = at, by, reason[:200]
    plan.save(update_fields=["ended_at", "ended_by", "end_reason"])
    audit_record(
        actor=by,
        action="continuity.loop.end",
        at=at,
        target=plan,
        enterprise_id=enterprise.pk,
        jurisdiction_id=enterprise.jurisdiction_id,
        reason=reason,
    )
    notify_send(
        user_ids=[*_officers(enterprise), *_park_admins(enterprise.jurisdiction)],
        enterprise=enterprise,
        jurisdiction=enterprise.jurisdiction,
        kind=Kind.CLOSED_LOOP,
        title=f"{enterprise.name} 解除闭环生产",
        body=f"原因：{reason}。",
        link=reverse("continuity_loop", args=[enterprise.pk]),
        at=at,
    )
    return plan


@transaction.atomic
def loop_member_add(
    *, scope: Scope, plan: LoopPlan, person: Person, at: dt.datetime, by: User | None
) -> LoopMember:
    """Bring a person inside the running loop: their gate hold is cleared."""
    require(scope, "manage_closed_loop", plan)
    plan = _locked_active(plan)
    if person.enterprise_id != plan.enterprise_id or person.status == EmploymentStatus.LEFT:
        raise ValidationError({"person": STAFF_FOREIGN})
    if not person.dormitory or not person.workshop:
        raise ValidationError({"person": MEMBER_NO_ROUTE.format(count=1)})
    if plan.members.filter(person=person, left_at__isnull=True).exists():
        raise ValidationError({"person": MEMBER_ALREADY})
    member = LoopMember.objects.create(
        plan=plan, person=person, dormitory=person.dormitory, workshop=person.workshop, joined_at=at
    )
    status_hold_clear(
        person_ids=[person.pk], kind=HoldKind.CLOSED_LOOP, source=_loop_source(plan), by=by, at=at
    )
    audit_record(
        actor=by,
        action="continuity.loop.member_add",
        at=at,
        target=person,
        enterprise_id=plan.enterprise_id,
        detail={"plan": plan.pk},
    )
    return member


@transaction.atomic
def loop_member_remove(
    *, scope: Scope, member: LoopMember, at: dt.datetime, by: User | None
) -> LoopMember:
    """Take a person out of the running loop: they are held at the gate like anyone outside."""
    require(scope, "manage_closed_loop", member)
    plan = _locked_active(member.plan)
    member = LoopMember.objects.select_for_update().select_related("person").get(pk=member.pk)
    if member.left_at is not None:
        raise ValidationError({"member": MEMBER_LEFT})
    member.left_at = at
    member.save(update_fields=["left_at"])
    status_hold_open(
        person_ids=[member.person_id],
        kind=HoldKind.CLOSED_LOOP,
        reason=LOOP_HOLD_REASON.format(enterprise=plan.enterprise.name),
        citation=plan.citation,
        source=_loop_source(plan),
        at=at,
    )
    audit_record(
        actor=by,
        action="continuity.loop.member_remove",
        at=at,
        target=member.person,
        enterprise_id=plan.enterprise_id,
        detail={"plan": plan.pk},
    )
    return member


@transaction.atomic
def loop_day_record(
    *,
    scope: Scope,
    plan: LoopPlan,
    on: dt.date | None,
    meals_served: object,
    beds_provided: object,
    medical_requests: object,
    medical_met: object,
    note: str = "",
    at: dt.datetime,
    by: User | None,
) -> LoopDay:
    """The day's meals, lodging and medical needs of the people inside (Z-5.3f); a second
    record of the same day corrects the first. Meals needed = people inside × the pack's
    meals per day; everyone inside lodges on site."""
    require(scope, "manage_closed_loop", plan)
    plan = _locked_active(plan)
    errors: dict[str, str] = {}
    if on is None:
        errors["on"] = DATE_REQUIRED
    elif on > timezone.localdate(at):
        errors["on"] = DAY_FUTURE
    elif on < timezone.localdate(plan.started_at):
        errors["on"] = DAY_BEFORE_LOOP.format(since=timezone.localdate(plan.started_at))
    served = _count(meals_served, "meals_served", errors)
    beds = _count(beds_provided, "beds_provided", errors)
    requests = _count(medical_requests, "medical_requests", errors)
    met = _count(medical_met, "medical_met", errors)
    if "medical_met" not in errors and "medical_requests" not in errors and met > requests:
        errors["medical_met"] = MET_EXCEEDS
    if errors:
        raise ValidationError(errors)
    assert on is not None
    park = plan.enterprise.jurisdiction
    meals = number(park=park, on=on, name=MEALS_PER_DAY)
    headcount = plan.members.filter(left_at__isnull=True).count()
    day, _ = LoopDay.objects.update_or_create(
        plan=plan,
        on=on,
        defaults={
            "headcount": headcount,
            "meals_needed": headcount * meals.value if meals else served,
            "meals_served": served,
            "beds_needed": headcount,
            "beds_provided": beds,
            "medical_requests": requests,
            "medical_met": met,
            "note": (note or "").strip()[:200],
            "citation": meals.citation if meals else {},
            "recorded_at": at,
            "recorded_by": by,
        },
    )
    audit_record(
        actor=by,
        action="continuity.loop.day",
        at=at,
        target=day,
        enterprise_id=plan.enterprise_id,
        detail={"on": on.isoformat(), "short": day.short},
    )
    return day


# --- key posts, backups and the rota -----------------------------------------------------
@transaction.atomic
def key_post_create(
    *, scope: Scope, enterprise: Enterprise, name: str, kind: str, minimum: object, at: dt.datetime
) -> KeyPost:
    """A key post or key process and the fewest people it runs with (Z-5.2d, J-2.5)."""
    require(scope, "manage_key_posts", enterprise)
    errors: dict[str, str] = {}
    name = (name or "").strip()
    if not name:
        errors["name"] = POST_NAME_REQUIRED
    elif KeyPost.objects.filter(enterprise=enterprise, name=name).exists():
        errors["name"] = POST_NAME_TAKEN
    if kind not in PostKind.values:
        errors["kind"] = POST_KIND_UNKNOWN
    low: dict[str, str] = {}
    count = _count(minimum, "minimum", low, POST_MINIMUM_MAX)
    if low or count < 1:
        errors["minimum"] = POST_MINIMUM_INVALID.format(high=POST_MINIMUM_MAX)
    if errors:
        raise ValidationError(errors)
    return KeyPost.objects.create(
        enterprise=enterprise, name=name[:60], kind=kind, minimum=count, created_at=at
    )


@transaction.atomic
def post_staff_add(*, scope: Scope, post: KeyPost, person: Person | None, role: str) -> PostStaff:
    """Name a person to the post, on duty or as a named backup."""
    require(scope, "manage_key_posts", post)
    errors: dict[str, str] = {}
    if role not in PostRole.values:
        errors["role"] = ROLE_UNKNOWN
    if (
        person is None
        or person.enterprise_id != post.enterprise_id
        or person.status == EmploymentStatus.LEFT
    ):
        errors["person"] = STAFF_FOREIGN
    elif PostStaff.objects.filter(post=post, person=person).exists():
        errors["person"] = STAFF_TAKEN
    if errors:
        raise ValidationError(errors)
    assert person is not None
    return PostStaff.objects.create(post=post, person=person, role=role)


@transaction.atomic
def rota_shift_add(
    *, scope: Scope, post: KeyPost, person: Person | None, on: dt.date | None, shift: str
) -> RotaShift:
    """Roster one of the post's people for a shift of a day (idempotent)."""
    require(scope, "manage_key_posts", post)
    errors: dict[str, str] = {}
    if person is None or not PostStaff.objects.filter(post=post, person=person).exists():
        errors["person"] = ROTA_NOT_STAFF
    if on is None:
        errors["on"] = DATE_REQUIRED
    shift = (shift or "").strip()
    if not shift:
        errors["shift"] = SHIFT_REQUIRED
    if errors:
        raise ValidationError(errors)
    assert on is not None and person is not None
    row, _ = RotaShift.objects.get_or_create(post=post, person=person, on=on, shift=shift[:20])
    return row


@transaction.atomic
def leave_record(
    *,
    scope: Scope,
    enterprise: Enterprise,
    person: Person | None,
    starts_on: dt.date | None,
    ends_on: dt.date | None,
    reason: str,
    at: dt.datetime,
) -> Leave:
    """Planned leave (轮休, 请假) of one of the enterprise's people: counted as away."""
    require(scope, "manage_key_posts", enterprise)
    errors: dict[str, str] = {}
    if person is None or person.enterprise_id != enterprise.pk:
        errors["person"] = STAFF_FOREIGN
    if starts_on is None:
        errors["starts_on"] = DATE_REQUIRED
    if ends_on is None:
        errors["ends_on"] = DATE_REQUIRED
    if starts_on and ends_on and ends_on < starts_on:
        errors["ends_on"] = LEAVE_ORDER
    reason = (reason or "").strip()
    if not reason:
        errors["reason"] = LEAVE_REASON_REQUIRED
    if errors:
        raise ValidationError(errors)
    assert starts_on is not None and ends_on is not None and person is not None
    return Leave.objects.create(
        person=person, starts_on=starts_on, ends_on=ends_on, reason=reason[:100], recorded_at=at
    )


# --- utilities and faults ----------------------------------------------------------------
@transaction.atomic
def fault_report(
    *,
    scope: Scope,
    park: Jurisdiction,
    enterprise: Enterprise | None,
    utility: str,
    location: str,
    description: str,
    at: dt.datetime,
    by: User | None,
) -> UtilityFault:
    """A water, power or gas fault reported (L-2.3); due for repair within the pack's hours."""
    require(scope, "report_fault", enterprise if enterprise is not None else park)
    errors: dict[str, str] = {}
    if enterprise is not None and enterprise.jurisdiction_id != park.pk:
        errors["enterprise"] = ENTERPRISE_OTHER_PARK
    if utility not in Utility.values:
        errors["utility"] = UTILITY_UNKNOWN
    location, description = (location or "").strip(), (description or "").strip()
    if not location:
        errors["location"] = LOCATION_REQUIRED
    if not description:
        errors["description"] = DESCRIPTION_REQUIRED
    if errors:
        raise ValidationError(errors)
    hours = number(park=park, on=timezone.localdate(at), name=REPAIR_HOURS)
    fault = UtilityFault.objects.create(
        park=park,
        enterprise=enterprise,
        utility=utility,
        location=location[:100],
        description=description[:300],
        reported_at=at,
        reported_by=by,
        due_at=at + dt.timedelta(hours=hours.value) if hours else None,
        citation=hours.citation if hours else {},
    )
    where = enterprise.name if enterprise is not None else park.name
    due = (
        f"，应于 {timezone.localtime(fault.due_at):%m-%d %H:%M} 前修复（{hours.basis}）"
        if hours and fault.due_at
        else ""
    )
    notify_send(
        user_ids=_park_admins(park),
        jurisdiction=park,
        kind=Kind.UTILITY_FAULT,
        title=f"{fault.get_utility_display()}故障：{where}",
        body=f"{location}：{description}{due}。",
        link=reverse("continuity_faults", args=[park.pk]),
        at=at,
    )
    return fault


@transaction.atomic
def fault_assign(
    *, scope: Scope, fault: UtilityFault, assignee: str, at: dt.datetime, by: User | None
) -> UtilityFault:
    """The park sends a repair team."""
    require(scope, "repair_faults", fault)
    fault = UtilityFault.objects.select_for_update().get(pk=fault.pk)
    if fault.state != FaultState.REPORTED:
        raise ValidationError({"fault": FAULT_NOT_REPORTED.format(state=fault.get_state_display())})
    assignee = (assignee or "").strip()
    if not assignee:
        raise ValidationError({"assignee": ASSIGNEE_REQUIRED})
    fault.state, fault.assignee, fault.assigned_at, fault.assigned_by = (
        FaultState.ASSIGNED,
        assignee[:100],
        at,
        by,
    )
    fault.save(update_fields=["state", "assignee", "assigned_at", "assigned_by"])
    return fault


@transaction.atomic
def fault_repair(
    *, scope: Scope, fault: UtilityFault, note: str, at: dt.datetime, by: User | None
) -> UtilityFault:
    """The fault is repaired: its time from report to repair is kept; the reporter is told."""
    require(scope, "repair_faults", fault)
    fault = (
        UtilityFault.objects.select_for_update(of=("self",))
        .select_related("enterprise", "park")
        .get(pk=fault.pk)
    )
    if fault.state == FaultState.REPAIRED:
        assert fault.repaired_at is not None
        when = timezone.localtime(fault.repaired_at).strftime("%Y-%m-%d %H:%M")
        raise ValidationError({"fault": FAULT_REPAIRED.format(at=when)})
    if fault.state != FaultState.ASSIGNED:
        raise ValidationError({"fault": FAULT_NOT_ASSIGNED})
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": REPAIR_NOTE_REQUIRED})
    fault.state, fault.repaired_at, fault.repaired_by, fault.repair_note = (
        FaultState.REPAIRED,
        at,
        by,
        note[:200],
    )
    fault.save(update_fields=["state", "repaired_at", "repaired_by", "repair_note"])
    recipients = [fault.reported_by_id] if fault.reported_by_id else []
    if fault.enterprise is not None:
        recipients += _officers(fault.enterprise)
    notify_send(
        user_ids=recipients,
        enterprise=fault.enterprise,
        kind=Kind.UTILITY_FAULT,
        title=f"{fault.get_utility_display()}故障已修复：{fault.location}",
        body=f"{note}（报修后 {fault.minutes_to_repair()} 分钟修复）",
        link=reverse("continuity_faults", args=[fault.park_id]),
        at=at,
    )
    return fault
