"""Duties: evidence satisfies windows, plans replace their open duties, time makes them
overdue (Z-5.2b, J-1.5b). Exact dates in China Standard Time."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from parkguard.duties.choices import ROUTINE, DutyKind, DutyState
from parkguard.duties.models import Duty
from parkguard.duties.services import (
    BAD_WINDOW,
    NO_SOURCE,
    UNKNOWN_KIND,
    DutyInputError,
    DutySpec,
    EvidenceHeld,
    duties_refresh,
    duties_replace,
    duties_replace_many,
    duty_evidence_record,
)
from tests.factories import World

CST = dt.timezone(dt.timedelta(hours=8))
CITATION = {
    "pack_id": "zhengyang-2022-20",
    "version": 2,
    "document_number": "正阳园区管委发〔2022〕20号",
    "requirement": "Z-5.2b",
    "clause": "五、（二）核酸检测全覆盖，按照属地要求频次开展核酸检测",
    "rule_id": "z-5.2b-routine-testing",
}


def at(day: int, hour: int = 0, minute: int = 0) -> dt.datetime:
    return dt.datetime(2022, 11, day, hour, minute, tzinfo=CST)


def routine(world: World, person_id: int, start: dt.datetime, end: dt.datetime) -> Duty:
    person = world.a1_person if person_id == world.a1_person.pk else world.a1_employee_person
    return Duty.objects.create(
        person_id=person_id,
        enterprise_id=person.enterprise_id,
        kind=DutyKind.NUCLEIC_ACID,
        label="每7天核酸检测",
        due_from=start,
        due_by=end,
        source=ROUTINE,
        citation=CITATION,
        created_at=start,
    )


@pytest.mark.django_db
def test_it_satisfies_a_routine_duty_whose_window_holds_the_sample_and_creates_the_next_z_5_2b(
    world: World,
) -> None:
    """Z-5.2b: a sample on 11-17 10:00 meets the cycle 11-15..11-22; the next runs 11-22..11-29."""
    duty = routine(world, world.a1_person.pk, at(15), at(22))
    done = duty_evidence_record(
        kind=DutyKind.NUCLEIC_ACID,
        evidence={world.a1_person.pk: at(17, 10)},
        at=at(17, 18),
        reference="sampling.sample:7",
    )
    assert done == 1
    duty.refresh_from_db()
    assert duty.state == DutyState.DONE
    assert duty.satisfied_at == at(17, 10)
    assert duty.evidence == "sampling.sample:7"
    following = Duty.objects.exclude(pk=duty.pk).get()
    assert (following.due_from, following.due_by) == (at(22), at(29))
    assert following.state == DutyState.DUE
    assert following.source == ROUTINE
    assert following.citation == CITATION
    assert following.created_at == at(17, 18)


@pytest.mark.django_db
def test_it_leaves_duties_whose_window_does_not_hold_the_evidence(world: World) -> None:
    duty = routine(world, world.a1_person.pk, at(15), at(22))
    (planned,) = duties_replace(
        person_id=world.a1_employee_person.pk,
        source="mobility.return:9",
        items=[DutySpec(kind=DutyKind.NUCLEIC_ACID, due_from=at(15), due_by=at(16))],
        at=at(14),
    )
    other_kind = duty_evidence_record(
        kind=DutyKind.ANTIGEN, evidence={world.a1_person.pk: at(16)}, at=at(16)
    )
    before = duty_evidence_record(
        kind=DutyKind.NUCLEIC_ACID, evidence={world.a1_person.pk: at(14, 23, 59)}, at=at(16)
    )
    # A plan's window is half-open: a sample at its deadline is too late for it.
    on_deadline = duty_evidence_record(
        kind=DutyKind.NUCLEIC_ACID, evidence={world.a1_employee_person.pk: at(16)}, at=at(16, 1)
    )
    assert (other_kind, before, on_deadline) == (0, 0, 0)
    duty.refresh_from_db()
    planned.refresh_from_db()
    assert (duty.state, planned.state) == (DutyState.DUE, DutyState.DUE)
    assert duty.satisfied_at is None
    assert Duty.objects.count() == 2


@pytest.mark.django_db
def test_it_meets_a_missed_routine_cycle_late_with_the_next_test_z_5_2b(world: World) -> None:
    """Missed the cycle 11-08..11-15, tested 11-16: both that cycle (late) and 11-15..11-22
    are met, and the following cycle 11-22..11-29 is opened."""
    missed = routine(world, world.a1_person.pk, at(8), at(15))
    duties_refresh(at=at(15, 1))
    assert (
        duty_evidence_record(
            kind=DutyKind.NUCLEIC_ACID, evidence={world.a1_person.pk: at(16, 9)}, at=at(16, 20)
        )
        == 1
    )
    missed.refresh_from_db()
    assert missed.state == DutyState.DONE
    assert missed.satisfied_at == at(16, 9)
    rows = list(Duty.objects.order_by("due_from").values_list("due_from", "due_by", "state"))
    assert rows == [
        (at(8), at(15), DutyState.DONE),
        (at(15), at(22), DutyState.DONE),
        (at(22), at(29), DutyState.DUE),
    ]


@pytest.mark.django_db
def test_it_satisfies_an_overdue_duty_with_a_sample_taken_in_time(world: World) -> None:
    """The lab's result came after the deadline; the sample was taken inside the window."""
    duty = routine(world, world.a1_person.pk, at(8), at(15))
    duties_refresh(at=at(15, 9))
    duty.refresh_from_db()
    assert duty.state == DutyState.OVERDUE
    duty_evidence_record(
        kind=DutyKind.NUCLEIC_ACID, evidence={world.a1_person.pk: at(14, 16)}, at=at(15, 10)
    )
    duty.refresh_from_db()
    assert duty.state == DutyState.DONE
    # The next cycle (11-15..11-22) is open at once.
    assert Duty.objects.get(due_from=at(15)).state == DutyState.DUE


