"""The person status: set-based upkeep, holds with citations, and the rebuild check."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from parkguard.status import sources
from parkguard.status.choices import HoldKind
from parkguard.status.models import PersonStatus, StatusHold
from parkguard.status.selectors import person_status_get
from parkguard.status.services import (
    UNKNOWN_KIND,
    status_declaration_record,
    status_hold_clear,
    status_hold_open,
    status_rebuild,
    status_results_merge,
    status_results_record,
    status_temperature_record,
)
from tests.factories import World, make_person

AT = dt.datetime(2022, 11, 15, 8, 0, tzinfo=dt.UTC)
CITATION = {
    "pack_id": "zhengyang-2022-20",
    "version": 1,
    "document_number": "正阳防指〔2022〕20号",
    "requirement": "Z-4.2",
    "clause": "四(二)",
    "rule_id": "symptoms",
}


def test_it_opens_a_hold_and_blocks_entry_with_reason_and_citation(world: World) -> None:
    person = world.a1_person
    opened = status_hold_open(
        person_ids=[person.pk],
        kind=HoldKind.FEVER,
        reason="体温 37.5 ℃",
        citation=CITATION,
        source="health.alert:1",
        at=AT,
    )
    assert opened == 1
    status = person_status_get(person_id=person.pk)
    assert status is not None
    assert status.on_hold is True
    assert status.alert_count == 1
    assert status.enterprise_id == world.a1.pk
    [hold] = status.holds
    assert hold["kind"] == "fever"
    assert hold["label"] == "体温异常"
    assert hold["reason"] == "体温 37.5 ℃"
    assert hold["citation"] == CITATION
    assert hold["source"] == "health.alert:1"


def test_it_opens_one_hold_per_person_kind_and_source(world: World) -> None:
    for _ in range(2):
        status_hold_open(
            person_ids=[world.a1_person.pk],
            kind=HoldKind.FEVER,
            reason="r",
            citation={},
            source="health.alert:1",
            at=AT,
        )
    assert StatusHold.objects.filter(person=world.a1_person).count() == 1


def test_it_refuses_an_unknown_kind(world: World) -> None:
    with pytest.raises(ValueError, match=UNKNOWN_KIND):
        status_hold_open(
            person_ids=[world.a1_person.pk], kind="nope", reason="", citation={}, source="", at=AT
        )


def test_it_clears_a_hold_and_lifts_the_block(world: World) -> None:
    pk = world.a1_person.pk
    status_hold_open(
        person_ids=[pk], kind=HoldKind.SICK_LEAVE, reason="病假", citation={}, source="s:1", at=AT
    )
    status_hold_open(
        person_ids=[pk], kind=HoldKind.FEVER, reason="发热", citation={}, source="a:1", at=AT
    )
    later = AT + dt.timedelta(days=2)
    cleared = status_hold_clear(
        person_ids=[pk], kind=HoldKind.SICK_LEAVE, by=world.users["a1_officer"], at=later
    )
    assert cleared == 1
    status = PersonStatus.objects.get(pk=pk)
    assert status.on_hold is True
    assert [h["kind"] for h in status.holds] == ["fever"]
    hold = StatusHold.objects.get(person_id=pk, kind=HoldKind.SICK_LEAVE)
    assert hold.cleared_at == later
    assert hold.cleared_by == world.users["a1_officer"]
    status_hold_clear(person_ids=[pk], kind=HoldKind.FEVER, source="a:1", at=later)
    status.refresh_from_db()
    assert status.on_hold is False
    assert status.holds == []
    assert status.alert_count == 0


def test_it_keeps_the_newest_evidence(world: World) -> None:
    pk = world.a1_person.pk
    first = AT - dt.timedelta(days=1)
    status_results_record(negatives={pk: AT}, pending_delta={pk: 1}, at=AT)
    status_results_record(negatives={pk: first}, pending_delta={pk: -3}, at=AT)
    status_declaration_record(declared={pk: dt.date(2022, 11, 15)}, at=AT)
    status_declaration_record(declared={pk: dt.date(2022, 11, 14)}, at=AT)
    status_temperature_record(readings={pk: (Decimal("36.5"), AT)}, at=AT)
    status_temperature_record(readings={pk: (Decimal("37.9"), first)}, at=AT)
    status = PersonStatus.objects.get(pk=pk)
    assert status.latest_negative_at == AT
    assert status.pending_results == 0
    assert status.declared_on == dt.date(2022, 11, 15)
    assert status.last_temperature == Decimal("36.5")
    assert status.last_temperature_at == AT


@pytest.mark.parametrize("size", [3, 60])
def test_it_keeps_status_in_a_fixed_number_of_queries(
    world: World, size: int, django_assert_max_num_queries
) -> None:
    ids = [make_person(world.a2, f"甲二员工{n}", 500 + n).pk for n in range(size)]
    with django_assert_max_num_queries(12):
        status_hold_open(
            person_ids=ids,
            kind=HoldKind.RETEST,
            reason="混管阳性",
            citation={},
            source="p:1",
            at=AT,
        )
    with django_assert_max_num_queries(8):
        status_results_record(negatives=dict.fromkeys(ids, AT), at=AT)
    assert (
        PersonStatus.objects.filter(pk__in=ids, on_hold=True, latest_negative_at=AT).count() == size
    )


def test_it_rebuilds_from_records_and_reports_differences(world: World) -> None:
    pk = world.a1_person.pk
    status_hold_open(
        person_ids=[pk], kind=HoldKind.FEVER, reason="发热", citation={}, source="a:1", at=AT
    )
    assert status_rebuild(at=AT, write=False).differing_people == 0
    PersonStatus.objects.filter(pk=pk).update(on_hold=False, holds=[], alert_count=0)
    report = status_rebuild(at=AT, write=False)
    assert report.differing_people == 1
    assert any("on_hold" in line for line in report.differences)
    with pytest.raises(CommandError):
        call_command("status", "rebuild", "--check")
    call_command("status", "rebuild")
    status = PersonStatus.objects.get(pk=pk)
    assert status.on_hold is True
    assert status.alert_count == 1
    call_command("status", "rebuild", "--check")


def test_it_rebuilds_from_registered_contributors(world: World) -> None:
    pk = world.a1_person.pk
    seen: list[list[int]] = []

    def fake(person_ids):
        seen.append(list(person_ids))
        return {pk: sources.Evidence(declared_on=dt.date(2022, 11, 15), pending_results=2)}

    saved = sources.contributors()
    sources.register("fake", fake)
    try:
        report = status_rebuild(at=AT, write=True)
    finally:
        sources._contributors.clear()
        sources._contributors.update(saved)
    assert report.differing_people == 1
    assert pk in seen[0]
    status = PersonStatus.objects.get(pk=pk)
    assert status.declared_on == dt.date(2022, 11, 15)
    assert status.pending_results == 2


def test_evidence_merges_latest_times_and_sums_pending() -> None:
    early = AT - dt.timedelta(hours=5)
    merged = sources.merge(
        [
            sources.Evidence(latest_negative_at=early, pending_results=1),
            sources.Evidence(
                latest_negative_at=AT,
                pending_results=2,
                last_temperature=Decimal("36.6"),
                last_temperature_at=early,
            ),
            sources.Evidence(last_temperature=Decimal("37.0"), last_temperature_at=AT),
        ]
    )
    assert merged.latest_negative_at == AT
    assert merged.pending_results == 3
    assert merged.last_temperature == Decimal("37.0")


def test_the_bulk_merge_updates_existing_rows_and_creates_missing_ones(world: World) -> None:
    """`status_results_merge` (the lab import's status upkeep): one UPDATE … FROM for the rows
    that exist, and only when some are missing one INSERT … SELECT, already moved forward."""
    from django.db import connection

    kept = world.a1_person
    status_results_record(negatives={}, pending_delta={kept.pk: 2}, at=AT)
    fresh = make_person(world.a1, "甲一新人", 901)
    PersonStatus.objects.filter(pk=fresh.pk).delete()
    earlier = AT - dt.timedelta(hours=3)
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS status_merge_probe")
        cursor.execute(
            "CREATE TEMPORARY TABLE status_merge_probe "
            "(person_id bigint, negative_at timestamp, pending_delta integer)"
        )
        adapt = connection.ops.adapt_datetimefield_value
        cursor.execute(
            "INSERT INTO status_merge_probe VALUES (%s, %s, -1), (%s, %s, -1)",
            [kept.pk, adapt(AT), fresh.pk, adapt(earlier)],
        )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "ALTER TABLE status_merge_probe ALTER negative_at TYPE timestamptz "
                "USING negative_at AT TIME ZONE 'UTC'"
            )
    assert status_results_merge(table="status_merge_probe", at=AT) == 2
    old = PersonStatus.objects.get(pk=kept.pk)
    new = PersonStatus.objects.get(pk=fresh.pk)
    assert (old.latest_negative_at, old.pending_results) == (AT, 1)
    assert (new.latest_negative_at, new.pending_results) == (earlier, 0)
    assert new.enterprise_id == world.a1.pk
    # Nothing missing any more: the second merge only updates.
    assert status_results_merge(table="status_merge_probe", at=AT) == 2
    assert PersonStatus.objects.get(pk=kept.pk).pending_results == 0
