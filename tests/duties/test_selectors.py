"""Due-today and overdue lists, coverage per org unit / enterprise / park, the key-population
test ledger (Z-3.2) and its community scoping, the daily figures (Z-5.2b, J-1.5b)."""

from __future__ import annotations

import datetime as dt

import pytest

from parkguard.duties.choices import ROUTINE, DutyKind
from parkguard.duties.models import DailyFigure, Duty
from parkguard.duties.selectors import (
    OVERDUE,
    TODAY,
    daily_figures,
    duty_list,
    enterprise_coverage,
    key_population_ledger,
)
from parkguard.duties.services import (
    daily_figures_snapshot,
    duties_routine_sync,
    duty_evidence_record,
)
from parkguard.notify.privacy import name_mask
from parkguard.orgs.access import SYSTEM, scope_for_user
from parkguard.people.models import Person
from parkguard.status.services import status_declaration_record, status_hold_open
from tests.factories import J_PACK, World, adopt, make_person

CST = dt.timezone(dt.timedelta(hours=8))


def at(day: int, hour: int = 0) -> dt.datetime:
    return dt.datetime(2022, 11, day, hour, tzinfo=CST)


@pytest.fixture
def scheduled(world: World) -> World:
    """Park A follows J every 7 days from 11-15; on 11-16 one A1 person has tested."""
    adopt(world.park_a, J_PACK, routine_test_interval_days=7)
    duties_routine_sync(at=at(16, 8), write=True)
    duty_evidence_record(
        kind=DutyKind.NUCLEIC_ACID, evidence={world.a1_person.pk: at(16, 9)}, at=at(16, 10)
    )
    return world


def late(world: World, person: Person, due_by: dt.datetime) -> Duty:
    return Duty.objects.create(
        person=person,
        enterprise_id=person.enterprise_id,
        kind=DutyKind.DOCUMENT,
        label="提交返岗证明",
        due_from=due_by - dt.timedelta(days=1),
        due_by=due_by,
        source="mobility.return:5",
        created_at=at(14),
    )


@pytest.mark.django_db
def test_it_counts_coverage_per_unit_and_enterprise_z_5_2b(scheduled: World) -> None:
    w = scheduled
    total, units = enterprise_coverage(scope=SYSTEM, enterprise=w.a1, at=at(16, 12))
    assert (total.due, total.done, total.overdue) == (2, 1, 0)
    assert total.percent == "50%"
    assert dict((name, (c.due, c.done)) for name, c in units) == {
        "甲一生产部": (1, 1),
        "未分配": (1, 0),
    }


@pytest.mark.django_db
def test_it_lists_who_is_due_today_and_who_is_overdue_with_masked_names(
    scheduled: World, django_assert_num_queries: object
) -> None:
    w = scheduled
    late(w, w.a1_employee_person, at(16, 8))  # overdue since 8:00
    officer = scope_for_user(w.users["a1_officer"])
    with django_assert_num_queries(1):  # type: ignore[operator]
        overdue = duty_list(scope=officer, enterprise=w.a1, which=OVERDUE, at=at(16, 12))
    (row,) = overdue.rows
    assert row.person_id == w.a1_employee_person.pk
    assert row.name == name_mask(w.a1_employee_person.name) and "李四" not in row.name
    assert row.phone.startswith("138") and row.phone != w.a1_employee_person.phone
    assert row.kind == "提交证明材料"
    # Nothing is due today on 11-16; on 11-21 the cycle ends at midnight, so the untested is.
    assert duty_list(scope=officer, enterprise=w.a1, which=TODAY, at=at(16, 12)).rows == []
    today = duty_list(scope=officer, enterprise=w.a1, which=TODAY, at=at(21, 12))
    assert [r.person_id for r in today.rows] == [w.a1_employee_person.pk]


@pytest.mark.django_db
def test_it_pages_the_list_and_filters_by_org_unit(scheduled: World) -> None:
    w = scheduled
    for n in range(3):
        person = make_person(w.a1, f"甲一员工{n}", 900 + n, org_unit=w.a1_unit)
        late(w, person, at(15, n))
    officer = scope_for_user(w.users["a1_officer"])
    first = duty_list(scope=officer, enterprise=w.a1, which=OVERDUE, at=at(16), per_page=2)
    second = duty_list(scope=officer, enterprise=w.a1, which=OVERDUE, at=at(16), per_page=2, page=2)
    assert (len(first.rows), first.has_next, len(second.rows), second.has_next) == (
        2,
        True,
        1,
        False,
    )
    assert [r.due_by for r in first.rows] == [at(15, 0), at(15, 1)]
    none = duty_list(scope=officer, enterprise=w.a1, which=OVERDUE, at=at(16), unit_ids=[0])
    assert none.rows == []