@pytest.mark.django_db
def test_it_does_not_create_a_next_duty_that_exists_already(world: World) -> None:
    routine(world, world.a1_person.pk, at(8), at(15))
    current = routine(world, world.a1_person.pk, at(15), at(22))
    duty_evidence_record(
        kind=DutyKind.NUCLEIC_ACID, evidence={world.a1_person.pk: at(14)}, at=at(15, 10)
    )
    assert Duty.objects.filter(due_from=at(15)).get() == current
    current.refresh_from_db()
    assert current.state == DutyState.DUE


@pytest.mark.django_db
def test_it_records_evidence_for_many_people_in_few_queries(
    world: World, django_assert_max_num_queries: object
) -> None:
    a = routine(world, world.a1_person.pk, at(15), at(22))
    b = routine(world, world.a1_employee_person.pk, at(15), at(22))
    with django_assert_max_num_queries(6):  # type: ignore[operator]
        duty_evidence_record(
            kind=DutyKind.NUCLEIC_ACID,
            evidence={a.person_id: at(16), b.person_id: at(17), world.a2_person.pk: at(16)},
            at=at(17),
        )
    a.refresh_from_db()
    b.refresh_from_db()
    assert (a.satisfied_at, b.satisfied_at) == (at(16), at(17))


@pytest.mark.django_db
def test_it_refuses_an_unknown_kind(world: World) -> None:
    with pytest.raises(DutyInputError) as caught:
        duty_evidence_record(kind="vaccination", evidence={world.a1_person.pk: at(16)}, at=at(16))
    assert caught.value.message == UNKNOWN_KIND


def plan(*days: tuple[int, int]) -> list[DutySpec]:
    return [
        DutySpec(
            kind=DutyKind.NUCLEIC_ACID,
            due_from=at(start),
            due_by=at(end),
            citation={**CITATION, "requirement": "J-1.1"},
            label=f"居家第{start - 14}天核酸",
        )
        for start, end in days
    ]


