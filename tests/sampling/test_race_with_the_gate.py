"""Fault test (issue 18, Tests): a lab import and gate checks racing on the same person.

The lab import moves the person's status row (a negative result: `latest_negative_at`
forward, `pending_results` down) while a guard checks the same person at the gate again and
again. Afterwards the status row is exactly what the records say (`status_rebuild` finds no
difference), every check saw either the state before the import or the state after it,
and a check made after the import sees the new result. Run on PostgreSQL, where the two
really run at once (SQLite's IMMEDIATE transactions serialise writers by design).
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection

from parkguard.gate.models import AccessCheck
from parkguard.gate.services import STEPS, gate_check, gate_create
from parkguard.orgs.access import SYSTEM
from parkguard.rules.models import PackAdoption
from parkguard.sampling import jobs, services
from parkguard.sampling.choices import ImportState, SampleKind
from parkguard.status.models import PersonStatus
from parkguard.status.services import status_rebuild
from tests.sampling.conftest import AT, LATER, LabDay

CHECKS = 15


@pytest.mark.django_db(transaction=True)
def test_a_lab_import_racing_gate_checks_leaves_a_consistent_status_row(lab_day: LabDay) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("the race is exercised on PostgreSQL (SQLite serialises writers)")
    world, person = lab_day.world, lab_day.staff[0]
    PackAdoption.objects.filter(jurisdiction=world.park_a).update(params={"entry_test_hours": 48})
    services.sample_take(
        scope=lab_day.officer(),
        round=lab_day.round,
        barcode="R1",
        kind=SampleKind.SINGLE,
        person_ids=[person.pk],
        at=AT,
        by=None,
    )
    gate = gate_create(
        scope=SYSTEM,
        park=world.park_a,
        enterprise=world.a1,
        name="甲一东门",
        place="plant_gate",
        at=AT,
        by=None,
    )
    body = "条码号,检测结果,采样时间\nR1,阴性,2022-11-16 08:30\n".encode()
    start = threading.Barrier(2)

    def lab() -> str:
        try:
            start.wait()
            batch = jobs.result_file_import(
                scope=lab_day.officer(),
                lab=lab_day.lab,
                enterprise=world.a1,
                data=body,
                filename="r.csv",
                dry_run=False,
                at=LATER,
                by=None,
            )
            return str(batch.state)
        finally:
            connection.close()

    def guard() -> list[bool]:
        try:
            start.wait()
            return [
                gate_check(
                    scope=SYSTEM,
                    gate=gate,
                    direction="in",
                    person_id=person.pk,
                    temperature="36.5",
                    code_colour="green",
                    steps_done=STEPS,
                    at=LATER,
                    by=world.users["a1_guard"],
                ).allowed
                for _ in range(CHECKS)
            ]
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=2) as pool:
        imported = pool.submit(lab)
        checked = pool.submit(guard)
        state, answers = imported.result(timeout=120), checked.result(timeout=120)

    assert state == ImportState.DONE
    row = PersonStatus.objects.get(person=person)
    assert row.pending_results == 0
    assert row.latest_negative_at is not None
    report = status_rebuild(at=LATER, write=False)
    assert report.differences == [], report.differences
    # Every check saw one consistent state: once a check was let in, none after it was refused.
    assert answers == sorted(answers), answers
    assert AccessCheck.objects.filter(gate=gate).count() == CHECKS
    after = gate_check(
        scope=SYSTEM,
        gate=gate,
        direction="in",
        person_id=person.pk,
        temperature="36.5",
        code_colour="green",
        steps_done=STEPS,
        at=LATER,
        by=world.users["a1_guard"],
    )
    assert after.allowed, after.reasons
