"""Closed-loop production (Z-5.0, Z-5.2d, Z-5.3f): switched on and off, the people inside
with their route, the gate holding everyone outside, the day's living support."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from parkguard.audit.models import AuditEvent
from parkguard.continuity import services
from parkguard.continuity.models import LoopDay, LoopMember, LoopPlan
from parkguard.continuity.selectors import closed_loop_active
from parkguard.gate import services as gate_services
from parkguard.gate import tokens
from parkguard.gate.models import Gate
from parkguard.notify.choices import Kind
from parkguard.notify.models import Message
from parkguard.orgs.access import scope_for_user
from parkguard.people.models import Person
from parkguard.policy.entry import HOLD_OPEN
from parkguard.status.choices import HoldKind
from parkguard.status.models import PersonStatus, StatusHold
from tests.continuity.conftest import AT, STEPS
from tests.factories import World, make_person

pytestmark = pytest.mark.django_db


def officer(w: World) -> tuple:
    user = w.users["a1_officer"]
    return scope_for_user(user), user


def start(w: World, **kw: object) -> LoopPlan:
    scope, user = officer(w)
    args: dict[str, object] = {
        "scope": scope,
        "enterprise": w.a1,
        "reason": "园区发现阳性病例",
        "at": AT,
        "by": user,
    }
    args.update(kw)
    return services.closed_loop_start(**args)  # type: ignore[arg-type]


def check(w: World, gate: Gate, person: Person, at: dt.datetime = AT) -> gate_services.CheckAnswer:
    guard = w.users["a1_guard"]
    return gate_services.gate_check(
        scope=scope_for_user(guard),
        gate=gate,
        direction="in",
        code=tokens.phone_token(person_id=person.pk, at=at),
        temperature="36.6",
        code_colour="green",
        steps_done=STEPS,
        at=at,
        by=guard,
    )


def test_z_5_0_switching_on_lists_the_people_inside_and_holds_the_rest(
    cw: World, gate: Gate
) -> None:
    plan = start(cw)
    [member] = LoopMember.objects.filter(plan=plan)
    assert (member.person, member.dormitory, member.workshop) == (
        cw.a1_person,
        "一号宿舍",
        "一车间",
    )
    outside = StatusHold.objects.get(person=cw.a1_employee_person, cleared_at__isnull=True)
    assert outside.kind == HoldKind.CLOSED_LOOP and outside.source == f"continuity.loop:{plan.pk}"
    assert outside.citation["requirement"] == "Z-5.0"
    assert not StatusHold.objects.filter(person=cw.a1_person).exists()
    gate.refresh_from_db()
    assert gate.closed_loop and gate.route_areas == ["一号宿舍", "一车间"]
    assert closed_loop_active(enterprise_ids=[cw.a1.pk, cw.a2.pk]) == {cw.a1.pk: plan}
    assert AuditEvent.objects.filter(action="continuity.loop.start").count() == 1
    assert Message.objects.filter(user=cw.users["a1_officer"], kind=Kind.CLOSED_LOOP).exists()


def test_z_5_2d_the_gate_lets_the_inside_through_and_refuses_the_outside(
    cw: World, gate: Gate
) -> None:
    assert check(cw, gate, cw.a1_employee_person).allowed
    start(cw)
    later = AT + dt.timedelta(minutes=1)
    refused = check(cw, gate, cw.a1_employee_person, later)
    assert not refused.allowed
    texts = [r["text"] for r in refused.reasons]
    reason = services.LOOP_HOLD_REASON.format(enterprise=cw.a1.name)
    assert HOLD_OPEN.format(label=HoldKind.CLOSED_LOOP.label, reason=reason) in texts
    assert check(cw, gate, cw.a1_person, later).allowed


def test_switching_off_clears_the_holds_and_restores_the_gates(cw: World, gate: Gate) -> None:
    plan = start(cw)
    scope, user = officer(cw)
    services.closed_loop_end(
        scope=scope, plan=plan, reason="疫情解除", at=AT + dt.timedelta(days=3), by=user
    )
    plan.refresh_from_db()
    gate.refresh_from_db()
    assert plan.ended_at is not None and plan.end_reason == "疫情解除" and plan.ended_by == user
    assert not gate.closed_loop and gate.route_areas == []
    assert not PersonStatus.objects.get(pk=cw.a1_employee_person.pk).on_hold
    assert not LoopMember.objects.filter(plan=plan, left_at__isnull=True).exists()
    assert closed_loop_active(enterprise_ids=[cw.a1.pk]) == {}
    assert AuditEvent.objects.filter(action="continuity.loop.end").count() == 1
    with pytest.raises(ValidationError) as exc:
        services.closed_loop_end(scope=scope, plan=plan, reason="再次", at=AT, by=user)
    assert "已于" in exc.value.message_dict["plan"][0]


def test_members_join_and_leave_the_loop(cw: World, gate: Gate) -> None:
    plan = start(cw)
    scope, user = officer(cw)
    employee = cw.a1_employee_person
    with pytest.raises(ValidationError) as exc:
        services.loop_member_add(scope=scope, plan=plan, person=employee, at=AT, by=user)
    assert exc.value.message_dict["person"] == [services.MEMBER_NO_ROUTE.format(count=1)]
    Person.objects.filter(pk=employee.pk).update(dormitory="二号宿舍", workshop="一车间")
    employee.refresh_from_db()
    services.loop_member_add(scope=scope, plan=plan, person=employee, at=AT, by=user)
    assert not PersonStatus.objects.get(pk=employee.pk).on_hold
    member = LoopMember.objects.get(plan=plan, person=cw.a1_person)
    services.loop_member_remove(scope=scope, member=member, at=AT, by=user)
    member.refresh_from_db()
    assert member.left_at == AT
    assert PersonStatus.objects.get(pk=cw.a1_person.pk).on_hold


@pytest.mark.parametrize(
    ("kw", "field", "message"),
    [
        ({"reason": "  "}, "reason", services.LOOP_REASON_REQUIRED),
        ({"person_ids": [10**9]}, "person_ids", services.MEMBER_FOREIGN.format(count=1)),
    ],
)
def test_bad_input_changes_nothing(
    cw: World, gate: Gate, kw: dict, field: str, message: str
) -> None:
    with pytest.raises(ValidationError) as exc:
        start(cw, **kw)
    assert exc.value.message_dict[field] == [message]
    assert not LoopPlan.objects.exists() and not StatusHold.objects.exists()
    gate.refresh_from_db()
    assert not gate.closed_loop


def test_nobody_inside_is_refused(cw: World) -> None:
    Person.objects.filter(pk=cw.a1_person.pk).update(dormitory="")
    with pytest.raises(ValidationError) as exc:
        start(cw)
    assert exc.value.message_dict["person_ids"] == [services.LOOP_EMPTY]


def test_a_second_start_and_another_enterprises_people_are_refused(cw: World) -> None:
    start(cw)
    with pytest.raises(ValidationError) as exc:
        start(cw)
    assert "已在闭环生产中" in exc.value.message_dict["enterprise"][0]
    assert LoopPlan.objects.count() == 1
    make_person(cw.a2, "乙员工", 901, dormitory="宿舍", workshop="车间")


def test_outsiders_and_lower_roles_may_not_switch_it_on(cw: World) -> None:
    for persona in ("a2_officer", "a1_leader", "a1_guard", "a1_employee"):
        user = cw.users[persona]
        with pytest.raises(PermissionDenied):
            services.closed_loop_start(
                scope=scope_for_user(user), enterprise=cw.a1, reason="越权", at=AT, by=user
            )
    assert not LoopPlan.objects.exists() and not StatusHold.objects.exists()


def test_z_5_3f_the_days_meals_lodging_and_medical_needs(cw: World) -> None:
    plan = start(cw)
    scope, user = officer(cw)
    day = services.loop_day_record(
        scope=scope,
        plan=plan,
        on=AT.date(),
        meals_served="2",
        beds_provided="1",
        medical_requests="1",
        medical_met="0",
        at=AT,
        by=user,
    )
    day.refresh_from_db()
    # One person inside, three meals a day (the continuity pack's default).
    assert (day.headcount, day.meals_needed, day.beds_needed) == (1, 3, 1)
    assert day.short and day.citation["pack_id"] == "zhengyang-2022-20-continuity"
    with pytest.raises(ValidationError) as exc:
        services.loop_day_record(
            scope=scope,
            plan=plan,
            on=AT.date() + dt.timedelta(days=1),
            meals_served="-1",
            beds_provided="x",
            medical_requests="1",
            medical_met="2",
            at=AT,
            by=user,
        )
    errors = exc.value.message_dict
    assert errors["on"] == [services.DAY_FUTURE]
    assert errors["meals_served"] == [services.COUNT_INVALID.format(high=services.COUNT_MAX)]
    assert errors["medical_met"] == [services.MET_EXCEEDS]
    day.refresh_from_db()
    assert day.meals_served == 2 and LoopDay.objects.count() == 1
