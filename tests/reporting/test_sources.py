"""The daily report and the command board read lockdowns and closed loops from the apps that
hold them (settings.REPORT_CONTRIBUTORS): A2 locked down by the command (L-3.0), A1 in
closed-loop production (Z-5.0), both named in the report's rows and coloured on the board."""

from __future__ import annotations

import datetime as dt

import pytest

from parkguard.command.reporting import lockdowns
from parkguard.command.services import checkpoint_report, lockdown_lift
from parkguard.continuity.models import LoopPlan
from parkguard.continuity.reporting import closed_loops
from parkguard.continuity.services import closed_loop_end, closed_loop_start
from parkguard.orgs.access import scope_for_user
from parkguard.people.models import Person
from parkguard.reporting import services
from parkguard.reporting.choices import BoardStatus
from tests.command.conftest import CommandWorld, on_roster, order
from tests.command.conftest import build as command_world
from tests.factories import World, adopt
from tests.reporting.conftest import AT, ON

pytestmark = pytest.mark.django_db


def _setup(world: World) -> CommandWorld:
    """Park A follows the command and continuity packs; A1's person lives in a dormitory and
    works in the workshop, so a closed loop has someone inside."""
    cw = command_world(world)
    adopt(world.park_a, "zhengyang-2022-20-continuity")
    Person.objects.filter(pk=world.a1_person.pk).update(dormitory="一号宿舍")
    return cw


def _loop_on(world: World, at: dt.datetime) -> LoopPlan:
    officer = world.users["a1_officer"]
    scope = scope_for_user(officer)
    return closed_loop_start(scope=scope, enterprise=world.a1, reason="闭环", at=at, by=officer)


def test_it_reports_a_lockdown_and_a_closed_loop_from_their_apps(a1_day: World) -> None:
    cw = _setup(a1_day)
    admin = a1_day.users["park_a_admin"]
    placed = order(cw, at=AT - dt.timedelta(minutes=20), area_ids=[], enterprise_ids=[a1_day.a2.pk])
    _loop_on(a1_day, AT - dt.timedelta(hours=1))
    report = services.daily_report_prepare(
        scope=scope_for_user(admin), unit=a1_day.park_a, on=ON, at=AT, by=admin
    )
    a1 = report.rows.get(enterprise=a1_day.a1)
    a2 = report.rows.get(enterprise=a1_day.a2)
    assert a2.status == BoardStatus.LOCKDOWN and not a2.production_normal
    assert a2.notes[0]["source"] == "封控" and "卡点 1 个" in a2.notes[0]["text"]
    # The closed loop ranks below A1's open incident on the board, but is named in the row.
    assert a1.status == BoardStatus.INCIDENT
    assert any(n["source"] == "闭环生产" for n in a1.notes)

    # The timers are the order's own deadlines, done once the checkpoint reports.
    a2_id = a1_day.a2.pk
    timers = lockdowns(enterprise_ids=[a2_id], on=ON, at=AT)[a2_id].timers
    assert [t.due_at for t in timers] == [placed.staff_due_at, placed.close_due_at]
    assert all(t.done_at is None for t in timers)
    checkpoint = placed.checkpoints.get()
    on_roster(cw, checkpoint, cw.cadre, at=AT)
    checkpoint_report(
        scope=scope_for_user(cw.cadre), checkpoint=checkpoint, what="staffed", by=cw.cadre, at=AT
    )
    staffed, closed = lockdowns(enterprise_ids=[a2_id], on=ON, at=AT)[a2_id].timers
    assert staffed.done_at == AT and closed.done_at is None


def test_a_lifted_lockdown_and_an_ended_loop_drop_out(a1_day: World) -> None:
    cw = _setup(a1_day)
    officer = a1_day.users["a1_officer"]
    start, end = AT - dt.timedelta(hours=3), AT - dt.timedelta(hours=1)
    placed = order(cw, at=start, area_ids=[], enterprise_ids=[a1_day.a2.pk])
    plan = _loop_on(a1_day, start)
    lockdown_lift(scope=scope_for_user(cw.admin), order=placed, reason="解除", at=end, by=cw.admin)
    closed_loop_end(scope=scope_for_user(officer), plan=plan, reason="解除", at=end, by=officer)
    ids = [a1_day.a1.pk, a1_day.a2.pk]
    assert lockdowns(enterprise_ids=ids, on=ON, at=AT) == {}
    assert closed_loops(enterprise_ids=ids, on=ON, at=AT) == {}
    # Earlier in the day, both were in force.
    earlier = AT - dt.timedelta(hours=2)
    assert set(lockdowns(enterprise_ids=ids, on=ON, at=earlier)) == {a1_day.a2.pk}
    assert set(closed_loops(enterprise_ids=ids, on=ON, at=earlier)) == {a1_day.a1.pk}