@pytest.mark.django_db
def test_it_replaces_a_plans_open_duties_and_keeps_done_ones_and_history_j_1_1(
    world: World,
) -> None:
    person = world.a1_person
    source = "mobility.return:12"
    first = duties_replace(
        person_id=person.pk, source=source, items=plan((15, 16), (17, 18), (19, 20)), at=at(14)
    )
    assert [(d.due_from, d.due_by) for d in first] == [
        (at(15), at(16)),
        (at(17), at(18)),
        (at(19), at(20)),
    ]
    assert all(d.enterprise_id == world.a1.pk and d.state == DutyState.DUE for d in first)
    duty_evidence_record(kind=DutyKind.NUCLEIC_ACID, evidence={person.pk: at(15, 9)}, at=at(15, 9))

    # The return date moved: day 1 (done) stays, day 3 is asked again (kept), day 5 moves.
    second = duties_replace(
        person_id=person.pk, source=source, items=plan((15, 16), (17, 18), (21, 22)), at=at(15, 12)
    )
    assert [(d.due_from, d.due_by) for d in second] == [(at(17), at(18)), (at(21), at(22))]
    assert second[0].pk == first[1].pk
    done = Duty.objects.get(pk=first[0].pk)
    assert done.state == DutyState.DONE
    cancelled = Duty.objects.get(pk=first[2].pk)
    assert cancelled.state == DutyState.CANCELLED
    assert cancelled.cancelled_at == at(15, 12)
    assert Duty.objects.filter(person=person, source=source).count() == 4

    # An empty plan cancels what is open and keeps the rest.
    assert duties_replace(person_id=person.pk, source=source, items=[], at=at(16)) == []
    assert set(Duty.objects.filter(source=source).values_list("state", flat=True)) == {
        DutyState.DONE,
        DutyState.CANCELLED,
    }


def _statements(captured: CaptureQueriesContext) -> list[str]:
    return [q["sql"] for q in captured.captured_queries if "SAVEPOINT" not in q["sql"]]


@pytest.mark.django_db
def test_one_persons_replace_keeps_its_statements_keep_cancel_create_relabel(
    world: World,
) -> None:
    """`duties_replace` is `duties_replace_many` for one person: the enterprise, the open
    duties, one UPDATE to cancel, one to relabel, one INSERT, the duties read back. Six
    statements, as before the fold, whatever the number of items."""
    person = world.a1_person
    source = "mobility.return:40"
    first = duties_replace(
        person_id=person.pk, source=source, items=plan((15, 16), (17, 18), (19, 20)), at=at(14)
    )
    relabelled = [
        DutySpec(kind=s.kind, due_from=s.due_from, due_by=s.due_by, label="改期后", citation={})
        for s in plan((17, 18))
    ]
    with CaptureQueriesContext(connection) as captured:
        second = duties_replace(
            person_id=person.pk,
            source=source,
            items=[*relabelled, *plan((21, 22), (23, 24), (25, 26))],
            at=at(14, 12),
        )
    statements = _statements(captured)
    assert len(statements) == 6
    assert [s.split()[0] for s in statements] == [
        "SELECT",
        "SELECT",
        "UPDATE",
        "UPDATE",
        "INSERT",
        "SELECT",
    ]
    # Kept (relabelled), cancelled and created: the new state, the old rows kept.
    assert [(d.due_from, d.label) for d in second] == [
        (at(17), "改期后"),
        (at(21), "居家第7天核酸"),
        (at(23), "居家第9天核酸"),
        (at(25), "居家第11天核酸"),
    ]
    assert second[0].pk == first[1].pk
    assert set(
        Duty.objects.filter(pk__in=[first[0].pk, first[2].pk]).values_list("state", flat=True)
    ) == {DutyState.CANCELLED}


