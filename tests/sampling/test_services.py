"""Rounds, tubes, pools and results (issue 11 §4; Z-5.2b, J-1.5b, Z-3.2): a positive pool puts
every member on hold for a single-tube retest at once; the retest's negative clears it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from parkguard.duties.choices import DutyKind, DutyState
from parkguard.duties.services import DutySpec, duties_replace
from parkguard.notify.models import Message
from parkguard.orgs.access import scope_for_user
from parkguard.people.models import Person
from parkguard.sampling import services
from parkguard.sampling.choices import Result, RoundGroup, RoundKind, SampleKind
from parkguard.sampling.models import Sample
from parkguard.status.choices import HoldKind
from parkguard.status.models import PersonStatus, StatusHold
from parkguard.status.services import status_rebuild
from tests.sampling.conftest import AT, LATER, ON, POOL, LabDay

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def _pool(t: LabDay, barcode: str, people: list[Person] | None = None) -> Sample:
    people = t.staff if people is None else people
    return services.sample_take(
        scope=t.officer(),
        round=t.round,
        barcode=barcode,
        kind=SampleKind.POOL,
        person_ids=[p.pk for p in people],
        at=AT,
        by=None,
    )


@pytest.mark.django_db
def test_it_plans_a_full_round_with_the_pool_size_set_by_the_round_z_5_2b(lab_day: LabDay) -> None:
    r = lab_day.round
    r.refresh_from_db()
    assert r.pool_size == POOL
    assert r.citation["pool_size"]["set_by"] == "round"
    assert r.citation["testing"]["requirement"] == "Z-5.2b"
    assert r.members.count() == len(lab_day.staff)


@pytest.mark.django_db
def test_it_plans_a_share_round_and_wide_contact_round_j_1_5b(lab_day: LabDay) -> None:
    w = lab_day.world
    share = services.round_plan(
        scope=lab_day.officer(),
        enterprise=w.a1,
        name="抽检",
        on=ON,
        kind=RoundKind.SHARE,
        group=RoundGroup.ALL,
        share="0.5",
        pool_size=POOL,
        at=AT,
        by=None,
    )
    assert share.members.count() == (len(lab_day.staff) + 1) // 2
    with pytest.raises(ValidationError) as caught:
        services.round_plan(
            scope=lab_day.officer(),
            enterprise=w.a1,
            name="抽检",
            on=ON,
            kind=RoundKind.SHARE,
            group=RoundGroup.ALL,
            pool_size=POOL,
            at=AT,
            by=None,
        )
    assert caught.value.message_dict["share"] == [services.SHARE_REQUIRED]


@pytest.mark.django_db
def test_it_counts_pending_results_when_a_pool_is_taken(lab_day: LabDay) -> None:
    _pool(lab_day, "P0001")
    status = PersonStatus.objects.get(pk=lab_day.staff[0].pk)
    assert status.pending_results == 1


@pytest.mark.django_db
def test_it_refuses_a_pool_over_the_limit_and_a_taken_barcode(lab_day: LabDay) -> None:
    lab_day.round.pool_size = 2
    lab_day.round.save()
    with pytest.raises(ValidationError) as caught:
        _pool(lab_day, "P0001")
    assert caught.value.message_dict["person_ids"] == [
        services.POOL_TOO_LARGE.format(count=len(lab_day.staff), limit=2)
    ]
    _pool(lab_day, "P0002", lab_day.staff[:2])
    with pytest.raises(ValidationError) as caught:
        _pool(lab_day, "P0002", lab_day.staff[2:4])
    assert caught.value.message_dict["barcode"] == [services.BARCODE_TAKEN]
    assert not Sample.objects.filter(barcode="P0001").exists()


@pytest.mark.django_db
def test_a_positive_pool_holds_every_member_and_a_negative_retest_clears_z_5_2b(
    lab_day: LabDay,
) -> None:
    pool = _pool(lab_day, "P0001")
    services.sample_result_record(
        scope=lab_day.officer(), sample=pool, result=Result.POSITIVE, at=LATER, by=None
    )
    ids = [p.pk for p in lab_day.staff]
    holds = StatusHold.objects.filter(person_id__in=ids, kind=HoldKind.RETEST, cleared_at=None)
    assert holds.count() == len(ids)
    assert holds.first().citation["requirement"] == "Z-5.2b"  # type: ignore[union-attr]
    assert all(PersonStatus.objects.get(pk=pk).on_hold for pk in ids)
    first = lab_day.staff[0]
    tube = services.sample_take(
        scope=lab_day.officer(),
        round=lab_day.round,
        barcode="S0001",
        kind=SampleKind.SINGLE,
        person_ids=[first.pk],
        retest_of=pool,
        at=LATER,
        by=None,
    )
    services.sample_result_record(
        scope=lab_day.officer(), sample=tube, result=Result.NEGATIVE, at=LATER, by=None
    )
    status = PersonStatus.objects.get(pk=first.pk)
    assert not status.on_hold and status.latest_negative_at == LATER
    assert status.pending_results == 0
    assert PersonStatus.objects.get(pk=lab_day.staff[1].pk).on_hold
    assert status_rebuild(at=LATER, write=False).differences == []


@pytest.mark.django_db
def test_a_positive_single_tube_opens_a_positive_hold_and_alerts_officers(lab_day: LabDay) -> None:
    tube = services.sample_take(
        scope=lab_day.officer(),
        round=lab_day.round,
        barcode="S0002",
        kind=SampleKind.SINGLE,
        person_ids=[lab_day.staff[0].pk],
        at=AT,
        by=None,
    )
    services.sample_result_record(
        scope=lab_day.officer(), sample=tube, result=Result.POSITIVE, at=LATER, by=None
    )
    assert StatusHold.objects.filter(person=lab_day.staff[0], kind=HoldKind.POSITIVE).exists()
    assert Message.objects.filter(user=lab_day.world.users["a1_officer"]).exists()


@pytest.mark.django_db
def test_an_employee_reports_an_antigen_test_with_a_photo(lab_day: LabDay) -> None:
    w = lab_day.world
    me = scope_for_user(w.users["a1_employee"])
    sample = services.antigen_report(
        scope=me, person=w.a1_employee_person, result=Result.NEGATIVE, photo=PNG, at=AT, by=None
    )
    sample.refresh_from_db()
    assert sample.photo.content_type == "image/png"
    # An antigen negative is not a nucleic-acid negative.
    assert (
        PersonStatus.objects.filter(pk=w.a1_employee_person.pk, latest_negative_at=None).exists()
        or not PersonStatus.objects.filter(pk=w.a1_employee_person.pk).exists()
    )
    with pytest.raises(ValidationError) as caught:
        services.antigen_report(
            scope=me,
            person=w.a1_employee_person,
            result="negative",
            photo=b"GIF89a",
            at=AT,
            by=None,
        )
    assert caught.value.message_dict["photo"] == [services.PHOTO_TYPE]
    with pytest.raises(PermissionDenied):
        services.antigen_report(
            scope=me, person=w.a1_person, result="negative", photo=PNG, at=AT, by=None
        )
    assert Sample.objects.filter(kind=SampleKind.ANTIGEN).count() == 1


@pytest.mark.django_db
def test_another_enterprises_officer_cannot_take_or_record(lab_day: LabDay) -> None:
    other = scope_for_user(lab_day.world.users["a2_officer"])
    with pytest.raises(PermissionDenied):
        services.sample_take(
            scope=other,
            round=lab_day.round,
            barcode="X1",
            kind=SampleKind.SINGLE,
            person_ids=[lab_day.staff[0].pk],
            at=AT,
            by=None,
        )
    assert not Sample.objects.exists()


@pytest.mark.django_db
def test_taking_a_tube_meets_the_members_test_duties_z_5_2b(lab_day: LabDay) -> None:
    """A duty to be tested is met when the person is sampled, inside its window; a person
    not in the tube keeps theirs open."""
    window = DutySpec(
        kind=DutyKind.NUCLEIC_ACID,
        due_from=AT - dt.timedelta(days=1),
        due_by=AT + dt.timedelta(days=1),
        label="核酸检测",
    )
    sampled, other = lab_day.staff[0], lab_day.staff[1]
    mine = duties_replace(person_id=sampled.pk, source="test.plan", items=[window], at=AT)[0]
    theirs = duties_replace(person_id=other.pk, source="test.plan", items=[window], at=AT)[0]
    pool = _pool(lab_day, "DUTY-0001", people=[sampled])
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert mine.state == DutyState.DONE and mine.satisfied_at == AT
    assert mine.evidence == f"sampling.sample:{pool.pk}"
    assert theirs.state == DutyState.DUE and theirs.satisfied_at is None
