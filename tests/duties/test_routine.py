"""Routine test schedules from the packs a park follows (Z-5.2b, J-1.5b, J-1.5c), and
`duties rebuild --check` that recomputes them and reports differences."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import CommandError, call_command

from parkguard.duties.choices import ROUTINE, DutyKind, DutyState
from parkguard.duties.models import Duty
from parkguard.duties.services import duties_routine_sync, duty_evidence_record
from parkguard.people.choices import EmploymentStatus
from parkguard.people.models import Person
from tests.factories import J_PACK, World, adopt

CST = dt.timezone(dt.timedelta(hours=8))
Z_PACK = "zhengyang-2022-20"


def at(day: int, hour: int = 0) -> dt.datetime:
    return dt.datetime(2022, 11, day, hour, tzinfo=CST)


@pytest.fixture
def park_a(world: World) -> World:
    """Park A follows Z (every 7 days, public-contact staff every 3) and J (every 7 days)."""
    adopt(world.park_a, Z_PACK, routine_test_interval_days=7, public_contact_test_interval_days=3)
    adopt(world.park_a, J_PACK, routine_test_interval_days=7)
    return world


def windows(person: Person) -> list[tuple[dt.datetime, dt.datetime, str]]:
    return list(
        Duty.objects.filter(person=person, source=ROUTINE)
        .exclude(state=DutyState.CANCELLED)
        .order_by("due_from")
        .values_list("due_from", "due_by", "state")
    )


@pytest.mark.django_db
def test_it_gives_everyone_the_parks_interval_with_its_citation_z_5_2b_j_1_5b(
    park_a: World,
) -> None:
    """Cycles count from the adoption day (11-15): on 11-17 the 7-day cycle is 11-15..11-22."""
    report = duties_routine_sync(at=at(17, 8), write=True)
    assert report.created == 3  # A1's two people and A2's one; park B follows nothing
    duty = Duty.objects.get(person=park_a.a1_person)
    assert (duty.kind, duty.due_from, duty.due_by) == (DutyKind.NUCLEIC_ACID, at(15), at(22))
    assert duty.state == DutyState.DUE
    assert duty.enterprise_id == park_a.a1.pk
    assert duty.citation["requirement"] in {"Z-5.2b", "J-1.5b"}
    assert set(duty.citation) == {
        "pack_id",
        "version",
        "document_number",
        "requirement",
        "clause",
        "rule_id",
    }
    assert not Duty.objects.filter(person=park_a.b1_person).exists()


@pytest.mark.django_db
def test_it_tests_wide_contact_posts_more_often_z_5_2b_j_1_5c(park_a: World) -> None:
    """A guard (保安, a post J's wide-contact group names) gets Z's 3-day interval."""
    Person.objects.filter(pk=park_a.a1_employee_person.pk).update(post="保安")
    Person.objects.filter(pk=park_a.a2_person.pk).update(wide_contact=True)
    duties_routine_sync(at=at(19, 8), write=True)
    guard = Duty.objects.get(person=park_a.a1_employee_person)
    assert (guard.due_from, guard.due_by) == (at(18), at(21))
    assert guard.citation["rule_id"] == "z-5.2b-public-contact-testing"
    assert guard.citation["requirement"] == "Z-5.2b"
    flagged = Duty.objects.get(person=park_a.a2_person)
    assert (flagged.due_from, flagged.due_by) == (at(18), at(21))
    regular = Duty.objects.get(person=park_a.a1_person)
    assert (regular.due_from, regular.due_by) == (at(15), at(22))


@pytest.mark.django_db
def test_it_follows_the_test_into_the_next_cycle(park_a: World) -> None:
    duties_routine_sync(at=at(16), write=True)
    duty_evidence_record(
        kind=DutyKind.NUCLEIC_ACID, evidence={park_a.a1_person.pk: at(16, 10)}, at=at(16, 12)
    )
    assert windows(park_a.a1_person) == [
        (at(15), at(22), DutyState.DONE),
        (at(22), at(29), DutyState.DUE),
    ]
    # The next cycle opened early is in order: the check finds nothing.
    assert duties_routine_sync(at=at(17), write=False).differing_people == 0
    # In the next cycle, the sync finds the duty there already.
    assert duties_routine_sync(at=at(23), write=True).created == 2  # the other two people


@pytest.mark.django_db
def test_it_reports_differences_and_fixes_them(park_a: World) -> None:
    duties_routine_sync(at=at(16), write=True)
    person = park_a.a1_person
    # Someone's window drifted (edited by hand), and someone left.
    Duty.objects.filter(person=person).update(due_by=at(25))
    Person.objects.filter(pk=park_a.a2_person.pk).update(status=EmploymentStatus.LEFT)
    check = duties_routine_sync(at=at(16, 9), write=False)
    assert check.differing_people == 2
    assert any("缺少本周期" in line for line in check.differences)
    assert any("已不在岗" in line for line in check.differences)
    assert Duty.objects.filter(person=person, due_by=at(25), state=DutyState.DUE).exists()

    fixed = duties_routine_sync(at=at(16, 9), write=True)
    assert (fixed.created, fixed.cancelled) == (1, 2)
    assert windows(person) == [(at(15), at(22), DutyState.DUE)]
    left = Duty.objects.get(person=park_a.a2_person)
    assert left.state == DutyState.CANCELLED
    assert left.cancelled_at == at(16, 9)
    assert duties_routine_sync(at=at(16, 10), write=False).differing_people == 0


@pytest.mark.django_db
def test_it_owes_nothing_where_a_park_has_not_set_the_interval(world: World) -> None:
    adopt(world.park_a, Z_PACK)  # the notice leaves the frequency to the locality
    assert duties_routine_sync(at=at(17), write=True).created == 0


@pytest.mark.django_db
def test_the_rebuild_command_checks_and_fixes(park_a: World) -> None:
    with pytest.raises(CommandError):
        call_command("duties", "rebuild", "--check", "--at", at(16).isoformat())
    assert not Duty.objects.exists()
    call_command("duties", "rebuild", "--at", at(16).isoformat())
    assert Duty.objects.count() == 3
    call_command("duties", "rebuild", "--check", "--at", at(16).isoformat())