@pytest.mark.django_db
def test_the_many_replace_is_the_one_person_replace_for_each_pair_with_held_evidence(
    world: World,
) -> None:
    """Two people at once end as each replaced alone would, and evidence already held meets
    only its own pair's duty (done-wins: a done duty is never asked again)."""
    a, b = world.a1_person, world.a1_employee_person
    source_a, source_b = "mobility.return:41", "mobility.return:42"
    duties_replace(person_id=a.pk, source=source_a, items=plan((15, 16)), at=at(14))
    duty_evidence_record(kind=DutyKind.NUCLEIC_ACID, evidence={a.pk: at(15, 9)}, at=at(15, 9))
    created = duties_replace_many(
        items={(a.pk, source_a): plan((15, 16), (17, 18)), (b.pk, source_b): plan((17, 18))},
        evidence={(b.pk, source_b): [EvidenceHeld(DutyKind.NUCLEIC_ACID, at(17, 8), "ev:1")]},
        at=at(16),
    )
    assert created == 2
    rows = {
        (d.person_id, d.due_from): (d.state, d.evidence)
        for d in Duty.objects.filter(source__in=[source_a, source_b])
    }
    assert rows == {
        (a.pk, at(15)): (DutyState.DONE, ""),
        (a.pk, at(17)): (DutyState.DUE, ""),
        (b.pk, at(17)): (DutyState.DONE, "ev:1"),
    }


@pytest.mark.django_db
def test_it_leaves_other_sources_alone_when_replacing(world: World) -> None:
    mine = routine(world, world.a1_person.pk, at(15), at(22))
    duties_replace(person_id=world.a1_person.pk, source="mobility.return:1", items=[], at=at(16))
    mine.refresh_from_db()
    assert mine.state == DutyState.DUE


@pytest.mark.django_db
def test_it_creates_a_plan_duty_already_past_as_overdue(world: World) -> None:
    (duty,) = duties_replace(
        person_id=world.a1_person.pk, source="mobility.return:2", items=plan((15, 16)), at=at(17)
    )
    assert duty.state == DutyState.OVERDUE


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("spec", "message"),
    [
        (DutySpec(kind="swim", due_from=at(15), due_by=at(16)), UNKNOWN_KIND),
        (DutySpec(kind=DutyKind.DOCUMENT, due_from=at(16), due_by=at(16)), BAD_WINDOW),
    ],
)
def test_it_refuses_a_bad_plan_and_writes_nothing(
    world: World, spec: DutySpec, message: str
) -> None:
    existing = duties_replace(
        person_id=world.a1_person.pk, source="mobility.return:3", items=plan((15, 16)), at=at(14)
    )
    with pytest.raises(DutyInputError) as caught:
        duties_replace(
            person_id=world.a1_person.pk, source="mobility.return:3", items=[spec], at=at(14)
        )
    assert caught.value.message == message
    existing[0].refresh_from_db()
    assert existing[0].state == DutyState.DUE
    assert Duty.objects.count() == 1


@pytest.mark.django_db
def test_it_refuses_a_plan_without_a_source(world: World) -> None:
    with pytest.raises(DutyInputError) as caught:
        duties_replace(person_id=world.a1_person.pk, source="", items=[], at=at(14))
    assert caught.value.message == NO_SOURCE


@pytest.mark.django_db
def test_it_moves_due_to_overdue_as_time_passes_in_one_update(world: World) -> None:
    late = routine(world, world.a1_person.pk, at(8), at(15))
    current = routine(world, world.a1_employee_person.pk, at(15), at(22))
    with CaptureQueriesContext(connection) as captured:
        assert duties_refresh(at=at(15)) == 1
    statements = [q["sql"] for q in captured.captured_queries if "SAVEPOINT" not in q["sql"]]
    assert len(statements) == 1
    assert statements[0].startswith("UPDATE")
    late.refresh_from_db()
    current.refresh_from_db()
    assert (late.state, current.state) == (DutyState.OVERDUE, DutyState.DUE)
    assert duties_refresh(at=at(22), enterprise=world.a2) == 0
    current.refresh_from_db()
    assert current.state == DutyState.DUE
    assert duties_refresh(at=at(22), enterprise=world.a1) == 1