@pytest.mark.django_db
def test_an_outsider_sees_no_row_of_another_enterprise(scheduled: World) -> None:
    w = scheduled
    late(w, w.a1_employee_person, at(16, 8))
    outsider = scope_for_user(w.users["a2_officer"])
    assert duty_list(scope=outsider, enterprise=w.a1, which=OVERDUE, at=at(16, 12)).rows == []
    total, _ = enterprise_coverage(scope=outsider, enterprise=w.a1, at=at(16, 12))
    assert total.due == 0


@pytest.mark.django_db
def test_the_park_sees_the_key_population_ledger_at_any_time_z_3_2(scheduled: World) -> None:
    w = scheduled
    Person.objects.filter(pk=w.a1_person.pk).update(wide_contact=True)
    park = scope_for_user(w.users["park_a_admin"])
    total, rows = key_population_ledger(scope=park, at=at(16, 12), place=w.park_a)
    assert [
        (r.enterprise, r.coverage.due, r.coverage.done, r.coverage.key_group) for r in rows
    ] == [
        ("甲一精工有限公司", 2, 1, 1),
        ("甲二食品有限公司", 1, 0, 0),
    ]
    assert rows[0].coverage.latest_sample == at(16, 9)
    assert (total.due, total.done) == (3, 1)
    # Park B's admin sees none of it.
    other = scope_for_user(w.users["park_b_admin"])
    assert key_population_ledger(scope=other, at=at(16, 12))[1] == []


@pytest.mark.django_db
def test_the_community_sees_only_its_residents_in_the_ledger_z_3_2(scheduled: World) -> None:
    """甲社区's liaison sees A1's person who lives there (甲一张三), nobody else."""
    w = scheduled
    liaison = scope_for_user(w.users["liaison_a"])
    total, rows = key_population_ledger(scope=liaison, at=at(16, 12))
    assert [(r.enterprise_id, r.coverage.due, r.coverage.done) for r in rows] == [(w.a1.pk, 1, 1)]
    assert total.due == 1


@pytest.mark.django_db
def test_it_snapshots_the_daily_figures(scheduled: World) -> None:
    w = scheduled
    status_declaration_record(declared={w.a1_person.pk: dt.date(2022, 11, 16)}, at=at(16, 9))
    status_hold_open(
        person_ids=[w.a1_employee_person.pk],
        kind="positive",
        reason="核酸阳性",
        citation={},
        source="sampling.sample:1",
        at=at(16, 11),
    )
    late(w, w.a1_employee_person, at(16, 8))
    assert daily_figures_snapshot(at=at(16, 12)) == 3
    figure = DailyFigure.objects.get(enterprise=w.a1, on=dt.date(2022, 11, 16))
    assert (figure.headcount, figure.declared, figure.test_due, figure.test_done) == (2, 1, 2, 1)
    assert (figure.overdue, figure.positives) == (1, 1)
    # Run again later the same day: the row is overwritten, not doubled.
    duty_evidence_record(
        kind=DutyKind.NUCLEIC_ACID, evidence={w.a1_employee_person.pk: at(16, 13)}, at=at(16, 14)
    )
    daily_figures_snapshot(at=at(16, 15))
    figure.refresh_from_db()
    assert figure.test_done == 2
    assert DailyFigure.objects.filter(enterprise=w.a1).count() == 1
    park = scope_for_user(w.users["park_a_admin"])
    (day,) = daily_figures(scope=park, since=dt.date(2022, 11, 10), park=w.park_a)
    assert (day["headcount"], day["test_done"], day["positives"]) == (3, 2, 1)
    outsider = scope_for_user(w.users["a2_officer"])
    assert daily_figures(scope=outsider, since=dt.date(2022, 11, 10), enterprise=w.a1) == []
    assert Duty.objects.filter(source=ROUTINE).count() == 5
