"""Lockdown orders with their deadlines, checkpoint reports, passes at the gate, lifting
(L-3.0, L-3.1)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from parkguard.audit.models import AuditEvent
from parkguard.command import services
from parkguard.command.models import Checkpoint, DeadlineMiss, LockdownOrder, LockdownPass
from parkguard.gate import services as gate_services
from parkguard.gate import tokens
from parkguard.gate.choices import Refusal
from parkguard.notify.choices import Kind
from parkguard.notify.models import Message
from parkguard.orgs.access import scope_for_user
from parkguard.status.choices import HoldKind
from parkguard.status.models import PersonStatus, StatusHold
from tests.command.conftest import AT, C_PACK, CommandWorld, on_roster, order
from tests.gate.conftest import STEPS, GateWorld

pytestmark = pytest.mark.django_db


def _held(person_id: int) -> bool:
    return StatusHold.objects.filter(
        person_id=person_id, kind=HoldKind.LOCKDOWN, cleared_at__isnull=True
    ).exists()


def test_l_3_0_an_order_runs_the_packs_deadlines_one_checkpoint_per_area(
    cw: CommandWorld,
) -> None:
    o = order(cw)
    o.refresh_from_db()
    assert o.staff_due_at == AT + dt.timedelta(minutes=30)
    assert o.close_due_at == AT + dt.timedelta(minutes=60)
    assert o.citation["staffed"]["pack_id"] == C_PACK
    assert o.citation["staffed"]["requirement"] == "L-3.0"
    checkpoints = list(o.checkpoints.order_by("pk"))
    # One entrance per controlled area: A2 whole, A1's workshop.
    assert [(c.enterprise_id, c.area_id) for c in checkpoints] == [
        (cw.world.a2.pk, None),
        (cw.world.a1.pk, cw.area.pk),
    ]
    assert {t.kind: t.leader for t in o.teams.all()} == {
        "policy": "张政策",
        "requests": "李诉求",
        "living": "王保障",
    }
    # Everyone inside is held: A1's workshop worker and A2's staff; not A1's other person.
    assert _held(cw.world.a1_person.pk) and _held(cw.world.a2_person.pk)
    assert not _held(cw.world.a1_employee_person.pk)
    event = AuditEvent.objects.get(action="command.lockdown.order")
    assert event.actor == cw.admin and event.jurisdiction_id_ref == cw.world.park_a.pk
    assert Message.objects.filter(kind=Kind.LOCKDOWN, user=cw.cadre).exists()


def test_l_3_0_an_order_without_areas_or_enterprises_is_refused(cw: CommandWorld) -> None:
    with pytest.raises(ValidationError) as refused:
        order(cw, area_ids=[], enterprise_ids=[])
    assert refused.value.message_dict["targets"] == [services.NO_TARGETS]
    assert not LockdownOrder.objects.exists() and not StatusHold.objects.exists()


def test_an_order_outside_the_commands_jurisdiction_is_refused(cw: CommandWorld) -> None:
    with pytest.raises(ValidationError) as refused:
        order(cw, area_ids=[], enterprise_ids=[cw.world.b1.pk])
    assert refused.value.message_dict["targets"] == [services.TARGET_OUTSIDE]
    assert not LockdownOrder.objects.exists()


def test_an_order_needs_a_pack_with_the_deadlines(cw: CommandWorld) -> None:
    with pytest.raises(ValidationError) as refused:
        order(
            cw,
            jurisdiction=cw.world.park_b,
            scope=scope_for_user(cw.world.users["park_b_admin"]),
            area_ids=[],
            enterprise_ids=[cw.world.b1.pk],
        )
    assert services.NO_DEADLINE_RULE in refused.value.messages
    assert not LockdownOrder.objects.exists()


def test_only_the_command_orders(cw: CommandWorld) -> None:
    with pytest.raises(PermissionDenied):
        order(cw, scope=scope_for_user(cw.cadre), by=cw.cadre)
    with pytest.raises(PermissionDenied):
        order(cw, scope=scope_for_user(cw.world.users["a1_officer"]))
    assert not LockdownOrder.objects.exists()


def test_a_county_command_orders_for_its_parks(cw: CommandWorld) -> None:
    from tests.factories import adopt

    adopt(cw.world.county, C_PACK)
    o = order(
        cw, scope=scope_for_user(cw.county_admin), jurisdiction=cw.world.county, by=cw.county_admin
    )
    assert o.jurisdiction == cw.world.county and o.checkpoints.count() == 2


def test_l_3_0_checkpoint_reports_arrival_then_closure_and_the_order_completes(
    cw: CommandWorld,
) -> None:
    o = order(cw)
    first, second = o.checkpoints.order_by("pk")
    scope = scope_for_user(cw.cadre)
    on_roster(cw, first, cw.cadre)
    on_roster(cw, second, cw.admin)
    admin = scope_for_user(cw.admin)
    with pytest.raises(ValidationError) as refused:
        services.checkpoint_report(
            scope=scope,
            checkpoint=first,
            what="closed",
            by=cw.cadre,
            at=AT + dt.timedelta(minutes=5),
        )
    assert services.NOT_STAFFED_YET in refused.value.messages
    services.checkpoint_report(
        scope=scope, checkpoint=first, what="staffed", by=cw.cadre, at=AT + dt.timedelta(minutes=20)
    )
    services.checkpoint_report(
        scope=scope, checkpoint=first, what="closed", by=cw.cadre, at=AT + dt.timedelta(minutes=50)
    )
    # The second checkpoint is late on both deadlines: each miss recorded.
    services.checkpoint_report(
        scope=admin,
        checkpoint=second,
        what="staffed",
        by=cw.admin,
        at=AT + dt.timedelta(minutes=40),
    )
    o.refresh_from_db()
    assert o.closed_at is None
    services.checkpoint_report(
        scope=admin, checkpoint=second, what="closed", by=cw.admin, at=AT + dt.timedelta(minutes=70)
    )
    first.refresh_from_db()
    o.refresh_from_db()
    assert first.staffed_by == cw.cadre and first.closed_at == AT + dt.timedelta(minutes=50)
    assert o.closed_at == AT + dt.timedelta(minutes=70)
    misses = DeadlineMiss.objects.order_by("deadline")
    assert [(m.checkpoint_id, m.deadline) for m in misses] == [
        (second.pk, "closed"),
        (second.pk, "staffed"),
    ]
    assert AuditEvent.objects.filter(action__startswith="command.checkpoint.").count() == 4


def test_l_4_4b_a_report_from_someone_not_on_the_roster_is_refused(cw: CommandWorld) -> None:
    o = order(cw)
    checkpoint = o.checkpoints.first()
    assert checkpoint is not None
    with pytest.raises(ValidationError) as refused:
        services.checkpoint_report(
            scope=scope_for_user(cw.cadre),
            checkpoint=checkpoint,
            what="staffed",
            by=cw.cadre,
            at=AT,
        )
    assert refused.value.message_dict["__all__"] == [services.NOT_ON_ROSTER]
    # A shift that ended before does not count either.
    on_roster(cw, checkpoint, cw.cadre, at=AT - dt.timedelta(hours=9))
    with pytest.raises(ValidationError):
        services.checkpoint_report(
            scope=scope_for_user(cw.cadre),
            checkpoint=checkpoint,
            what="staffed",
            by=cw.cadre,
            at=AT,
        )
    checkpoint.refresh_from_db()
    assert checkpoint.staffed_at is None and not DeadlineMiss.objects.exists()


def test_misses_are_recorded_once_by_the_task_and_the_command_told(cw: CommandWorld) -> None:
    o = order(cw)
    before = Message.objects.filter(kind=Kind.LOCKDOWN).count()
    assert services.lockdown_misses_record(at=AT + dt.timedelta(minutes=10)) == 0
    assert services.lockdown_misses_record(at=AT + dt.timedelta(minutes=31)) == 2
    assert services.lockdown_misses_record(at=AT + dt.timedelta(minutes=61)) == 2
    assert services.lockdown_misses_record(at=AT + dt.timedelta(minutes=90)) == 0
    assert DeadlineMiss.objects.filter(checkpoint__order=o).count() == 4
    assert Message.objects.filter(kind=Kind.LOCKDOWN).count() > before


def _gate(gw: GateWorld, person_id: int, minute: int, code: str = "") -> gate_services.CheckAnswer:
    guard = gw.world.users["a1_guard"]
    at = gate_at() + dt.timedelta(minutes=minute)
    return gate_services.gate_check(
        scope=scope_for_user(guard),
        gate=gw.gate,
        direction="in",
        code=code or tokens.phone_token(person_id=person_id, at=at),
        temperature="36.6",
        code_colour="green",
        steps_done=STEPS,
        at=at,
        by=guard,
    )


def gate_at() -> dt.datetime:
    from tests.gate.conftest import AT as GATE_AT

    return GATE_AT


def test_l_3_1_the_gate_holds_people_inside_and_lets_pass_holders_through(
    gw: GateWorld,
) -> None:
    from tests.command.conftest import build

    cw = build(gw.world)
    person = gw.world.a1_person
    assert _gate(gw, person.pk, 0).allowed
    o = order(cw, at=gate_at())
    answer = _gate(gw, person.pk, 1)
    assert not answer.allowed and answer.refusal == Refusal.DECISION
    assert any(r["text"].startswith("封控区域内") for r in answer.reasons)
    # A printed pass clears the hold; the gate lets them through on their phone or paper.
    issued = services.lockdown_pass_issue(
        scope=scope_for_user(cw.admin),
        order=o,
        person=person,
        kind="printed",
        purpose="保供生产",
        by=cw.admin,
        at=gate_at(),
    )
    assert issued.printed_serial
    assert _gate(gw, person.pk, 2).allowed
    assert _gate(gw, person.pk, 3, code=f"{tokens.PRINTED}.{issued.printed_serial}").allowed
    row = PersonStatus.objects.get(pk=person.pk)
    assert not row.on_hold
    # Revoked: held again.
    services.lockdown_pass_revoke(
        scope=scope_for_user(cw.admin), issued=issued, by=cw.admin, at=gate_at()
    )
    assert not _gate(gw, person.pk, 4).allowed
    # Lifted: everyone through, recorded and audited.
    services.lockdown_lift(
        scope=scope_for_user(cw.admin),
        order=o,
        reason="连续检测阴性，解除封控",
        by=cw.admin,
        at=gate_at() + dt.timedelta(days=3),
    )
    o.refresh_from_db()
    assert o.state == "lifted" and o.lifted_by == cw.admin and o.lift_reason
    assert not _held(person.pk) and not _held(gw.world.a2_person.pk)
    assert AuditEvent.objects.filter(action="command.lockdown.lift").exists()


def test_a_pass_for_someone_outside_the_lockdown_or_twice_is_refused(cw: CommandWorld) -> None:
    o = order(cw)
    scope = scope_for_user(cw.admin)
    with pytest.raises(ValidationError) as refused:
        services.lockdown_pass_issue(
            scope=scope,
            order=o,
            person=cw.world.a1_employee_person,
            kind="electronic",
            purpose="x",
            by=cw.admin,
            at=AT,
        )
    assert refused.value.message_dict["person"] == [services.PERSON_NOT_IN_LOCKDOWN]
    services.lockdown_pass_issue(
        scope=scope,
        order=o,
        person=cw.world.a2_person,
        kind="electronic",
        purpose="送货",
        by=cw.admin,
        at=AT,
    )
    with pytest.raises(ValidationError) as again:
        services.lockdown_pass_issue(
            scope=scope,
            order=o,
            person=cw.world.a2_person,
            kind="electronic",
            purpose="送货",
            by=cw.admin,
            at=AT,
        )
    assert again.value.message_dict["person"] == [services.PASS_EXISTS]
    assert LockdownPass.objects.count() == 1


def test_lifting_needs_a_reason_and_happens_once(cw: CommandWorld) -> None:
    o = order(cw)
    scope = scope_for_user(cw.admin)
    with pytest.raises(ValidationError) as refused:
        services.lockdown_lift(scope=scope, order=o, reason=" ", by=cw.admin, at=AT)
    assert refused.value.message_dict["reason"] == [services.LIFT_REASON_REQUIRED]
    o.refresh_from_db()
    assert o.state == "ordered" and _held(cw.world.a2_person.pk)
    services.lockdown_lift(scope=scope, order=o, reason="解除", by=cw.admin, at=AT)
    with pytest.raises(ValidationError) as twice:
        services.lockdown_lift(scope=scope, order=o, reason="解除", by=cw.admin, at=AT)
    assert twice.value.message_dict["__all__"] == [services.ORDER_LIFTED]
    assert Checkpoint.objects.filter(order=o).count() == 2
